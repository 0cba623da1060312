"""A retention hold (seeds/002 §13): a report under investigation, a complaint or an
inspection is kept past the retention period — with its ground, reason, who and since when —
until the coordinator releases it; retention then applies as usual."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.config import Config
from bot.exporting import register_record
from bot.privacy import apply_retention
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import CASE, REFERENCE, Chat, table_rows


async def test_a_held_report_outlives_retention_until_the_coordinator_releases_it(
    database: Database, clock: FrozenClock, config: Config
) -> None:
    service = ReportService(config, database, clock)
    await Chat(service, user="nina", name="Nina").report()
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.not_vim("Geaccepteerd risico")  # closed
    await leader.press(CASE, "retention_hold")
    assert "Dat kan ik niet voor je doen" in leader.text  # only the coordinator holds

    coordinator = Chat(service, user="coord", name="Cor")
    await coordinator.command(f"/melding {REFERENCE}")
    assert "retention_hold" in [o.value for o in coordinator.question.options]
    await coordinator.press(CASE, "retention_hold")
    await coordinator.tap("complaint")
    await coordinator.say("Klacht van de familie loopt bij de klachtencommissie")
    await coordinator.tap("confirm")
    assert "bewaard" in coordinator.text

    later = clock.now() + timedelta(days=365 * config.privacy.retention_years + 2)
    assert await apply_retention(database, config, later) == 0  # held
    [report] = await table_rows(database, Report)
    assert report.description != "[verwijderd]"
    await coordinator.command(f"/melding {REFERENCE}")
    assert "Klachtbehandeling (Klacht van de familie" in coordinator.text
    async with database.transaction() as store:
        events = await store.events_of(report.id)
    record = register_record(report, [], events, config.organisation.tz)
    assert record["retention_hold_ground"] == "complaint"
    assert record["retention_held_by"] == "shell:coord"
    assert "retention_held" in [step["step"] for step in record["steps"]]

    clock.advance(timedelta(days=30))
    await coordinator.press(CASE, "retention_release")
    assert "niet langer apart bewaard" in coordinator.text
    assert "retention_hold" in [o.value for o in coordinator.question.options]  # again
    assert await apply_retention(database, config, later) == 1  # released: retention applies
    [report] = await table_rows(database, Report)
    assert report.description == "[verwijderd]" and report.retention_held_at is None
