"""The one authorization step before any case step: the report is loaded, the permission
table decides who, the procedure table decides when, and a view is audited."""

from __future__ import annotations

import pytest

from bot.casework.handlers import CaseTurn
from bot.clock import FrozenClock
from bot.flows.engine import SKIP
from bot.i18n import Translator
from bot.outcome import Outcome
from bot.service import ReportService
from storage.db import Database
from storage.models import AuditEntry
from tests.helpers import Chat, table_rows

REFERENCE = "VIM-2026-0001"


async def _report(service: ReportService, harm: str = "none") -> None:
    chat = Chat(service, user="nina", name="Nina")
    await chat.answer_up_to_harm("Mevrouw is gevallen naast het bed", when="today")
    await chat.tap(harm)
    if harm in ("minor", "serious", "death"):
        await chat.tap("given")
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    await chat.tap("send")


async def _authorize(
    service: ReportService, db: Database, address: str, step: str, reference: str = REFERENCE
) -> CaseTurn | Outcome:
    async with db.transaction() as store:
        return await service.casework.authorize(store, address, step, reference, Translator())


# step → who may take it on a fresh (status "new"), non-calamity report of team Noord
CASES = [
    ("contact", "shell:lead-noord", True),
    ("contact", "shell:coord", True),
    ("contact", "shell:lead-zuid", False),  # another team
    ("contact", "shell:board", False),  # the board: calamities only
    ("contact", "shell:committee", False),  # figures only
    ("contact", "shell:nina", False),  # the reporter handles nothing
    ("details", "shell:nina", True),  # but sees their own report
    ("details", "shell:vp", False),  # the adviser: only when asked for
    ("adviser_message", "shell:vp", False),
    ("no_such_step", "shell:coord", False),
]


@pytest.mark.parametrize(("step", "address", "allowed"), CASES)
async def test_who_may_take_a_step(
    service: ReportService, sqlite_db: Database, step: str, address: str, allowed: bool
) -> None:
    await _report(service)
    result = await _authorize(service, sqlite_db, address, step)
    assert isinstance(result, CaseTurn) is allowed
    if not allowed:
        assert isinstance(result, Outcome)
        assert "kan ik niet voor je doen" in result.replies[0].text


async def test_an_unknown_report_is_refused_like_a_forbidden_one(
    service: ReportService, sqlite_db: Database
) -> None:
    await _report(service)
    result = await _authorize(service, sqlite_db, "shell:coord", "contact", "VIM-2026-9999")
    assert isinstance(result, Outcome) and "kan ik niet voor je doen" in result.replies[0].text


async def test_a_step_that_does_not_fit_the_report_now_says_what_can(
    service: ReportService, sqlite_db: Database
) -> None:
    await _report(service)
    result = await _authorize(service, sqlite_db, "shell:lead-noord", "feedback")
    assert isinstance(result, Outcome)
    assert "past nu niet" in result.replies[0].text
    assert {o.value for o in result.replies[1].options} >= {"contact", "triage"}
    calamity_only = await _authorize(service, sqlite_db, "shell:lead-noord", "igj")
    assert isinstance(calamity_only, Outcome)


async def test_a_view_is_audited_and_a_refusal_is_not(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    await _report(service)
    await _authorize(service, sqlite_db, "shell:lead-zuid", "details")  # refused
    assert await table_rows(sqlite_db, AuditEntry) == []
    await _authorize(service, sqlite_db, "shell:lead-noord", "details")
    [entry] = await table_rows(sqlite_db, AuditEntry)
    assert (entry.actor, entry.action, entry.reference) == ("shell:lead-noord", "view", REFERENCE)
