"""An anonymous report keeps no moment finer than the hour, in any row linked to it and in
any message sent about it (issue 11, item 3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.flows.engine import SKIP
from bot.service import ReportService
from storage.db import Database
from storage.models import (
    AuditEntry,
    Nudge,
    OutboxMessage,
    Report,
    ReporterMessage,
    ReportEvent,
)
from tests.helpers import CASE, Chat, table_rows


def _fine_moments(row: object) -> list[str]:
    """The columns of a row that hold a time finer than the hour."""
    found = []
    for column in row.__table__.columns:  # type: ignore[attr-defined]
        value = getattr(row, column.key)
        if isinstance(value, datetime) and (value.minute, value.second, value.microsecond) != (
            0,
            0,
            0,
        ):
            found.append(f"{type(row).__name__}.{column.key}={value.isoformat()}")
    return found


async def _anonymous_report(service: ReportService, when: str = "now") -> str:
    chat = Chat(service, user="nina", name="Nina")
    await chat.report(when=when, send="send_anonymous")
    return chat.code


async def test_no_moment_finer_than_the_hour_in_any_linked_row(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    assert clock.now().minute == 30  # the test means something only off the hour
    code = await _anonymous_report(service, when="now")
    [report] = await table_rows(sqlite_db, Report)
    assert report.occurred_at is not None  # "now": the moment is kept, to the hour
    assert (report.occurred_at.minute, report.occurred_at.second) == (0, 0)

    # the leader reads the (delayed) notification and follows up at odd minutes
    clock.advance(timedelta(minutes=9, seconds=13))
    leader = Chat(service, user="lead-noord", name="Lea")
    delivered = await service.inbox("shell:lead-noord")
    assert delivered and "10:30" not in delivered[0].text and "10:39" not in delivered[0].text
    clock.advance(timedelta(minutes=3))
    await leader.press(CASE, "contact")
    await leader.press(CASE, "question")
    await leader.say("Op welke afdeling was dit?")
    await leader.tap("confirm")
    await leader.command("/melding VIM-2026-0001")

    # the reporter answers with the code some minutes later
    clock.advance(timedelta(minutes=17, seconds=41))
    reporter = Chat(service, user="somebody-else")
    await reporter.command(f"/status {code}")
    await reporter.say("Afdeling De Linde")
    await reporter.say(code)
    assert "doorgegeven" in reporter.text
    await service.inbox("shell:lead-noord")

    # a nudge about the report is sent by the sweep at an odd minute
    clock.set(datetime(2026, 11, 19, 9, 47, 11, tzinfo=clock.now().tzinfo))
    await Sweeper(service.config, sqlite_db, clock).sweep_nudges()
    await service.inbox("shell:lead-noord")

    fine: list[str] = []
    for model in (Report, ReportEvent, AuditEntry, OutboxMessage, Nudge, ReporterMessage):
        for row in await table_rows(sqlite_db, model):
            fine += _fine_moments(row)
    assert fine == []


async def test_a_typed_time_of_an_anonymous_report_is_kept_to_the_hour(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    chat = Chat(service, user="nina", name="Nina")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("Cliënt viel in de gang")
    await chat.tap("other")
    await chat.say("17-11 14:35")
    await chat.tap("yes")  # "Klopt dat?": the suggested kind and who
    await chat.tap("none")
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    await chat.tap("send_anonymous")
    [report] = await table_rows(sqlite_db, Report)
    assert report.occurred_on == date(2026, 11, 17)
    assert report.occurred_at is not None and report.occurred_at.minute == 0
    [message] = await table_rows(sqlite_db, OutboxMessage)
    assert "14:35" not in message.payload["text"] and "14:00" in message.payload["text"]


async def test_a_delivered_notification_keeps_no_finer_moment(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    """Through the dispatcher (a messenger's sender), not the shell's inbox."""
    from bot.events import Outbound
    from bot.outbox import Dispatcher

    sent: list[str] = []

    class Sender:
        async def send(self, recipient: str, message: Outbound) -> None:
            sent.append(recipient)

    await _anonymous_report(service)
    clock.advance(timedelta(minutes=11, seconds=7))
    dispatcher = Dispatcher(sqlite_db, clock, {"shell": Sender()})
    assert (await dispatcher.dispatch_due()).sent == 1 and sent == ["lead-noord"]
    [message] = await table_rows(sqlite_db, OutboxMessage)
    assert message.status == "sent" and _fine_moments(message) == []
