"""Found in the fresh-clone trial of issues 11 and 14: a contact deadline that outlives its
button, an exact moment left in a delivered message about an anonymous report, and texts
that promise what cannot happen."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.service import ReportService
from storage.db import Database
from storage.models import Nudge, OutboxMessage, Report
from tests.helpers import Chat, table_rows

TOKEN = "case:VIM-2026-0001"


async def _report(service: ReportService, send: str = "send", harm: str = "none") -> Chat:
    chat = Chat(service, user="nina", name="Nina")
    await chat.report(harm=harm, send=send)
    return chat


async def test_contact_can_be_recorded_after_triage_and_closes_its_deadline(
    service: ReportService, sqlite_db: Database
) -> None:
    await _report(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    await leader.command("/melding VIM-2026-0001")
    assert "contact" in [o.value for o in leader.question.options]
    await leader.press(TOKEN, "contact")
    open_contact = [
        n
        for n in await table_rows(sqlite_db, Nudge)
        if n.kind == "contact" and n.cancelled_at is None and n.sent_at is None
    ]
    assert open_contact == []
    [report] = await table_rows(sqlite_db, Report)
    assert report.status == "triaged" and report.contacted_at is not None


async def test_a_delivered_message_about_an_anonymous_report_keeps_no_exact_moment(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    await _report(service, send="send_anonymous")
    clock.advance(timedelta(minutes=11))
    assert await service.inbox("shell:lead-noord")
    [message] = await table_rows(sqlite_db, OutboxMessage)
    assert message.status == "sent" and "not_before" not in message.payload


async def test_an_anonymous_reporter_is_not_told_to_use_a_reference(
    service: ReportService,
) -> None:
    chat = await _report(service, send="send_anonymous")
    code = chat.code
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press(TOKEN, "question")
    await leader.say("Welke kamer?")
    await leader.tap("confirm")
    reporter = Chat(service, user="someone")
    await reporter.command(f"/status {code}")
    assert "Welke kamer?" in reporter.text and "referentie" not in reporter.text


async def test_the_leader_is_told_a_report_may_be_a_calamity(service: ReportService) -> None:
    chat = await _report(service, harm="serious")
    [to_leader] = [m for m in chat.outcomes[-1].notifications if m.address == "shell:lead-noord"]
    assert "Mogelijke calamiteit" in to_leader.text
