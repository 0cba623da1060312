"""A small, data-driven conversation engine.

A :class:`Flow` is a sequence of :class:`Step` declarations. :func:`turn` is a pure function:
(stored state, inbound event, context) → (new state, outbound messages, effects). The engine
knows nothing about messengers or databases; the state is a :class:`FlowState` (stored as
JSON by the caller, in the same transaction as the effects of the turn).

Universal words work at every step, in Dutch and English: ``terug``/``back`` (previous
question), ``stop``/``annuleren``/``cancel`` (discard the draft after a confirmation) and
``help``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.commands import BY_NAME, Name
from bot.domain.text import clean_text, fold
from bot.events import Inbound, InboundKind, Option, Outbound
from bot.flows.reading import match, read_answer, split_choices, understand, validate_form
from bot.flows.state import FlowState, Mode, validate_meta
from bot.flows.steps import (
    DEFAULT_MAX_TEXT,
    DONE,
    SKIP,
    Action,
    Cancelled,
    Choice,
    Completed,
    Context,
    Effect,
    Flow,
    Invalid,
    Kind,
    Options,
    Prompt,
    Step,
    TurnResult,
    View,
    applicable_answers,
    applies,
    is_known_step,
    options_of,
    token_of,
    view_of,
)
from bot.i18n import Translator

__all__ = [
    "DEFAULT_MAX_TEXT",
    "DONE",
    "SKIP",
    "Action",
    "Cancelled",
    "Choice",
    "Completed",
    "Context",
    "Effect",
    "Flow",
    "Invalid",
    "Kind",
    "Options",
    "Prompt",
    "Step",
    "TurnResult",
    "View",
    "command_argument",
    "command_word",
    "load",
    "resume",
    "start",
    "summary",
    "turn",
    "validate_form",
]

BACK_TO_SUMMARY = "_summary"
CHANGE_LINE = "_change:"  # a summary's button for one line: the prefix, then the step's id

BACK_WORDS = frozenset({"terug", "vorige", "back", "previous"})
CANCEL_WORDS = BY_NAME[Name.STOP].words
HELP_WORDS = BY_NAME[Name.HELP].words
DONE_WORDS = frozenset({"klaar", "done", "ok", "oke", "okay", "gereed"})


# ---- the engine ---------------------------------------------------------------------------


def start(
    flow: Flow,
    ctx: Context,
    meta: Mapping[str, Any] | None = None,
    prefill: Mapping | None = None,
    at: str | None = None,
) -> TurnResult:
    """Begin a conversation: the intro (if any) and the first applicable question (or the
    step ``at``, to ask one question again with the other answers kept)."""
    state = FlowState(
        flow.name, answers=dict(prefill or {}), meta=validate_meta(flow.meta_type, meta)
    )
    replies: list[Outbound] = []
    intro = flow.intro(state.meta)
    if intro:
        replies.append(Outbound(ctx.t(intro)))
    first = flow.step(at) if at else _next_step(flow, state, ctx, after=None)
    assert first is not None, "a flow needs at least one applicable step"
    replies.append(_go_to(flow, state, ctx, first))
    return TurnResult(state, replies)


def load(flow: Flow, stored: object) -> FlowState:
    """A stored state (any shape stored so far) for this flow, its meta checked against the
    flow's meta type. Raises :class:`Unreadable` when the flow cannot go on with it."""
    return FlowState.from_json(stored, flow.name, flow.meta_type)


def resume(flow: Flow, stored: FlowState, ctx: Context) -> TurnResult:
    """The current question again (after a restart, or when the person comes back). The
    state differs from the one given only when a draft from an older flow was repaired."""
    state = stored.copy()
    if not is_known_step(flow, state.step):
        return _repair(flow, state, ctx)
    return TurnResult(state, [_current_question(flow, state, ctx)])


def turn(flow: Flow, stored: FlowState, event: Inbound, ctx: Context) -> TurnResult:
    """One turn. Never raises on what a person sends; always returns a valid state."""
    state = stored.copy()
    if not is_known_step(flow, state.step):
        return _repair(flow, state, ctx)
    text = clean_text(event.text) if event.kind is not InboundKind.CHOICE else ""
    word = command_word(text)

    if event.kind is InboundKind.CHOICE and event.token != token_of(state):
        return TurnResult(
            state, [Outbound(ctx.t("engine.stale")), _current_question(flow, state, ctx)]
        )

    if word in HELP_WORDS:
        step = flow.step(str(state.step))
        lines = [ctx.t(step.help)] if step.help and not state.mode else []
        lines.append(ctx.t("engine.help"))
        return TurnResult(state, [Outbound("\n".join(lines)), _current_question(flow, state, ctx)])
    if word in CANCEL_WORDS and state.mode is not Mode.CONFIRM_CANCEL:
        state.mode = Mode.CONFIRM_CANCEL
        state.seq += 1
        return TurnResult(state, [_current_question(flow, state, ctx)])
    if word in BACK_WORDS and state.mode is None:
        return _back(flow, state, ctx)

    if event.kind is InboundKind.COMMAND:  # a command is never an answer to a question
        hint = Outbound(ctx.t("engine.unknown_command"))
        return TurnResult(state, [hint, _current_question(flow, state, ctx)])

    if state.mode is Mode.CONFIRM_CANCEL:
        return _confirm_cancel(flow, state, event, text, ctx)
    if state.mode is Mode.CHANGE_PICK:
        return _change_pick(flow, state, event, text, ctx)

    step = flow.step(str(state.step))
    view = view_of(state, ctx)
    try:
        if step.kind is Kind.MULTI:
            return _multi(flow, state, step, event, text, ctx)
        if step.kind is Kind.REVIEW:
            return _review(flow, state, step, event, text, ctx)
        answer = read_answer(step, event, text, view)
    except Invalid as problem:
        return _asked_back(flow, state, step, problem, ctx)
    state.answers[step.id] = answer
    if step.fills is not None:
        state.answers.update(step.fills(answer, view))
    return _advance(flow, state, ctx)


def _asked_back(
    flow: Flow, state: FlowState, step: Step, problem: Invalid, ctx: Context
) -> TurnResult:
    """An answer not understood: the hint, then the question again; or, when the answer was
    nearly understood, the few options it may mean as buttons (one tap), not the whole list."""
    hint = ctx.t(problem.key, **problem.values)
    if problem.choices and step.kind is Kind.MULTI:
        labels = ctx.t.join([_label(c, ctx.t) for c in problem.choices])
        hint = ctx.t("engine.closest_multi", options=labels)
    elif problem.choices:
        offered = tuple(Option(c.value, _label(c, ctx.t)) for c in problem.choices)
        return TurnResult(state, [Outbound(hint, offered, token=token_of(state))])
    return TurnResult(state, [Outbound(hint), _current_question(flow, state, ctx)])


def _repair(flow: Flow, state: FlowState, ctx: Context) -> TurnResult:
    """A draft from an older version of the flow: keep the answers, ask what is missing."""
    state.step, state.returning = None, True
    state.mode = None
    nxt = _next_step(flow, state, ctx, after=None) or flow.steps[-1]
    return TurnResult(state, [_go_to(flow, state, ctx, nxt)])


def command_word(text: str) -> str:
    """The word a person gave as a command: ``/Stop@vim_bot`` → ``stop``, ``terug`` → ``terug``.

    Plain text counts only when it is a single word, so a sentence is never a command.
    """
    stripped = text.strip()
    if stripped.startswith("/"):
        first = stripped[1:].split(maxsplit=1)[0] if len(stripped) > 1 else ""
        return fold(first.split("@", 1)[0])
    return fold(stripped) if len(stripped.split()) == 1 else ""


def command_argument(text: str) -> str:
    """What follows a command: ``/status ABCD-1234`` → ``ABCD-1234``."""
    parts = text.strip().split(maxsplit=1)
    return parts[1] if len(parts) == 2 and parts[0].startswith("/") else ""


# ---- multi-choice, review, cancel and change ----------------------------------------------


def _multi(
    flow: Flow, state: FlowState, step: Step, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    view = view_of(state, ctx)
    options = options_of(step, view)
    known = {c.value for c in options}
    selection: list[str] = list(state.selection or [])
    if event.kind is InboundKind.CHOICE:
        picks = [v for v in event.choices if v in known or v == DONE]
        if len(picks) != len(event.choices) or not picks:
            raise Invalid("engine.pick_option")
    elif fold(text) in DONE_WORDS:
        picks = [DONE]
    else:
        picks = _typed_picks(options, text, view)
    done = DONE in picks
    for value in picks:
        if value == DONE:
            continue
        if value in selection:
            selection.remove(value)
        else:
            selection.append(value)
    # keep the options' order, whatever order they were tapped in
    state.selection = [c.value for c in options if c.value in selection]
    if not done:
        question = replace(_current_question(flow, state, ctx), edit=True)
        return TurnResult(state, [question])
    if not state.selection:
        return TurnResult(
            state, [Outbound(ctx.t("engine.multi_empty")), _current_question(flow, state, ctx)]
        )
    state.answers[step.id] = state.selection
    return _advance(flow, state, ctx)


def _typed_picks(options: Sequence[Choice], text: str, view: View) -> list[str]:
    """The options one typed line names: one ("medicatiefout") or several ("val en
    medicatie"). A part that is not understood asks back, with what it may mean."""
    whole = understand(options, text, view, fuzzy=False)
    if whole.chosen is not None:
        return [whole.chosen.value]
    parts = split_choices(text)
    if len(parts) < 2:
        whole = understand(options, text, view)
        if whole.chosen is not None:
            return [whole.chosen.value]
        raise Invalid("engine.closest" if whole.closest else "engine.pick_option", whole.closest)
    picks: list[str] = []
    for part in parts:
        reading = understand(options, part, view)
        if reading.chosen is None:
            key = "engine.closest" if reading.closest else "engine.pick_option"
            raise Invalid(key, reading.closest)
        if reading.chosen.value not in picks:
            picks.append(reading.chosen.value)
    return picks


def _review(
    flow: Flow, state: FlowState, step: Step, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    view = view_of(state, ctx)
    options = (*options_of(step, view), *_line_choices(flow, state, ctx, step))
    if event.kind is InboundKind.CHOICE:
        chosen = next((c for c in options if event.choices and c.value == event.choices[0]), None)
    else:
        chosen = match(options, text, view)
    if chosen is not None and chosen.value.startswith(CHANGE_LINE):
        state.returning = True
        return TurnResult(
            state, [_go_to(flow, state, ctx, flow.step(chosen.value[len(CHANGE_LINE) :]))]
        )
    if chosen is None or chosen.action is None:
        raise Invalid("engine.pick_option")
    if chosen.action is Action.CANCEL:
        state.mode = Mode.CONFIRM_CANCEL
        state.seq += 1
        return TurnResult(state, [_current_question(flow, state, ctx)])
    if chosen.action is Action.CHANGE:
        state.mode = Mode.CHANGE_PICK
        state.seq += 1
        return TurnResult(state, [_current_question(flow, state, ctx)])
    anonymous = chosen.action is Action.COMPLETE_ANONYMOUS
    return TurnResult(None, [], [Completed(applicable_answers(flow, state, ctx), anonymous)])


def _canceloptions_of() -> tuple[Choice, ...]:
    return (
        Choice("yes", "engine.cancel_yes", aliases=("ja", "yes", "j", "y")),
        Choice("no", "engine.cancel_no", aliases=("nee", "no", "n", "doorgaan", "verder")),
    )


def _confirm_cancel(
    flow: Flow, state: FlowState, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    view = view_of(state, ctx)
    if event.kind is InboundKind.CHOICE:
        chosen = next((c for c in _canceloptions_of() if c.value in event.choices), None)
    else:
        chosen = match(_canceloptions_of(), text, view)
    if chosen is None:
        hint = Outbound(ctx.t("engine.pick_option"))
        return TurnResult(state, [hint, _current_question(flow, state, ctx)])
    if chosen.value == "yes":
        return TurnResult(None, [Outbound(ctx.t("engine.cancelled"))], [Cancelled()])
    state.mode = None
    state.seq += 1
    return TurnResult(state, [_current_question(flow, state, ctx)])


def _changeoptions_of(flow: Flow, state: FlowState, ctx: Context) -> tuple[Choice, ...]:
    view = view_of(state, ctx)
    redoable = [
        Choice(step.id, step.field)
        for step in flow.steps
        if step.field and step.kind is not Kind.REVIEW and applies(step, view)
    ]
    return (*redoable, Choice(BACK_TO_SUMMARY, "engine.back_to_summary"))


def _line_choices(flow: Flow, state: FlowState, ctx: Context, review: Step) -> tuple[Choice, ...]:
    """A review's buttons for its lines, one per line of the summary (when it offers them)."""
    if not review.change_lines:
        return ()
    t = ctx.t
    return tuple(
        Choice(
            f"{CHANGE_LINE}{step.id}", t("engine.change_line", field=t(step.field)), literal=True
        )
        for step in _summary_steps(flow, state, ctx)
        if step.field
    )


def _change_pick(
    flow: Flow, state: FlowState, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    options = _changeoptions_of(flow, state, ctx)
    if event.kind is InboundKind.CHOICE:
        chosen = next((c for c in options if c.value in event.choices), None)
    else:
        chosen = match(options, text, view_of(state, ctx))
    if chosen is None:
        hint = Outbound(ctx.t("engine.pick_option"))
        return TurnResult(state, [hint, _current_question(flow, state, ctx)])
    state.mode = None
    if chosen.value == BACK_TO_SUMMARY:
        state.seq += 1
        return TurnResult(state, [_current_question(flow, state, ctx)])
    state.returning = True
    return TurnResult(state, [_go_to(flow, state, ctx, flow.step(chosen.value))])


def _back(flow: Flow, state: FlowState, ctx: Context) -> TurnResult:
    history = state.history
    if len(history) < 2:
        return TurnResult(
            state, [Outbound(ctx.t("engine.back_first")), _current_question(flow, state, ctx)]
        )
    history.pop()
    previous = flow.step(history.pop())
    return TurnResult(state, [_go_to(flow, state, ctx, previous)])


# ---- moving through the steps -------------------------------------------------------------


def _advance(flow: Flow, state: FlowState, ctx: Context) -> TurnResult:
    """The next applicable question; when none is left, the answers complete the flow (a
    flow without a review, or whose review does not apply, ends with its last answer)."""
    nxt = _next_step(flow, state, ctx, after=state.step)
    if nxt is None:
        return TurnResult(None, [], [Completed(applicable_answers(flow, state, ctx), False)])
    if nxt.kind is Kind.REVIEW:
        state.returning = False
    return TurnResult(state, [_go_to(flow, state, ctx, nxt)])


def _next_step(flow: Flow, state: FlowState, ctx: Context, after: str | None) -> Step | None:
    view = view_of(state, ctx)
    start_at = 0 if after is None else flow.index(after) + 1
    for step in flow.steps[start_at:]:
        if not applies(step, view) or (step.ask is not None and not step.ask(view)):
            continue
        # Coming back from the summary, only questions that still lack an answer are asked.
        if state.returning and step.kind is not Kind.REVIEW and step.id in state.answers:
            continue
        return step
    return None


def _go_to(flow: Flow, state: FlowState, ctx: Context, step: Step) -> Outbound:
    state.step = step.id
    state.seq += 1
    state.history.append(step.id)
    if step.kind is Kind.MULTI:
        view = view_of(state, ctx)
        previous = state.answers.get(step.id)
        chosen = (
            previous
            if previous is not None
            else list(step.preselect(view) if step.preselect else [])
        )
        known = {c.value for c in options_of(step, view)}
        state.selection = [v for v in chosen if v in known]
    else:
        state.selection = None
    return _current_question(flow, state, ctx)


def _current_question(flow: Flow, state: FlowState, ctx: Context) -> Outbound:
    t = ctx.t
    token = token_of(state)
    if state.mode is Mode.CONFIRM_CANCEL:
        return _render(t("engine.cancel_confirm"), _canceloptions_of(), t, token)
    if state.mode is Mode.CHANGE_PICK:
        return _render(t("engine.change_pick"), _changeoptions_of(flow, state, ctx), t, token)
    step = flow.step(str(state.step))
    view = view_of(state, ctx)
    values = step.prompt_values(view) if step.prompt_values else {}
    prompt = t(step.prompt(view) if callable(step.prompt) else step.prompt, **values)
    options = list(options_of(step, view))
    if step.kind is Kind.REVIEW:
        prompt = prompt + "\n\n" + summary(flow, state, ctx)
        lines = _line_choices(flow, state, ctx, step)
        if lines:  # the lines' buttons in place of "change"
            at = next((i for i, c in enumerate(options) if c.action is Action.CHANGE), 0)
            options[at : at + 1] = lines
    if step.kind is Kind.MULTI:
        selected = set(state.selection or [])
        return Outbound(
            prompt,
            tuple(Option(c.value, _label(c, t), c.value in selected) for c in options),
            multi=True,
            token=token,
            done_label=t("engine.done"),
        )
    return _render(prompt, options, t, token)


def _render(text: str, options: Sequence[Choice], t: Translator, token: str) -> Outbound:
    return Outbound(text, tuple(Option(c.value, _label(c, t)) for c in options), token=token)


def _label(choice: Choice, t: Translator) -> str:
    return choice.label if choice.literal else t(choice.label)


def summary(flow: Flow, state: FlowState, ctx: Context) -> str:
    """One line per answered question, as the person will check it before sending."""
    view = view_of(state, ctx)
    return "\n".join(
        f"{ctx.t(step.field)}: {_show(step, view.answers[step.id], view)}"
        for step in _summary_steps(flow, state, ctx)
        if step.field
    )


def _summary_steps(flow: Flow, state: FlowState, ctx: Context) -> list[Step]:
    """The steps the summary shows a line for, in order."""
    view = view_of(state, ctx)
    return [
        step
        for step in flow.steps
        if step.field
        and step.kind is not Kind.REVIEW
        and applies(step, view)
        and step.id in view.answers
    ]


def _show(step: Step, value: Any, view: View) -> str:
    t = view.ctx.t
    if value is None or value == [] or value == "":
        return t("field.empty")
    if step.show:
        return step.show(value, view)
    options = {c.value: c for c in options_of(step, view)}
    if isinstance(value, list):
        return ", ".join(_label(options[v], t) if v in options else str(v) for v in value)
    if isinstance(value, str) and value in options:
        return _label(options[value], t)
    return str(value)
