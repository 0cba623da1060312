"""What was done after a report (seeds/002 §6.8, seeds/003 §3): aftercare for the reporter, a
conversation with the client, care ended, a police report, the client informed — each a case
step on the procedure table, recorded with who and when, shown in ``/melding`` and exported."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.exporting import report_record
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import CASE, Chat, table_rows
from tests.helpers import send_form as _send


async def _triaged(service: ReportService, **fields: Any) -> Chat:
    await _send(service, **fields)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    return leader


async def test_the_client_is_informed_of_every_report_that_affected_them(
    service: ReportService, sqlite_db: Database
) -> None:
    leader = await _triaged(service)  # handled internally: no calamity
    assert "client_informed" in [o.value for o in leader.question.options]
    await leader.press(CASE, "client_informed")
    [report] = await table_rows(sqlite_db, Report)
    assert report.client_informed_at is not None


async def test_after_physical_aggression_what_was_done_is_recorded_shown_and_exported(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    leader = await _triaged(
        service,
        description="Een cliënt sloeg mij",
        categories=["physical_aggression"],
        affected=["client", "employee"],
        harm="minor",
        first_aid="given",
    )
    offered = [o.value for o in leader.question.options]
    assert {"police_report", "aftercare", "client_talk", "care_ended"} <= set(offered)
    await leader.command("/melding VIM-2026-0001")
    assert "Aangifte bij de politie aanbevolen" in leader.text  # suggested

    clock.advance(timedelta(hours=2))
    await leader.press(CASE, "police_report")
    assert "Aangifte bij de politie" in leader.text
    await leader.press(CASE, "aftercare")
    await leader.tap("offered")
    await leader.tap("confirm")
    assert "aftercare" in [o.value for o in leader.question.options]  # given or declined later
    clock.advance(timedelta(days=1))
    await leader.press(CASE, "aftercare")
    await leader.tap("given")
    await leader.tap("confirm")
    await leader.press(CASE, "client_talk")
    await leader.press(CASE, "care_ended")
    await leader.press(CASE, "client_informed")
    assert not {"police_report", "aftercare", "client_talk", "care_ended", "client_informed"} & {
        o.value for o in leader.question.options
    }

    await leader.command("/melding VIM-2026-0001")
    shown = leader.text
    assert "Na de melding:" in shown and "aanbevolen" not in shown
    for line in (
        "Aangifte bij de politie — Lea",
        "Nazorg melder: Aangeboden — Lea",
        "Nazorg melder: Gegeven — Lea",
        "Gesprek met de cliënt (ordegesprek) — Lea",
        "Zorg beëindigd — Lea",
        "Cliënt of vertegenwoordiger geïnformeerd — Lea",
    ):
        assert line in shown
    assert "shell:lead-noord" not in shown  # by name

    [report] = await table_rows(sqlite_db, Report)
    record = report_record(report, service.config.organisation.tz)
    steps = [(r["step"], r["value"], r["by"]) for r in record["after_report"]]
    assert steps == [
        ("police_report", "done", "shell:lead-noord"),
        ("aftercare", "offered", "shell:lead-noord"),
        ("aftercare", "given", "shell:lead-noord"),
        ("client_talk", "done", "shell:lead-noord"),
        ("care_ended", "done", "shell:lead-noord"),
        ("client_informed", "done", "shell:lead-noord"),
    ]
    assert record["after_report"][0]["at"].endswith("+01:00")  # the organisation's time


async def test_no_police_report_or_client_steps_where_they_do_not_fit(
    service: ReportService, sqlite_db: Database
) -> None:
    leader = await _triaged(
        service,
        description="Ik werd uitgescholden",
        categories=["verbal_aggression"],
        affected=["employee"],
    )
    offered = {o.value for o in leader.question.options}
    assert "aftercare" in offered
    assert not {"police_report", "client_talk", "care_ended", "client_informed"} & offered


async def test_an_anonymous_reporter_gets_no_aftercare_step(
    service: ReportService, sqlite_db: Database
) -> None:
    await _send(service, anonymous=True)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    assert "aftercare" not in {o.value for o in leader.question.options}
