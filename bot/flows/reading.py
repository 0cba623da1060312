"""Reading what a person answered — a tap, a typed word, a whole form — into the answer a
step stores, by the same rules in the conversation and in a one-page form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
from bot.i18n import all_labels


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
        if chosen is None:
            raise Invalid("engine.pick_option")
        return chosen_answer(step, chosen, view)
    if options:
        chosen = match(options, text, view)
        if chosen is not None:
            return chosen_answer(step, chosen, view)
    if step.kind in (Kind.TEXT, Kind.DATE) or step.parse is not None:
        if not text:
            raise Invalid("engine.text_empty")
        limit = min(step.max_length, view.ctx.max_text)
        if len(text) > limit:
            raise Invalid("engine.text_too_long", length=len(text), limit=limit)
        return step.parse(text, view) if step.parse else text
    raise Invalid("engine.pick_option")


def chosen_answer(step: Step, chosen: Choice, view: View) -> Any:
    if chosen.value == SKIP:
        return None
    return step.convert(chosen.value, view) if step.convert else chosen.value


def match(options: Sequence[Choice], text: str, view: View) -> Choice | None:
    """The option a typed text names: its label in any language, its value, or an alias."""
    typed = fold(text)
    if not typed:
        return None
    for choice in options:
        names = {choice.value, *choice.aliases}
        names |= {choice.label} if choice.literal else all_labels(choice.label)
        if typed in {fold(name) for name in names}:
            return choice
    return None
