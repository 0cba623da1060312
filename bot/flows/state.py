"""A conversation's state, typed: where the person is in a flow, what they answered, and what
the flow was told when it started (its ``meta``).

The state is stored as JSON in the chat's conversation row. :meth:`FlowState.from_json` reads
every shape stored so far (a missing key gets its default, an unknown key is ignored, a value
of the wrong kind falls back to its default where the flow can go on without it) and checks the
``meta`` against the type its flow declares. What cannot be read raises :class:`Unreadable`,
so the turn can end the draft kindly instead of failing on every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only on 3.12+


class Mode(StrEnum):
    """What the question on screen is about, when it is not the current step's question."""

    CONFIRM_CANCEL = "confirm_cancel"  # "Stop: are you sure?"
    CHANGE_PICK = "change_pick"  # "Which answer do you want to change?"


class Unreadable(ValueError):
    """A stored state the flow cannot go on with; ``part`` says which part (never its value)."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


# ---- what each flow is told when it starts (its ``meta``) ---------------------------------

AnyMeta = dict[str, Any]  # a flow that declares nothing particular


class ReportMeta(TypedDict, total=False):
    anonymous: bool  # started with /anoniem: the anonymous choice comes first


class ReplyByCode(TypedDict):
    """An anonymous reporter's answer: the code is typed again as the last answer."""

    by_code: Literal[True]


class ReplyToReport(TypedDict):
    """A named reporter's answer about their own report."""

    report: str


ReplyMeta = ReplyByCode | ReplyToReport


class CaseMeta(TypedDict):
    """A case conversation is about one report."""

    report: str


class TriageMeta(CaseMeta, total=False):
    """Hints for the suggestion to investigate further."""

    near_miss: bool
    same_category_this_month: int
    category_threshold: int


class AnalysisMeta(CaseMeta, total=False):
    investigation: bool  # triaged for investigation or as a possible calamity (§6.6)


class ActionMeta(CaseMeta, total=False):
    owners: list[tuple[str, str]]  # (address, label) of who may own the action


class DropActionMeta(TypedDict):
    action_id: int


@cache
def _adapter(meta_type: Any) -> TypeAdapter[Any]:
    return TypeAdapter(meta_type)


def validate_meta(meta_type: Any, raw: object) -> dict[str, Any]:
    """``raw`` as the flow's meta type; :class:`Unreadable` when it does not fit."""
    try:
        return dict(_adapter(meta_type).validate_python({} if raw is None else raw))
    except (ValidationError, TypeError, ValueError) as error:
        raise Unreadable("meta") from error


# ---- the state --------------------------------------------------------------------------


@dataclass(slots=True)
class FlowState:
    """Where a conversation is. The engine copies it before it changes anything."""

    flow: str
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # the steps asked, to go back
    seq: int = 0  # counts the questions shown: a button of an older one is stale
    mode: Mode | None = None
    returning: bool = False  # back from the summary: ask only what lacks an answer
    selection: list[str] | None = None  # a multi-choice's ticks so far
    meta: dict[str, Any] = field(default_factory=dict)
    reminded: bool = False  # the person was reminded of this unsent draft

    def copy(self) -> FlowState:
        return FlowState(
            self.flow,
            self.step,
            dict(self.answers),
            list(self.history),
            self.seq,
            self.mode,
            self.returning,
            None if self.selection is None else list(self.selection),
            dict(self.meta),
            self.reminded,
        )

    def to_json(self) -> dict[str, Any]:
        """The stored shape, as every version so far wrote it (``reminded`` only once set)."""
        stored: dict[str, Any] = {
            "flow": self.flow,
            "step": self.step,
            "answers": to_jsonable_python(self.answers),
            "history": list(self.history),
            "seq": self.seq,
            "mode": None if self.mode is None else self.mode.value,
            "returning": self.returning,
            "selection": None if self.selection is None else list(self.selection),
            "meta": to_jsonable_python(self.meta),
        }
        if self.reminded:
            stored["reminded"] = True
        return stored

    @classmethod
    def from_json(cls, raw: object, flow: str, meta_type: Any = AnyMeta) -> FlowState:
        """A stored state of any shape so far, for ``flow`` (the row's flow column)."""
        if not isinstance(raw, Mapping):
            raise Unreadable("state")
        answers = raw.get("answers")
        if answers is None:
            answers = {}
        if not isinstance(answers, Mapping) or not all(isinstance(k, str) for k in answers):
            raise Unreadable("answers")
        step, history, seq = raw.get("step"), raw.get("history"), raw.get("seq")
        selection = raw.get("selection")
        return cls(
            flow=flow,
            step=step if isinstance(step, str) else None,
            answers=dict(answers),
            history=_strings(history) if isinstance(history, list) else [],
            seq=seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0 else 0,
            mode=_mode(raw.get("mode")),
            returning=raw.get("returning") is True,
            selection=_strings(selection) if isinstance(selection, list) else None,
            meta=validate_meta(meta_type, raw.get("meta")),
            reminded=raw.get("reminded") is True,
        )


def _strings(values: list[Any]) -> list[str]:
    return [value for value in values if isinstance(value, str)]


def _mode(value: object) -> Mode | None:
    """A mode this version does not know is read as answering the current question."""
    try:
        return Mode(value) if isinstance(value, str) else None
    except ValueError:
        return None
