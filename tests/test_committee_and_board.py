"""The committee and the board (seeds/002 §5, §10, §16): the committee watches the
improvement register of every team; the board records its half-yearly evaluation and its
yearly policy review, a deadline of its own."""

from __future__ import annotations

from datetime import timedelta

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage.db import Database
from storage.models import BoardRecord
from tests.helpers import CASE, Chat, table_rows


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
    await leader.tap("structural")  # §6.7
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


async def test_the_board_records_its_half_yearly_evaluation(
    service: ReportService, sqlite_db: Database
) -> None:
    board = Chat(service, user="board", name="Bea")
    await board.command("/evaluatie Meldcultuur verbeterd; extra scholing agressie in Zuid")
    assert "evaluatie van het VIM-beleid over 2026-H1" in board.text
    await board.command("/evaluatie")
    assert "Meldcultuur verbeterd" in board.text and "2026-H1" in board.text
    [row] = await table_rows(sqlite_db, BoardRecord)
    assert (row.kind, row.recorded_by) == ("half_year_evaluation", "shell:board")
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.command("/evaluatie Niet van mij")
    assert "Dit legt de directie vast" in leader.text
    assert len(await table_rows(sqlite_db, BoardRecord)) == 1


async def test_the_yearly_policy_review_is_a_deadline_of_its_own_nudged_until_recorded(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    sweeper = Sweeper(config, sqlite_db, clock)
    await sweeper.housekeeping()  # the first review: a year after the installation
    await sweeper.housekeeping()  # planned once
    year_on = clock.now() + timedelta(days=365)
    reminders = await sweeper.sweep_nudges(at=year_on - timedelta(days=1), dry_run=True)
    assert reminders == []  # not yet: the reminder comes hours before the deadline
    clock.set(year_on + timedelta(days=1, hours=2))  # the day after the deadline
    due = await sweeper.sweep_nudges()
    assert {p.address for p in due} >= {"shell:board", "shell:coord"}  # reminded, escalated
    assert all("/beleid" in p.message.text for p in due)

    board = Chat(service, user="board", name="Bea")
    await board.command("/beleid Beleid herzien: vertrouwenspersoon extern belegd")
    assert "De volgende is uiterlijk" in board.text and "2028" in board.text
    clock.advance(timedelta(days=3))
    assert await sweeper.sweep_nudges() == []  # the board escalation of last year is closed
    clock.set(clock.now() + timedelta(days=365))
    assert {p.address for p in await sweeper.sweep_nudges()} >= {"shell:board"}  # next year
