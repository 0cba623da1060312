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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.commands import BY_NAME, Name
from bot.domain.text import clean_text, fold
from bot.events import Inbound, InboundKind, Option, Outbound
from bot.flows.state import AnyMeta, FlowState, Mode, validate_meta
from bot.i18n import Translator, all_labels

DONE = "_done"  # value of the button that confirms a multi-choice
SKIP = "_skip"  # value of the button that skips an optional text step
BACK_TO_SUMMARY = "_summary"

BACK_WORDS = frozenset({"terug", "vorige", "back", "previous"})
CANCEL_WORDS = BY_NAME[Name.STOP].words
HELP_WORDS = BY_NAME[Name.HELP].words
DONE_WORDS = frozenset({"klaar", "done", "ok", "oke", "okay", "gereed"})

DEFAULT_MAX_TEXT = 4000


class Kind(StrEnum):
    TEXT = "text"  # free text
    DATE = "date"  # a typed date/time, read by the flow's date reader
    CHOICE = "choice"  # one of the options
    MULTI = "multi"  # one or more of the options, confirmed with "Klaar"
    REVIEW = "review"  # the summary: every answer, then actions (send, change, cancel)


class Action(StrEnum):
    COMPLETE = "complete"
    COMPLETE_ANONYMOUS = "complete_anonymous"
    CHANGE = "change"
    CANCEL = "cancel"


class Invalid(ValueError):
    """An answer that can't be used; ``key`` is the hint shown, ``values`` fill it in."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str  # a message key, or the text itself when ``literal``
    action: Action | None = None
    aliases: tuple[str, ...] = ()  # extra typed words that pick this option
    literal: bool = False


@dataclass(frozen=True, slots=True)
class Context:
    """What a turn may know besides the stored state: language, time, and flow data."""

    t: Translator
    now_local: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    max_text: int = DEFAULT_MAX_TEXT  # the organisation's limit for any typed answer


@dataclass(frozen=True, slots=True)
class View:
    """What conditions, prompts and option lists see: the answers so far and the context."""

    answers: Mapping[str, Any]
    ctx: Context
    meta: Mapping[str, Any]


Prompt = str | Callable[[View], str]
Options = Sequence[Choice] | Callable[[View], Sequence[Choice]]


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    kind: Kind
    prompt: Prompt
    options: Options = ()
    when: Callable[[View], bool] | None = None  # the step is skipped when this is false
    field: str | None = None  # label key in the summary and the "change" menu
    help: str | None = None
    # CHOICE: turn a chosen option's value into the stored answer (e.g. "yesterday" → a date).
    convert: Callable[[str, View], Any] | None = None
    # TEXT/DATE/CHOICE: read typed text into the stored answer; raise Invalid to re-ask.
    parse: Callable[[str, View], Any] | None = None
    # MULTI: options ticked before the person taps anything (suggestions).
    preselect: Callable[[View], Sequence[str]] | None = None
    show: Callable[[Any, View], str] | None = None  # how the answer reads in the summary
    skippable: bool = False  # TEXT: offers a "skip" button (the answer is then None)
    skip_label: str = "engine.skip"  # the skip button's label ("Overslaan", or "Klaar")
    max_length: int = DEFAULT_MAX_TEXT
    in_form: bool = True  # part of the one-page form (a Slack modal) as well


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    intro: Callable[[Mapping[str, Any]], str | None] = lambda meta: None
    # What a confirmed flow leads to: the key of its completion handler (the turn's router
    # holds the handlers), so nothing dispatches on flow names.
    completes: str = ""
    # What the flow is told when it starts (a TypedDict): checked at the start and whenever
    # a stored state is loaded.
    meta_type: Any = AnyMeta

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.id == step_id)


# ---- effects: what the caller must do besides sending the replies ----------------------


@dataclass(frozen=True, slots=True)
class Completed:
    """The person sent the flow's result. ``answers`` holds only applicable steps."""

    answers: dict[str, Any]
    anonymous: bool


@dataclass(frozen=True, slots=True)
class Cancelled:
    pass


Effect = Completed | Cancelled


@dataclass(frozen=True, slots=True)
class TurnResult:
    state: FlowState | None  # None: the conversation is over (sent or cancelled)
    replies: list[Outbound]
    effects: list[Effect] = field(default_factory=list)


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
    if not _is_known_step(flow, state.step):
        return _repair(flow, state, ctx)
    return TurnResult(state, [_current_question(flow, state, ctx)])


def turn(flow: Flow, stored: FlowState, event: Inbound, ctx: Context) -> TurnResult:
    """One turn. Never raises on what a person sends; always returns a valid state."""
    state = stored.copy()
    if not _is_known_step(flow, state.step):
        return _repair(flow, state, ctx)
    text = clean_text(event.text) if event.kind is not InboundKind.CHOICE else ""
    word = command_word(text)

    if event.kind is InboundKind.CHOICE and event.token != _token(state):
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
    view = _view(state, ctx)
    try:
        if step.kind is Kind.MULTI:
            return _multi(flow, state, step, event, text, ctx)
        if step.kind is Kind.REVIEW:
            return _review(flow, state, step, event, text, ctx)
        answer = _read_answer(step, event, text, view)
    except Invalid as problem:
        hint = Outbound(ctx.t(problem.key, **problem.values))
        return TurnResult(state, [hint, _current_question(flow, state, ctx)])
    state.answers[step.id] = answer
    return _advance(flow, state, ctx)


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
        if step.kind is Kind.REVIEW or not step.in_form or not _applies(step, view):
            continue
        if step.id in answers and step.id not in raw:
            continue  # known without asking (the person's team)
        value = raw.get(step.id)
        try:
            answers[step.id] = _read_form_value(step, value, view)
        except Invalid as problem:
            errors[step.id] = ctx.t(problem.key, **problem.values)
    return answers, errors


def _read_form_value(step: Step, value: str | list[str] | None, view: View) -> Any:
    if step.kind is Kind.MULTI:
        chosen = value if isinstance(value, list) else []
        known = [c.value for c in _options(step, view)]
        if not chosen or any(v not in known for v in chosen):
            raise Invalid("engine.multi_empty")
        return [v for v in known if v in chosen]
    text = value if isinstance(value, str) else ""
    cleaned = clean_text(text)  # what the conversation would read: "" when nothing shows
    if not cleaned:
        if step.skippable:
            return None
        raise Invalid("engine.required")
    options = {c.value for c in _options(step, view)}
    kind = InboundKind.CHOICE if text in options else InboundKind.TEXT
    event = Inbound("form", "form", "form", kind, text=text, choices=(text,))
    return _read_answer(step, event, cleaned if kind is InboundKind.TEXT else "", view)


# ---- reading answers ----------------------------------------------------------------------


def _read_answer(step: Step, event: Inbound, text: str, view: View) -> Any:
    options = _options(step, view)
    if event.kind is InboundKind.CHOICE:
        value = event.choices[0] if event.choices else ""
        chosen = next((c for c in options if c.value == value), None)
        if chosen is None:
            raise Invalid("engine.pick_option")
        return _chosen(step, chosen, view)
    if options:
        chosen = _match(options, text, view)
        if chosen is not None:
            return _chosen(step, chosen, view)
    if step.kind in (Kind.TEXT, Kind.DATE) or step.parse is not None:
        if not text:
            raise Invalid("engine.text_empty")
        limit = min(step.max_length, view.ctx.max_text)
        if len(text) > limit:
            raise Invalid("engine.text_too_long", length=len(text), limit=limit)
        return step.parse(text, view) if step.parse else text
    raise Invalid("engine.pick_option")


def _chosen(step: Step, chosen: Choice, view: View) -> Any:
    if chosen.value == SKIP:
        return None
    return step.convert(chosen.value, view) if step.convert else chosen.value


def _match(options: Sequence[Choice], text: str, view: View) -> Choice | None:
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


# ---- multi-choice, review, cancel and change ----------------------------------------------


def _multi(
    flow: Flow, state: FlowState, step: Step, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    view = _view(state, ctx)
    options = _options(step, view)
    known = {c.value for c in options}
    selection: list[str] = list(state.selection or [])
    if event.kind is InboundKind.CHOICE:
        picks = [v for v in event.choices if v in known or v == DONE]
        if len(picks) != len(event.choices) or not picks:
            raise Invalid("engine.pick_option")
    elif fold(text) in DONE_WORDS:
        picks = [DONE]
    else:
        parts = [p for p in (s.strip() for s in text.replace(";", ",").split(",")) if p]
        matched = [_match(options, part, view) for part in parts]
        if not parts or any(m is None for m in matched):
            raise Invalid("engine.pick_option")
        picks = [m.value for m in matched if m is not None]
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


def _review(
    flow: Flow, state: FlowState, step: Step, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    view = _view(state, ctx)
    options = _options(step, view)
    if event.kind is InboundKind.CHOICE:
        chosen = next((c for c in options if event.choices and c.value == event.choices[0]), None)
    else:
        chosen = _match(options, text, view)
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
    return TurnResult(None, [], [Completed(_applicable_answers(flow, state, ctx), anonymous)])


def _cancel_options() -> tuple[Choice, ...]:
    return (
        Choice("yes", "engine.cancel_yes", aliases=("ja", "yes", "j", "y")),
        Choice("no", "engine.cancel_no", aliases=("nee", "no", "n", "doorgaan", "verder")),
    )


def _confirm_cancel(
    flow: Flow, state: FlowState, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    view = _view(state, ctx)
    if event.kind is InboundKind.CHOICE:
        chosen = next((c for c in _cancel_options() if c.value in event.choices), None)
    else:
        chosen = _match(_cancel_options(), text, view)
    if chosen is None:
        hint = Outbound(ctx.t("engine.pick_option"))
        return TurnResult(state, [hint, _current_question(flow, state, ctx)])
    if chosen.value == "yes":
        return TurnResult(None, [Outbound(ctx.t("engine.cancelled"))], [Cancelled()])
    state.mode = None
    state.seq += 1
    return TurnResult(state, [_current_question(flow, state, ctx)])


def _change_options(flow: Flow, state: FlowState, ctx: Context) -> tuple[Choice, ...]:
    view = _view(state, ctx)
    redoable = [
        Choice(step.id, step.field)
        for step in flow.steps
        if step.field and step.kind is not Kind.REVIEW and _applies(step, view)
    ]
    return (*redoable, Choice(BACK_TO_SUMMARY, "engine.back_to_summary"))


def _change_pick(
    flow: Flow, state: FlowState, event: Inbound, text: str, ctx: Context
) -> TurnResult:
    options = _change_options(flow, state, ctx)
    if event.kind is InboundKind.CHOICE:
        chosen = next((c for c in options if c.value in event.choices), None)
    else:
        chosen = _match(options, text, _view(state, ctx))
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
        return TurnResult(None, [], [Completed(_applicable_answers(flow, state, ctx), False)])
    if nxt.kind is Kind.REVIEW:
        state.returning = False
    return TurnResult(state, [_go_to(flow, state, ctx, nxt)])


def _next_step(flow: Flow, state: FlowState, ctx: Context, after: str | None) -> Step | None:
    view = _view(state, ctx)
    start_at = 0 if after is None else flow.index(after) + 1
    for step in flow.steps[start_at:]:
        if not _applies(step, view):
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
        view = _view(state, ctx)
        previous = state.answers.get(step.id)
        chosen = (
            previous
            if previous is not None
            else list(step.preselect(view) if step.preselect else [])
        )
        known = {c.value for c in _options(step, view)}
        state.selection = [v for v in chosen if v in known]
    else:
        state.selection = None
    return _current_question(flow, state, ctx)


def _current_question(flow: Flow, state: FlowState, ctx: Context) -> Outbound:
    t = ctx.t
    token = _token(state)
    if state.mode is Mode.CONFIRM_CANCEL:
        return _render(t("engine.cancel_confirm"), _cancel_options(), t, token)
    if state.mode is Mode.CHANGE_PICK:
        return _render(t("engine.change_pick"), _change_options(flow, state, ctx), t, token)
    step = flow.step(str(state.step))
    view = _view(state, ctx)
    prompt = t(step.prompt(view) if callable(step.prompt) else step.prompt)
    options = list(_options(step, view))
    if step.kind is Kind.REVIEW:
        prompt = prompt + "\n\n" + summary(flow, state, ctx)
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
    view = _view(state, ctx)
    lines = []
    for step in flow.steps:
        if not step.field or step.kind is Kind.REVIEW or not _applies(step, view):
            continue
        if step.id not in view.answers:
            continue
        lines.append(f"{ctx.t(step.field)}: {_show(step, view.answers[step.id], view)}")
    return "\n".join(lines)


def _show(step: Step, value: Any, view: View) -> str:
    t = view.ctx.t
    if value is None or value == [] or value == "":
        return t("field.empty")
    if step.show:
        return step.show(value, view)
    options = {c.value: c for c in _options(step, view)}
    if isinstance(value, list):
        return ", ".join(_label(options[v], t) if v in options else str(v) for v in value)
    if isinstance(value, str) and value in options:
        return _label(options[value], t)
    return str(value)


def _applicable_answers(flow: Flow, state: FlowState, ctx: Context) -> dict[str, Any]:
    view = _view(state, ctx)
    return {
        step.id: view.answers[step.id]
        for step in flow.steps
        if step.id in view.answers and _applies(step, view)
    }


def _applies(step: Step, view: View) -> bool:
    return step.when is None or bool(step.when(view))


def _options(step: Step, view: View) -> Sequence[Choice]:
    options = step.options(view) if callable(step.options) else step.options
    if step.skippable:
        words = ("skip", "overslaan", "nee", "klaar", "done")
        return (*options, Choice(SKIP, step.skip_label, aliases=words))
    return options


def _view(state: FlowState, ctx: Context) -> View:
    return View(state.answers, ctx, state.meta)


def _token(state: FlowState) -> str:
    """Identifies the question on screen; a button carrying another token is stale."""
    return f"{state.step}.{state.seq}"


def _is_known_step(flow: Flow, step_id: object) -> bool:
    return any(step.id == step_id for step in flow.steps)
