"""Message catalogues: Dutch first, English second.

Texts live in gettext ``.po`` files under ``bot/locale/<lang>/LC_MESSAGES/vimbot.po`` with
symbolic message ids (``step.when.prompt``). Babel reads them once; a missing English text
falls back to Dutch, so a person never sees a bare key.
"""

from __future__ import annotations

from datetime import date, time
from functools import cache, lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.lists import format_list
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "vimbot"
DEFAULT_LANGUAGE = "nl"
LANGUAGES: tuple[str, ...] = ("nl", "en")


@cache
def catalogue(language: str) -> dict[str, str]:
    """All texts of one language, message id → text."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=language, domain=DOMAIN)
    return {str(msg.id): str(msg.string) for msg in parsed if msg.id and msg.string}


def normalise_language(code: str | None) -> str:
    """``en-GB`` → ``en``; anything we don't speak → Dutch."""
    base = (code or "").split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """``t("done.sent", reference=...)`` in one person's language."""

    __slots__ = ("language",)

    def __init__(self, language: str | None = None) -> None:
        self.language = normalise_language(language)

    def __call__(self, key: str, /, **values: object) -> str:
        text = catalogue(self.language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
        return text.format(**values) if values else text

    def day(self, value: date) -> str:
        return _day(value, self.language)

    def join(self, items: list[str]) -> str:
        """``a, b en c`` (Dutch) or ``a, b and c`` (English)."""
        return format_list(items, locale=self.language)

    def when(self, day: date, at: time | None) -> str:
        if at is None:
            return self("when.day_only", day=self.day(day))
        return self("when.day_time", day=self.day(day), time=at.strftime("%H:%M"))


@lru_cache(maxsize=4096)
def _day(value: date, language: str) -> str:
    """``dinsdag 1 december 2026``: Babel reads its locale data at every call, and most turns
    of a report show the same day or two."""
    return format_date(value, format="EEEE d MMMM y", locale=language)


def all_labels(key: str) -> set[str]:
    """The text of ``key`` in every language (to recognise typed answers in either)."""
    return {catalogue(lang)[key] for lang in LANGUAGES if key in catalogue(lang)}


def synonyms(key: str) -> set[str]:
    """The words people type for ``key`` besides its label, in every language: the catalogue's
    ``<key>.synonyms``, alternatives separated by ``|`` ("licht|licht letsel|minor")."""
    words: set[str] = set()
    for lang in LANGUAGES:
        words.update(w.strip() for w in catalogue(lang).get(f"{key}.synonyms", "").split("|"))
    return words - {""}
