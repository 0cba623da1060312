"""Stricter follow-up after an IGJ measure (seeds/002 §14): the coordinator (or the board, on
a possible calamity) puts a report under "verscherpt toezicht"; progress reports are due on
a configured rhythm, nudged like any deadline; each one recorded closes the deadline and
opens the next; lifting the measure ends it."""

from __future__ import annotations

from datetime import timedelta

from bot.casework.scheduled import Planned, Sweeper
from bot.clock import FrozenClock
from bot.exporting import register_record
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import CASE, REFERENCE, Chat, make_config, table_rows


async def _progress_nudges(sweeper: Sweeper) -> list[Planned]:
    """The nudges of the sweep now about a progress report (the report's other deadlines,
    overdue meanwhile, nudge too)."""
    return [p for p in await sweeper.sweep_nudges() if p.what.startswith("nudge:strict_followup")]


async def test_progress_reports_under_strict_followup_come_on_the_configured_rhythm(
    database: Database, clock: FrozenClock
) -> None:
    config = make_config(policy={"strict_followup_weeks": 3})
    service = ReportService(config, database, clock)
    sweeper = Sweeper(config, database, clock)
    await Chat(service, user="nina", name="Nina").report()
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    assert "strict_followup" not in {o.value for o in leader.question.options}
    await leader.press(CASE, "strict_followup")
    assert "Dat kan ik niet voor je doen" in leader.text  # the coordinator or the board

    coordinator = Chat(service, user="coord", name="Cor")
    await coordinator.command(f"/melding {REFERENCE}")
    assert "strict_followup" in {o.value for o in coordinator.question.options}
    await coordinator.press(CASE, "strict_followup")
    assert "verscherpt toezicht" in coordinator.text and "3 weken" in coordinator.text
    assert await _progress_nudges(sweeper) == []

    # The first rhythm passes: the leader is reminded, the coordinator told it is overdue.
    clock.set(clock.now() + timedelta(weeks=3, hours=1))
    due = await _progress_nudges(sweeper)
    assert {p.address for p in due} == {"shell:lead-noord", "shell:coord"}
    reminder = next(p.message for p in due if p.address == "shell:lead-noord")
    assert "voortgangsrapportage" in reminder.text
    assert [(o.value, o.label) for o in reminder.options] == [
        ("progress_report", "Voortgang rapporteren")
    ]
    await leader.press(CASE, "progress_report")
    await leader.say("Medicatieprotocol aangepast, eerste audit gedaan")
    await leader.tap("confirm")
    assert "Voortgangsrapportage vastgelegd" in leader.text
    first_at = clock.now()
    clock.advance(timedelta(days=2))
    assert await _progress_nudges(sweeper) == []  # closed: no board escalation

    # The second rhythm runs from the progress report.
    clock.set(first_at + timedelta(weeks=3) - timedelta(days=2))
    assert await _progress_nudges(sweeper) == []
    clock.set(first_at + timedelta(weeks=3, hours=1))
    assert {p.address for p in await _progress_nudges(sweeper)} == {
        "shell:lead-noord",
        "shell:coord",
    }
    await leader.press(CASE, "progress_report")
    await leader.say("Tweede audit: protocol wordt gevolgd")
    await leader.tap("confirm")

    await coordinator.command(f"/melding {REFERENCE}")
    shown = coordinator.text
    assert "Verscherpt toezicht sinds" in shown and "— kwaliteitscoördinator" in shown  # by role
    assert "Medicatieprotocol aangepast, eerste audit gedaan — Lea" in shown
    assert "Tweede audit: protocol wordt gevolgd — Lea" in shown

    await coordinator.press(CASE, "strict_followup_end")
    assert "Verscherpt toezicht beëindigd" in coordinator.text
    clock.set(clock.now() + timedelta(weeks=10))
    assert await _progress_nudges(sweeper) == []  # no more progress reports due
    await leader.command(f"/melding {REFERENCE}")
    assert "progress_report" not in {o.value for o in leader.question.options}

    [report] = await table_rows(database, Report)
    async with database.transaction() as store:
        events = await store.events_of(report.id)
    record = register_record(report, [], events, config.organisation.tz)
    assert record["strict_followup_by"] == "shell:coord"
    assert record["strict_followup_ended_at"] is not None
    texts = [(p["text"], p["by"]) for p in record["progress_reports"]]
    assert texts == [
        ("Medicatieprotocol aangepast, eerste audit gedaan", "shell:lead-noord"),
        ("Tweede audit: protocol wordt gevolgd", "shell:lead-noord"),
    ]
    kinds = [e.kind for e in events]
    assert "strict_followup_started" in kinds and "strict_followup_ended" in kinds
