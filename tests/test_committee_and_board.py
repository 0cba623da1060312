"""The committee and the board (seeds/002 §5, §10, §16): the committee watches the
improvement register of every team."""

from __future__ import annotations

from bot.service import ReportService
from storage.db import Database
from tests.helpers import CASE, Chat


async def _action_of(service: ReportService, team: str, description: str) -> None:
    """A report of ``team`` with one improvement action, added by its leader."""
    reporter = Chat(service, user=f"reporter-{team}", name="Nina")
    await reporter.report(team=team)
    leader = Chat(service, user=f"lead-{team}", name="Lea")
    reference = CASE if team == "noord" else "case:VIM-2026-0002"
    await leader.press(reference, "triage")
    for value in ("internal", "yearly", "minor", "confirm"):
        await leader.tap(value)
    await leader.press(reference, "analyse")
    await leader.tap("_skip")
    await leader.tap("technical")
    await leader.tap("_done")
    await leader.tap("confirm")
    await leader.press(reference, "action")
    await leader.say(description)
    await leader.tap(f"shell:lead-{team}")
    await leader.say("1-12")
    await leader.tap("confirm")


async def test_the_committee_reads_the_register_of_every_team(
    service: ReportService, sqlite_db: Database
) -> None:
    await _action_of(service, "noord", "Antislipmatten in de badkamers")
    await _action_of(service, "zuid", "Medicatielijst dubbel controleren")
    committee = Chat(service, user="committee", name="Kees")
    await committee.command("/acties")
    assert "Antislipmatten" in committee.text and "Medicatielijst" in committee.text
    assert all(not reply.options for reply in committee.replies)  # reads, does not change
