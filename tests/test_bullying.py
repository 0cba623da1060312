"""The category "pestgedrag" (seeds/002 §3: grensoverschrijdend gedrag includes bullying):
suggested from the description, stored and shown to the handler."""

from __future__ import annotations

from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import REFERENCE, SKIP, Chat, table_rows


async def test_a_report_of_bullying_is_suggested_stored_and_shown(
    service: ReportService, sqlite_db: Database
) -> None:
    reporter = Chat(service, user="nina", name="Nina")
    await reporter.command("/melden")
    await reporter.tap("no")
    await reporter.say("Een collega wordt al weken gepest door twee anderen in het team")
    await reporter.tap("today")
    # suggested from "gepest"; to an employee, like the other transgressive behaviour
    assert "Soort: Pestgedrag\nOverkomen aan: Medewerker" in reporter.question.text
    await reporter.tap("yes")
    await reporter.tap("none")
    await reporter.tap(SKIP)
    if "team" in (reporter.question.token or ""):
        await reporter.tap("noord")
    await reporter.tap("team_leader")
    await reporter.tap("send")
    [report] = await table_rows(sqlite_db, Report)
    assert report.categories == ["bullying"]

    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.command(f"/melding {REFERENCE}")
    assert "Pestgedrag" in leader.text
