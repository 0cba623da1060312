"""What people type: invisible characters and direction overrides (issue 11, item 13)."""

from __future__ import annotations

import pytest

from bot.domain.text import clean_text

BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]

INVISIBLE_ONLY = [
    "\u200b",  # zero-width space
    "\u200c\u200d",  # zero-width non-joiner, joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u200e\u200f",  # left-to-right and right-to-left marks
    "\u061c",  # Arabic letter mark
    "\u00ad\u180e",  # soft hyphen, Mongolian vowel separator (format characters)
    " \u200b \n\ufeff\t\u3000",  # mixed with white space
    "\u202e",  # a right-to-left override alone
    "\u2066\u2069",  # an isolate alone
    "\u3164\u2800",  # a Hangul filler and the braille blank draw nothing either
]


@pytest.mark.parametrize("typed", INVISIBLE_ONLY)
def test_only_invisible_characters_is_no_text(typed: str) -> None:
    assert clean_text(typed) == ""


@pytest.mark.parametrize("control", BIDI_CONTROLS)
def test_direction_overrides_and_isolates_are_removed(control: str) -> None:
    assert clean_text(f"Cliënt {control}lleb{control}\u202c viel") == "Cliënt lleb viel"


@pytest.mark.parametrize(
    "typed",
    [
        "👨\u200d👩\u200d👧 gezin was erbij",  # an emoji joined with ZWJ
        "👨\u200d👩\u200d👧",  # only an emoji: still visible
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # a tag flag
        "Cliënt, één café, reünie\nregel twee\n\tingesprongen",
        "می\u200cخواهم",  # Persian needs the zero-width non-joiner
        "שלום\u200f ok",  # a right-to-left mark in mixed text stays
    ],
)
def test_legitimate_text_is_kept(typed: str) -> None:
    assert clean_text(typed) == typed.strip()
