"""The engine on a tiny flow: universal words, stale buttons, skips, multi-choice, repair."""

from __future__ import annotations

from dataclasses import replace

from bot.events import Inbound, InboundKind
from bot.flows.engine import (
    DONE,
    SKIP,
    Action,
    Cancelled,
    Choice,
    Completed,
    Context,
    Flow,
    Kind,
    Step,
    TurnResult,
    start,
    turn,
)
from bot.flows.state import FlowState
from bot.i18n import Translator
from tests.helpers import NOW

FLOW = Flow(
    "test",
    (
        Step(
            "pet",
            Kind.CHOICE,
            "answer.yes",
            (Choice("cat", "Kat", literal=True), Choice("dog", "Hond", literal=True)),
            field="field.what",
        ),
        Step(
            "bark",
            Kind.TEXT,
            "answer.no",
            when=lambda v: v.answers.get("pet") == "dog",
            field="field.when",
            max_length=20,
        ),
        Step(
            "colours",
            Kind.MULTI,
            "answer.yes",
            (Choice("red", "Rood", literal=True), Choice("blue", "Blauw", literal=True)),
            field="field.categories",
            preselect=lambda v: ["blue"],
        ),
        Step("note", Kind.TEXT, "answer.no", field="field.measures", skippable=True),
        Step(
            "review",
            Kind.REVIEW,
            "step.summary.prompt",
            (
                Choice("send", "summary.send", Action.COMPLETE),
                Choice("change", "summary.change", Action.CHANGE),
                Choice("cancel", "summary.cancel", Action.CANCEL),
            ),
        ),
    ),
)
CTX = Context(Translator("nl"), NOW)


class Driver:
    def __init__(self) -> None:
        self.result: TurnResult = start(FLOW, CTX)

    @property
    def state(self) -> FlowState:
        assert self.result.state is not None
        return self.result.state

    @property
    def step(self) -> str:
        assert self.state.step is not None
        return self.state.step

    def say(self, text: str) -> TurnResult:
        event = Inbound("t", "c", "u", InboundKind.TEXT, text=text)
        self.result = turn(FLOW, self.state, event, CTX)
        return self.result

    def tap(self, *values: str, token: str | None = None) -> TurnResult:
        question = self.result.replies[-1]
        event = Inbound(
            "t", "c", "u", InboundKind.CHOICE, choices=values, token=token or question.token
        )
        self.result = turn(FLOW, self.state, event, CTX)
        return self.result


def test_condition_skips_a_step_and_completion_has_only_applicable_answers() -> None:
    d = Driver()
    d.tap("cat")
    assert d.step == "colours"  # "bark" applies to dogs only
    d.tap(DONE)
    d.tap(SKIP)
    assert d.step == "review"
    result = d.tap("send")
    assert result.state is None
    assert result.effects == [Completed({"pet": "cat", "colours": ["blue"], "note": None}, False)]


def test_back_returns_to_previous_question_and_first_question_says_so() -> None:
    d = Driver()
    d.say("terug")
    assert d.step == "pet"
    assert "eerste vraag" in d.result.replies[0].text
    d.tap("dog")
    assert d.step == "bark"
    d.say("back")
    assert d.step == "pet"


def test_cancel_asks_for_confirmation_then_discards() -> None:
    d = Driver()
    d.tap("dog")
    d.say("stop")
    assert "Wil je stoppen" in d.result.replies[-1].text
    d.say("nee")  # keep going: back at the same question
    assert d.step == "bark" and d.state.mode is None
    d.say("annuleren")
    result = d.tap("yes")
    assert result.state is None and result.effects == [Cancelled()]


def test_help_explains_and_repeats_the_question() -> None:
    d = Driver()
    result = d.say("help")
    assert "terug" in result.replies[0].text
    assert result.replies[-1].options  # the question again
    assert d.step == "pet"


def test_stale_button_is_refused_and_current_question_repeated() -> None:
    d = Driver()
    old_token = d.result.replies[-1].token
    d.tap("dog")
    result = d.tap("cat", token=old_token)
    assert "al voorbij" in result.replies[0].text
    assert d.state.answers["pet"] == "dog"
    assert d.step == "bark"


def test_unexpected_answer_gets_a_hint_and_the_question_again() -> None:
    d = Driver()
    result = d.say("paard")
    assert "herken ik niet" in result.replies[0].text
    assert d.step == "pet"
    d.say("HOND")  # labels are matched case-insensitively
    assert d.step == "bark"


def test_text_limits_empty_and_control_characters() -> None:
    d = Driver()
    d.tap("dog")
    assert "te lang" in d.say("w" * 21).replies[0].text
    assert "nog geen tekst" in d.say("\x00\x07  ").replies[0].text
    d.say("Woef 🐶\x1b")
    assert d.state.answers["bark"] == "Woef 🐶"


def test_multi_choice_toggles_keeps_order_and_needs_one() -> None:
    d = Driver()
    d.tap("cat")
    assert [o.selected for o in d.result.replies[-1].options] == [False, True]  # preselected
    result = d.tap("blue")
    assert result.replies[-1].edit  # re-rendered in place
    assert "minstens één" in d.tap(DONE).replies[0].text
    d.say("blauw, rood")
    assert d.state.selection == ["red", "blue"]
    d.say("klaar")
    assert d.state.answers["colours"] == ["red", "blue"]


def test_change_from_review_asks_newly_applicable_steps_and_returns() -> None:
    d = Driver()
    d.tap("cat")
    d.tap(DONE)
    d.say("een notitie")
    d.tap("change")
    d.tap("pet")
    d.tap("dog")
    assert d.step == "bark"  # newly applicable, so asked
    d.say("woef")
    assert d.step == "review"  # the rest was answered already


def test_state_from_an_older_flow_is_repaired_not_lost() -> None:
    d = Driver()
    d.tap("cat")
    broken = replace(d.state, step="removed-step")
    result = turn(FLOW, broken, Inbound("t", "c", "u", InboundKind.TEXT, text="x"), CTX)
    assert result.state is not None
    assert result.state.answers["pet"] == "cat"
    assert result.state.step == "colours"


def test_a_command_is_never_taken_as_an_answer() -> None:
    d = Driver()
    d.tap("dog")
    d.result = turn(FLOW, d.state, Inbound("t", "c", "u", InboundKind.COMMAND, text="/status"), CTX)
    assert "commando" in d.result.replies[0].text
    assert "bark" not in d.state.answers and d.step == "bark"
    d.result = turn(FLOW, d.state, Inbound("t", "c", "u", InboundKind.COMMAND, text="/stop"), CTX)
    assert d.state.mode == "confirm_cancel"  # universal words still work as commands
