"""The procedure table is the one place the process is written: a new row brings its button,
its permission check and its place on a nudge, with no other code change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.casework import handlers, procedure
from bot.casework.handlers import CaseTurn
from bot.casework.procedure import CaseStep
from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.domain.lifecycle import Deadline, Status
from bot.domain.permissions import Act
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import CASE, Chat, table_rows

ESCALATE = CaseStep(
    "escalate", Act.HANDLE_REPORT, frozenset({Status.NEW, Status.CONTACTED}), in_menu=True
)


@pytest.fixture
def with_a_new_step(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A step 'escalate' in the table, offered on the triage nudge; its handler records a
    note (a quick step registers one handler: that is the step's own behaviour)."""
    taken: list[str] = []
    monkeypatch.setattr(procedure, "STEPS", (*procedure.STEPS, ESCALATE))
    rules = dict(procedure.DEADLINES)
    rules[Deadline.TRIAGE] = replace(rules[Deadline.TRIAGE], buttons=("triage", "escalate"))
    monkeypatch.setattr(procedure, "DEADLINES", rules)

    async def escalate(turn: CaseTurn) -> None:
        taken.append(turn.address)

    monkeypatch.setitem(handlers.QUICK, "escalate", escalate)
    return taken


async def _report(service: ReportService) -> None:
    await Chat(service, user="nina", name="Nina").report()


async def test_a_new_row_brings_its_button_permission_and_nudge(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, with_a_new_step: list[str]
) -> None:
    await _report(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.command("/melding VIM-2026-0001")
    assert "escalate" in [o.value for o in leader.question.options]  # its button

    await leader.press(CASE, "escalate")  # the permission table lets the team's leader
    assert with_a_new_step == ["shell:lead-noord"]
    stranger = Chat(service, user="lead-zuid", name="Zeno")
    await stranger.press(CASE, "escalate")  # and nobody outside the team
    assert "kan ik niet voor je doen" in stranger.text
    assert with_a_new_step == ["shell:lead-noord"]

    clock.advance(timedelta(hours=23))  # the triage reminder is due
    planned = await Sweeper(service.config, sqlite_db, clock).sweep_nudges()
    nudge = next(p for p in planned if p.what == "nudge:triage/reminder")
    assert [o.value for o in nudge.message.options] == ["triage", "escalate"]  # its nudge


async def test_a_step_is_offered_only_in_the_statuses_of_its_row(
    service: ReportService, sqlite_db: Database, with_a_new_step: list[str]
) -> None:
    await _report(service)
    [report] = await table_rows(sqlite_db, Report)
    assert ESCALATE.available(report)
    report.status = Status.TRIAGED
    assert not ESCALATE.available(report)
