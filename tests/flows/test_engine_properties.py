"""Hostile and broken input: random sequences of texts, buttons, commands, stale and forged
button data, empty and huge messages, control characters and mixed scripts. The engine never
raises, always ends in a valid state, and a completed report always has every field."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.events import Inbound, InboundKind
from bot.flows.engine import Completed, Context, Kind, start, turn
from bot.flows.report import REPORT_FLOW, draft_from_answers
from bot.flows.state import FlowState
from bot.i18n import Translator
from bot.service import ReportService
from tests.helpers import NOW, Chat, copy_sqlite, make_config

CTX = Context(
    Translator("nl"), NOW, {"teams": [("noord", "Noord"), ("zuid", "Zuid")], "team_known": False}
)
STEP_IDS = {step.id for step in REPORT_FLOW.steps}
VALUES = [
    "yes",
    "no",
    "continue",
    "now",
    "today",
    "yesterday",
    "other",
    "fall",
    "other",
    "client",
    "employee",
    "none",
    "minor",
    "serious",
    "given",
    "_skip",
    "_done",
    "team_leader",
    "noord",
    "send",
    "send_anonymous",
    "change",
    "cancel",
    "harm",
    "description",
    "_summary",
    "remove",
    "keep",
    "",
    "x" * 70,
    "💥",
    "\x00",
]
texts = st.one_of(
    st.text(max_size=50),
    st.sampled_from(
        [
            "terug",
            "stop",
            "annuleren",
            "help",
            "ja",
            "nee",
            "klaar",
            "1",
            "2,3",
            "gisteren 14:30",
            "31-02",
            "Cliënt viel 😢",
            "患者",
            "/melden",
            "/status",
            "",
            " ",
            "\x1b[31m",
            "a" * 5000,
            "BSN 111222333",
        ]
    ),
)
events = st.one_of(
    texts.map(lambda text: ("text", text)),
    texts.map(lambda text: ("command", "/" + text)),
    st.tuples(st.sampled_from(VALUES), st.booleans(), st.integers(-3, 3)).map(
        lambda v: ("choice", v)
    ),
)


def _event(kind: str, payload: Any, state: FlowState) -> Inbound:
    base = ("shell", "c", "u")
    if kind == "text":
        return Inbound(*base, InboundKind.TEXT, text=payload)
    if kind == "command":
        return Inbound(*base, InboundKind.COMMAND, text=payload)
    value, current, shift = payload
    token = f"{state.step}.{state.seq + (0 if current else shift)}"
    return Inbound(*base, InboundKind.CHOICE, choices=(value,), token=token)


def _valid(state: FlowState) -> None:
    assert state.step in STEP_IDS
    assert state.mode in (None, "confirm_cancel", "change_pick")
    assert isinstance(state.answers, dict) and isinstance(state.history, list)
    step = REPORT_FLOW.step(str(state.step))
    if step.kind is Kind.MULTI and state.mode is None:
        assert isinstance(state.selection, list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, max_size=40))
def test_any_sequence_keeps_a_valid_state(sequence: list[tuple[str, Any]]) -> None:
    result = start(REPORT_FLOW, CTX)
    state = result.state
    assert state is not None
    for kind, payload in sequence:
        result = turn(REPORT_FLOW, state, _event(kind, payload, state), CTX)
        assert result.replies or result.effects
        for effect in result.effects:
            if isinstance(effect, Completed):  # a report can only be sent complete
                draft = draft_from_answers(effect.answers, "noord")
                assert draft.description and draft.categories and draft.affected
        if result.state is None:
            result = start(REPORT_FLOW, CTX)
        state = result.state
        assert state is not None
        _valid(state)


hostile = st.lists(
    st.one_of(
        texts.map(lambda t: ("text", t)),
        texts.map(lambda t: ("command", "/" + t)),
        st.tuples(
            st.sampled_from(
                [
                    "case:VIM-2026-0001",
                    "act:1",
                    "case:VIM-2026-9999",
                    "summary.9",
                    "idle",
                    "",
                    "case:",
                    "act:x",
                ]
            ),
            st.sampled_from(
                [
                    "contact",
                    "triage",
                    "close",
                    "done",
                    "send",
                    "report",
                    "anonymous",
                    "details",
                    "question",
                    "igj",
                    "",
                ]
            ),
        ).map(lambda tv: ("button", tv)),
    ),
    max_size=25,
)


@pytest.fixture(scope="module")
def reported(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding one report (VIM-2026-0001), copied for every example."""
    from tests.test_casework import _report

    path = tmp_path_factory.mktemp("reported") / "p.db"

    async def build() -> None:
        db = copy_sqlite(sqlite_template, path)
        await _report(ReportService(make_config(), db, FrozenClock(NOW)))
        await db.dispose()

    asyncio.run(build())
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=hostile)
def test_strangers_never_change_or_lose_a_stored_report(reported: Path, sequence) -> None:
    async def scenario() -> None:
        with tempfile.TemporaryDirectory() as folder:
            db = copy_sqlite(reported, Path(folder) / "p.db")
            service = ReportService(make_config(), db, FrozenClock(NOW))
            before = await _snapshot(db)
            stranger = Chat(service, user="stranger")
            for kind, payload in sequence:
                if kind == "button":
                    await stranger.press(*payload)
                elif kind == "command":
                    await stranger.command(payload)
                else:
                    await stranger.say(payload)
                assert stranger.replies or stranger.outcomes[-1].duplicate is False
            assert await _snapshot(db) == before
            await db.dispose()

    asyncio.run(scenario())


async def _snapshot(db: Any) -> list[tuple[Any, ...]]:
    async with db.transaction() as store:
        # the report that existed before the stranger came (they may start their own)
        r = await store.report_by_reference("VIM-2026-0001")
        assert r is not None
        events = await store.events_of(r.id)
        return [(r.reference, r.status, r.description, r.contacted_at, r.triage_outcome)] + [
            (e.kind, e.actor) for e in events
        ]
