"""The declarations a conversation is made of — steps, flows, the context a turn sees, the
effects it returns — and the small rules on them that the engine and the readers share."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.events import Outbound
from bot.flows.state import AnyMeta, FlowState
from bot.i18n import Translator

DONE = "_done"  # value of the button that confirms a multi-choice
SKIP = "_skip"  # value of the button that skips an optional text step
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

    def __init__(self, key: str, choices: tuple[Choice, ...] = (), **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        # When the answer was nearly understood: the few options it may mean, offered as
        # buttons instead of the whole list again.
        self.choices = choices


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
    # The conversation asks this step only when true (its answer may have come with an earlier
    # answer, see ``fills``); it still applies: the summary shows it and it can be changed.
    ask: Callable[[View], bool] | None = None
    # Further answers that come with this one (one tap confirming two suggestions).
    fills: Callable[[Any, View], Mapping[str, Any]] | None = None
    # The values the prompt's text is filled in with.
    prompt_values: Callable[[View], Mapping[str, object]] | None = None
    # REVIEW: one button per line of the summary ("Wijzig: Letsel") goes straight to that
    # question, in place of the "change" button (typing "aanpassen" still opens the menu).
    change_lines: bool = False


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


# ---- rules on the declarations ---------------------------------------------------------


def applicable_answers(flow: Flow, state: FlowState, ctx: Context) -> dict[str, Any]:
    view = view_of(state, ctx)
    return {
        step.id: view.answers[step.id]
        for step in flow.steps
        if step.id in view.answers and applies(step, view)
    }


def applies(step: Step, view: View) -> bool:
    return step.when is None or bool(step.when(view))


def options_of(step: Step, view: View) -> Sequence[Choice]:
    options = step.options(view) if callable(step.options) else step.options
    if step.skippable:
        words = ("skip", "overslaan", "nee", "klaar", "done")
        return (*options, Choice(SKIP, step.skip_label, aliases=words))
    return options


def view_of(state: FlowState, ctx: Context) -> View:
    return View(state.answers, ctx, state.meta)


def token_of(state: FlowState) -> str:
    """Identifies the question on screen; a button carrying another token is stale."""
    return f"{state.step}.{state.seq}"


def is_known_step(flow: Flow, step_id: object) -> bool:
    return any(step.id == step_id for step in flow.steps)
