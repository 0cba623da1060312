"""Small text helpers shared by the flow and the domain rules."""

from __future__ import annotations

import unicodedata

# Control characters are dropped from what people type; newlines and tabs are kept.
_KEEP = {"\n", "\t"}
# Direction overrides and isolates (U+202A-202E, U+2066-2069) can make a text read differently
# from what it says ("Trojan Source"); they are dropped from everything shown to others.
# Direction marks (U+200E, U+200F, U+061C) are harmless and kept inside visible text.
_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Letters and symbols that draw nothing (Hangul fillers, the braille blank).
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def clean_text(text: str) -> str:
    """What a person typed, fit to store and show to others: control characters and direction
    overrides dropped, white space around it stripped. Text that shows nothing (only white
    space and invisible format characters such as U+200B or U+FEFF) becomes ``""``, so it is
    refused like an empty answer. Emoji (also joined by U+200D), any script and newlines stay.
    """
    kept = "".join(
        ch
        for ch in text
        if ch in _KEEP
        or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI_CONTROLS)
    )
    kept = unicodedata.normalize("NFC", kept).strip()
    return kept if any(_visible(ch) for ch in kept) else ""


def _visible(ch: str) -> bool:
    return not ch.isspace() and ch not in _BLANK and unicodedata.category(ch) != "Cf"


def fold(text: str) -> str:
    """Case- and accent-insensitive form for matching typed answers ("Cliënt" == "client")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
