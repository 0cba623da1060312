"""The typed state: every flow and mode round-trips through its stored JSON; every shape
stored so far loads; what cannot be read is refused by name, never by crashing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.events import Inbound, InboundKind
from bot.flows import engine
from bot.flows.casework import CASE_FLOWS
from bot.flows.engine import Context, Flow
from bot.flows.report import REPLY_FLOW, REPORT_FLOW
from bot.flows.state import FlowState, Mode, Unreadable
from bot.i18n import Translator
from tests.helpers import NOW
from tests.test_stored_state import (
    REPLY_BY_CODE_AT_CODE,
    REPLY_BY_REFERENCE_AT_TEXT,
    REPORT_AT_HARM,
    REPORT_PICKING_CATEGORIES,
    TRIAGE_AT_FREQUENCY,
    TRIAGE_CHANGING,
)

CTX = Context(Translator("nl"), NOW, {"teams": [("noord", "Wijkteam Noord")]})
FLOWS: dict[str, Flow] = {
    REPORT_FLOW.name: REPORT_FLOW,
    REPLY_FLOW.name: REPLY_FLOW,
    **CASE_FLOWS,
}
CASE = {"report": "VIM-2026-0001"}
# What each flow is told when it starts, as the code that starts it says it.
METAS: list[tuple[str, dict[str, Any]]] = [
    ("report", {"anonymous": True}),
    ("report", {"anonymous": False}),
    ("reply", {"by_code": True}),
    ("reply", {"report": "VIM-2026-0001"}),
    (
        "triage",
        {**CASE, "near_miss": True, "same_category_this_month": 2, "category_threshold": 5},
    ),
    ("analysis", {**CASE, "investigation": True}),
    (
        "action",
        {**CASE, "owners": [["shell:lead-noord", "Ikzelf"], ["shell:coord", "shell:coord"]]},
    ),
    ("feedback", CASE),
    ("established", CASE),
    ("igj", CASE),
    ("arbeidsinspectie", CASE),
    ("close_reason", CASE),
    ("drop_action", {"action_id": 3}),
    ("question", CASE),
    ("adviser_message", CASE),
    ("aftercare", CASE),
    ("retention_hold", CASE),
    ("progress_report", CASE),
]


def test_every_flow_has_a_sample_meta() -> None:
    assert {name for name, _ in METAS} == set(FLOWS)


def _stored(state: FlowState) -> Any:
    """What the database gives back: the JSON of the state."""
    return json.loads(json.dumps(state.to_json()))


@pytest.mark.parametrize("mode", [None, *Mode])
@pytest.mark.parametrize(("name", "meta"), METAS)
def test_every_flow_and_mode_round_trips(
    name: str, meta: dict[str, Any], mode: Mode | None
) -> None:
    flow = FLOWS[name]
    started = engine.start(flow, CTX, meta)
    assert started.state is not None
    state = started.state
    state.mode, state.reminded = mode, True
    state.answers["extra"] = {"date": "2026-11-18", "time": None}
    loaded = engine.load(flow, _stored(state))
    assert loaded == state
    assert loaded.to_json() == state.to_json()
    assert _stored(state)["meta"] == meta  # the stored meta is the shape it always had


@pytest.mark.parametrize(
    "raw",
    [
        REPORT_AT_HARM,
        REPORT_PICKING_CATEGORIES,
        REPLY_BY_CODE_AT_CODE,
        REPLY_BY_REFERENCE_AT_TEXT,
        TRIAGE_AT_FREQUENCY,
        TRIAGE_CHANGING,
    ],
    ids=lambda raw: f"{raw['flow']}-{raw['step']}-{raw['mode']}",
)
def test_rows_of_todays_shape_load_and_are_written_back_the_same(raw: dict[str, Any]) -> None:
    state = engine.load(FLOWS[raw["flow"]], raw)
    assert state.to_json() == raw
    assert state.mode == raw["mode"] and state.reminded is bool(raw.get("reminded"))


def test_missing_keys_get_their_defaults_and_unknown_keys_are_ignored() -> None:
    raw = {"step": "when", "answers": {"description": "Cliënt viel"}, "later": [1, 2]}
    state = engine.load(REPORT_FLOW, raw)
    assert state == FlowState("report", "when", {"description": "Cliënt viel"})
    assert "later" not in state.to_json()


def test_values_of_the_wrong_kind_fall_back_to_their_defaults() -> None:
    raw = {
        "step": 7,
        "answers": None,
        "history": ["danger", 3, None],
        "seq": "six",
        "mode": "nonsense",
        "returning": "yes",
        "selection": "fall",
        "meta": None,
        "reminded": 1,
    }
    state = engine.load(REPORT_FLOW, raw)
    assert state == FlowState("report", None, {}, ["danger"], 0, None, False, None, {}, False)


def test_the_rows_flow_counts_not_the_one_inside_the_state() -> None:
    state = engine.load(REPORT_FLOW, {**REPORT_AT_HARM, "flow": "something-else"})
    assert state.flow == "report"


@pytest.mark.parametrize(
    ("name", "raw", "part"),
    [
        ("report", ["harm", 6], "state"),
        ("report", None, "state"),
        ("report", {**REPORT_AT_HARM, "answers": "kapot"}, "answers"),
        ("report", {**REPORT_AT_HARM, "answers": [["description", "x"]]}, "answers"),
        ("report", {**REPORT_AT_HARM, "meta": {"anonymous": "misschien"}}, "meta"),
        ("report", {**REPORT_AT_HARM, "meta": "anonymous"}, "meta"),
        ("reply", {**REPLY_BY_CODE_AT_CODE, "meta": {}}, "meta"),
        ("reply", {**REPLY_BY_CODE_AT_CODE, "meta": {"by_code": False}}, "meta"),
        ("reply", {**REPLY_BY_REFERENCE_AT_TEXT, "meta": {"report": 7}}, "meta"),
        ("triage", {**TRIAGE_AT_FREQUENCY, "meta": {}}, "meta"),
        ("triage", {**TRIAGE_AT_FREQUENCY, "meta": {**CASE, "near_miss": "soms"}}, "meta"),
        ("action", {**TRIAGE_AT_FREQUENCY, "meta": {**CASE, "owners": [["a"]]}}, "meta"),
        ("drop_action", {**TRIAGE_AT_FREQUENCY, "meta": {"action_id": "drie"}}, "meta"),
        ("analysis", {**TRIAGE_AT_FREQUENCY, "meta": {"action_id": 3}}, "meta"),
    ],
)
def test_what_the_flow_cannot_go_on_with_is_refused_by_part(name: str, raw: Any, part: str) -> None:
    with pytest.raises(Unreadable) as refused:
        engine.load(FLOWS[name], raw)
    assert refused.value.part == part


def test_a_meta_that_does_not_fit_its_flow_is_refused_at_the_start() -> None:
    with pytest.raises(Unreadable):
        engine.start(CASE_FLOWS["triage"], CTX, {"near_miss": False})


def test_a_turn_leaves_the_state_it_was_given_as_it_was() -> None:
    state = engine.load(REPORT_FLOW, REPORT_PICKING_CATEGORIES)
    before = state.to_json()
    event = Inbound("shell", "c", "u", InboundKind.TEXT, text="terug")
    result = engine.turn(REPORT_FLOW, state, event, CTX)
    assert result.state is not None and result.state.step == "when"
    assert state.to_json() == before
