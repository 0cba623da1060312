"""Typed words for the case buttons: `triage`, `afsluiten`, `contact` (Dutch or English, one
typo allowed) name the step as its button does.

The core keeps no memory of the buttons it showed: a short typed text that names a case step,
from someone with no conversation open, is that step on the report(s) they may take it on
(see ``Casework.on_typed_step``). This is a core rule, the same in every messenger.
"""

from __future__ import annotations

from functools import cache

from rapidfuzz.distance import Levenshtein

from bot.casework import procedure
from bot.domain.text import fold
from bot.i18n import LANGUAGES, Translator

# The token of the "which report?" question: ``step:<step name>``, the option a reference.
STEP_PREFIX = "step:"
MAX_WORDS = 4  # a longer text is a message, not a button
# Words that name no step by themselves (they occur in several labels, or say nothing).
_PLAIN = frozenset(
    [
        "ik",
        "neem",
        "op",
        "aan",
        "met",
        "bij",
        "de",
        "het",
        "een",
        "van",
        "voor",
        "doen",
        "geven",
        "vastleggen",
        "gemeld",
        "melder",
        "reden",
        "gedaan",
        "i",
        "the",
        "a",
        "to",
        "with",
        "of",
        "do",
        "give",
        "record",
        "reporter",
    ]
)


@cache
def _names() -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Per step in the menu: its name, its labels (nl, en, the code) and their words."""
    rows = []
    for step in procedure.STEPS:
        if not step.in_menu:
            continue
        labels = {fold(Translator(language)(step.label)) for language in LANGUAGES}
        labels.add(step.name.replace("_", " "))
        words = {w for label in labels for w in label.split() if w not in _PLAIN and len(w) > 3}
        rows.append((step.name, frozenset(labels), frozenset(words)))
    return tuple(rows)


def _like(typed: str, known: str) -> bool:
    """The same word, or one typo away from a word of five letters or more."""
    return typed == known or (
        len(known) >= 5 and Levenshtein.distance(typed, known, score_cutoff=1) <= 1
    )


def steps_named(text: str) -> list[str]:
    """The case steps a typed text names: a whole label, or a word of its label; [] when none.

    Several steps may fit ("contact": the leader's contact and the adviser's); the caller
    keeps those the person can take.
    """
    typed = fold(text).strip(" .!?")
    if not typed or typed.startswith("/") or len(typed.split()) > MAX_WORDS:
        return []
    exact = [name for name, labels, _ in _names() if typed in labels]
    if exact:
        return exact
    words = [w for w in typed.split() if w not in _PLAIN]
    return [
        name
        for name, _, known in _names()
        if words and any(_like(w, k) for w in words for k in known)
    ]
