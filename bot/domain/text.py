"""Small text helpers shared by the flow and the domain rules."""

from __future__ import annotations

import unicodedata

# Control characters are dropped from what people type; newlines and tabs are kept.
_KEEP = {"\n", "\t"}


def clean_text(text: str) -> str:
    """Drop control characters and surrounding white space; keep emoji and any script."""
    kept = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", kept).strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching typed answers ("Cliënt" == "client")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
