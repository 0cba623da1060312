"""An answer nearly understood gets the few options it may mean as buttons, one tap away."""

from __future__ import annotations

from bot.events import Inbound, InboundKind
from bot.flows.engine import Context, turn
from bot.flows.report import REPORT_FLOW
from bot.flows.state import FlowState
from bot.i18n import Translator
from tests.helpers import NOW

CTX = Context(Translator("nl"), NOW)


def _at(step: str) -> FlowState:
    return FlowState("report", step=step, history=[step], seq=3)


def test_an_unclear_answer_offers_the_closest_options_not_the_whole_list() -> None:
    result = turn(REPORT_FLOW, _at("harm"), Inbound("t", "c", "u", InboundKind.TEXT, "nee"), CTX)
    assert result.state is not None and "harm" not in result.state.answers
    [offer] = result.replies
    assert [o.value for o in offer.options] == ["near_miss", "none"]
    tap = Inbound("t", "c", "u", InboundKind.CHOICE, choices=("none",), token=offer.token)
    after = turn(REPORT_FLOW, result.state, tap, CTX)
    assert after.state is not None and after.state.answers["harm"] == "none"


def test_an_unrelated_answer_gets_the_whole_question_again() -> None:
    said = Inbound("t", "c", "u", InboundKind.TEXT, "banaan")
    result = turn(REPORT_FLOW, _at("contact"), said, CTX)
    hint, question = result.replies
    assert not hint.options and len(question.options) == 3


def test_several_choices_in_one_line_are_all_ticked() -> None:
    state = _at("categories")
    state.selection = []
    said = Inbound("t", "c", "u", InboundKind.TEXT, "val en medicatie")
    result = turn(REPORT_FLOW, state, said, CTX)
    assert result.state is not None
    assert result.state.selection == ["fall", "medication_error"]


def test_an_hour_that_may_be_night_or_day_is_asked_with_one_tap() -> None:
    said = Inbound("t", "c", "u", InboundKind.TEXT, "gister rond 3 uur")
    result = turn(REPORT_FLOW, _at("when"), said, CTX)
    assert result.state is not None and "when" not in result.state.answers
    [offer] = result.replies
    assert [o.value for o in offer.options] == ["2026-11-17 03:00", "2026-11-17 15:00"]
    tap = Inbound(
        "t", "c", "u", InboundKind.CHOICE, choices=("2026-11-17 15:00",), token=offer.token
    )
    after = turn(REPORT_FLOW, result.state, tap, CTX)
    assert after.state is not None
    assert after.state.answers["when"] == {"date": "2026-11-17", "time": "15:00"}
