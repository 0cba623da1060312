"""Reading what a person answered — a tap, a typed word, a whole form — into the answer a
step stores, by the same rules in the conversation and in a one-page form."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from bot.domain.text import clean_text, fold
from bot.events import Inbound, InboundKind
from bot.flows.steps import (
    SKIP,
    Choice,
    Context,
    Flow,
    Invalid,
    Kind,
    Step,
    View,
    applies,
    options_of,
)
from bot.i18n import all_labels, synonyms


def validate_form(
    flow: Flow,
    raw: Mapping[str, str | list[str] | None],
    ctx: Context,
    meta: Mapping[str, Any] | None = None,
    prefill: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a whole form (all answers at once) with the same rules as the conversation.

    ``raw`` maps a step id to typed text, a chosen option value, or (multi-choice) a list of
    values. Returns the answers and, per step id, the translated problem; conditional steps
    are only checked when they apply.
    """
    answers: dict[str, Any] = dict(prefill or {})
    errors: dict[str, str] = {}
    for step in flow.steps:
        view = View(answers, ctx, meta or {})
        if step.kind is Kind.REVIEW or not step.in_form or not applies(step, view):
            continue
        if step.id in answers and step.id not in raw:
            continue  # known without asking (the person's team)
        value = raw.get(step.id)
        try:
            answers[step.id] = read_form_value(step, value, view)
        except Invalid as problem:
            errors[step.id] = ctx.t(problem.key, **problem.values)
    return answers, errors


def read_form_value(step: Step, value: str | list[str] | None, view: View) -> Any:
    if step.kind is Kind.MULTI:
        chosen = value if isinstance(value, list) else []
        known = [c.value for c in options_of(step, view)]
        if not chosen or any(v not in known for v in chosen):
            raise Invalid("engine.multi_empty")
        return [v for v in known if v in chosen]
    text = value if isinstance(value, str) else ""
    cleaned = clean_text(text)  # what the conversation would read: "" when nothing shows
    if not cleaned:
        if step.skippable:
            return None
        raise Invalid("engine.required")
    options = {c.value for c in options_of(step, view)}
    kind = InboundKind.CHOICE if text in options else InboundKind.TEXT
    event = Inbound("form", "form", "form", kind, text=text, choices=(text,))
    return read_answer(step, event, cleaned if kind is InboundKind.TEXT else "", view)


# ---- reading answers ----------------------------------------------------------------------


def read_answer(step: Step, event: Inbound, text: str, view: View) -> Any:
    options = options_of(step, view)
    if event.kind is InboundKind.CHOICE:
        value = event.choices[0] if event.choices else ""
        chosen = next((c for c in options if c.value == value), None)
        if chosen is not None:
            return chosen_answer(step, chosen, view)
        if step.parse is None or not value:
            raise Invalid("engine.pick_option")
        # A button offered when the typed answer was read two ways ("03:00 or 15:00?"):
        # its value is the answer spelled out, read by the same rules as typed text.
        return step.parse(value, view)
    if not options:
        return _typed(step, text, view)
    if step.kind in (Kind.TEXT, Kind.DATE) or step.parse is not None:
        # A date or free text: an option only when it is named outright ("gisteren"),
        # never a near miss of one ("gisteren 5u" is a date, not a typo of "Gisteren").
        exact = understand(options, text, view, fuzzy=False)
        if exact.chosen is not None:
            return chosen_answer(step, exact.chosen, view)
        try:
            return _typed(step, text, view)
        except Invalid as problem:
            near = understand(options, text, view)
            if near.chosen is not None and not problem.choices:
                return chosen_answer(step, near.chosen, view)
            raise
    reading = understand(options, text, view)
    if reading.chosen is not None:
        return chosen_answer(step, reading.chosen, view)
    if reading.closest:
        raise Invalid("engine.closest", choices=reading.closest)
    raise Invalid("engine.pick_option")


def _typed(step: Step, text: str, view: View) -> Any:
    if step.kind not in (Kind.TEXT, Kind.DATE) and step.parse is None:
        raise Invalid("engine.pick_option")
    if not text:
        raise Invalid("engine.text_empty")
    limit = min(step.max_length, view.ctx.max_text)
    if len(text) > limit:
        raise Invalid("engine.text_too_long", length=len(text), limit=limit)
    return step.parse(text, view) if step.parse else text


def chosen_answer(step: Step, chosen: Choice, view: View) -> Any:
    if chosen.value == SKIP:
        return None
    return step.convert(chosen.value, view) if step.convert else chosen.value


# ---- matching a typed text to an option ---------------------------------------------------

# rapidfuzz's ``ratio`` (0-100, the normalised indel similarity). 85 lets through one typo in
# a word of five letters or more ("agresie"/"agressie" 93, "lesel"/"letsel" 91, "nord"/"noord"
# 89) and stops at two in a short word ("valt"/"vaak" 50); the best option must also beat the
# next by MARGIN, or the person is asked which one they meant.
ACCEPT = 85
ACCEPT_WHOLE = 90  # a whole answer against a whole label: "val medicatiefout" is not a typo
MARGIN = 10
# An option at least this close (WRatio, which also weighs a part of a longer label) is
# offered when nothing is certain; names of one or two letters ("no") are too short to weigh.
SUGGEST = 65
MOST_OFFERED = 3
FUZZY_MIN_LENGTH = 4  # shorter words only match exactly ("ja", "nee", "ik")
# Words that add nothing to which option is meant ("nee hoor", "de vertrouwenspersoon").
FILLER = frozenset(
    {"de", "het", "een", "je", "mijn", "maar", "hoor", "gewoon", "toch", "dan", "graag", "dus"}
    | {"eh", "uh", "the", "a", "an", "my", "please"}
)
# A word that turns a meaning round is never read as a near miss of another ("niemand" is
# not a typo of "iemand").
NEGATIONS = frozenset(
    ("niet", "geen", "niemand", "niets", "niks", "nooit", "not", "no", "none", "nobody", "never")
)
# Where one line names several options of a multi-choice: "val en medicatie", "val, medicatie".
SEPARATORS = re.compile(r"\s*(?:[,;/+&]|\ben\b|\band\b|\bplus\b)\s*")
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Reading:
    """What a typed text names: one option, or (when unsure) the closest few, or nothing."""

    chosen: Choice | None = None
    closest: tuple[Choice, ...] = ()


def match(options: Sequence[Choice], text: str, view: View) -> Choice | None:
    """The option a typed text names (see :func:`understand`), or None."""
    return understand(options, text, view).chosen


def understand(options: Sequence[Choice], text: str, view: View, fuzzy: bool = True) -> Reading:
    """The option a typed text names, the way a person means it.

    In order: the option's number; its label in any language, its value, an alias or a
    catalogue synonym (``<label>.synonyms``); every typed word found in one option's label
    ("licht" → "Ja, licht letsel"); then, with ``fuzzy``, the same with a typo. When two or
    more options fit equally, none is chosen and those are the closest; an answer that fits
    nothing gets the options most like it (none when nothing is alike).
    """
    typed = _key(text)
    if not typed:
        return Reading()
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return Reading(options[int(typed) - 1])
    names = [(choice, _names(choice)) for choice in options]
    words = [w for w in typed.split() if w not in FILLER] or typed.split()
    said = {typed, " ".join(words), typed.replace(" ", "")}  # "de bewoner", "medicatie fout"
    exact = [c for c, ns in names if said & (ns | {n.replace(" ", "") for n in ns})]
    if exact:
        return _one_of(exact)
    by_words = [c for c in options if _has_words(words, _label_words(c), fuzzy=False)]
    if by_words:
        return _one_of(by_words)
    if not fuzzy:
        return Reading()
    by_words = [c for c in options if _has_words(words, _label_words(c), fuzzy=True)]
    if by_words:
        return _one_of(by_words)
    if len(typed) >= FUZZY_MIN_LENGTH and not NEGATIONS.intersection(typed.split()):
        scores = sorted(
            ((max(fuzz.ratio(typed, n) for n in ns), i) for i, (_, ns) in enumerate(names)),
            reverse=True,
        )
        best, second = scores[0][0], scores[1][0] if len(scores) > 1 else 0.0
        if best >= ACCEPT_WHOLE and best - second >= MARGIN:
            return Reading(options[scores[0][1]])
    return Reading(closest=_closest(typed, names))


def _one_of(found: list[Choice]) -> Reading:
    return Reading(found[0]) if len(found) == 1 else Reading(closest=tuple(found))


def _closest(typed: str, names: list[tuple[Choice, set[str]]]) -> tuple[Choice, ...]:
    if NEGATIONS.intersection(typed.split()):
        return ()
    scored = sorted(
        (
            (max((fuzz.WRatio(typed, n) for n in ns if len(n) > 2), default=0), i)
            for i, (_, ns) in enumerate(names)
        ),
        reverse=True,
    )
    near = [names[i][0] for score, i in scored if score >= SUGGEST][:MOST_OFFERED]
    return tuple(near) if len(near) < len(names) else ()


def _key(text: str) -> str:
    """A typed text or a name as compared: folded, punctuation as spaces."""
    return " ".join(_NOT_WORD.sub(" ", fold(text).replace("'", "")).replace("_", " ").split())


def _names(choice: Choice) -> set[str]:
    names = {choice.value, *choice.aliases}
    if choice.literal:
        names.add(choice.label)
    else:
        names |= all_labels(choice.label) | synonyms(choice.label)
    return {_key(name) for name in names} - {""}


def _label_words(choice: Choice) -> set[str]:
    labels = {choice.label} if choice.literal else all_labels(choice.label)
    return {word for label in labels for word in _key(label).split()} - FILLER


def _has_words(typed: list[str], known: set[str], fuzzy: bool) -> bool:
    return bool(typed) and all(
        word in known
        or (
            fuzzy
            and len(word) >= FUZZY_MIN_LENGTH
            and word not in NEGATIONS
            and any(fuzz.ratio(word, k) >= ACCEPT for k in known if len(k) >= FUZZY_MIN_LENGTH)
        )
        for word in typed
    )


def split_choices(text: str) -> list[str]:
    """The parts of a line that names several options ("val en medicatie")."""
    return [part for part in SEPARATORS.split(text) if part.strip()]
