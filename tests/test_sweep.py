"""Digests and the sweep: content without names, exactly once, catch-up, two processes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.digests import last_half_year, last_quarterly, last_weekly
from bot.runner import Bot
from bot.service import ReportService
from storage.db import Database
from storage.models import Nudge, OutboxMessage
from tests.helpers import AMS, Chat, table_rows
from tests.test_casework import _report


def test_periods() -> None:
    from tests.helpers import make_config

    config = make_config()
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=AMS)
    week = last_weekly(monday, config)
    assert (week.key, week.start.isoformat(), week.end.isoformat()) == (
        "2026-W47",
        "2026-11-16",
        "2026-11-23",
    )
    assert last_weekly(monday - timedelta(minutes=1), config).key == "2026-W46"
    quarter = last_quarterly(datetime(2026, 10, 1, 9, 0, tzinfo=AMS), config)
    assert (quarter.key, quarter.start.isoformat()) == ("2026-Q3", "2026-07-01")
    assert last_quarterly(datetime(2026, 11, 22, tzinfo=AMS), config).key == "2026-Q3"
    assert last_half_year(datetime(2027, 1, 1, 9, 0, tzinfo=AMS), config).key == "2026-H2"


async def test_weekly_review_has_counts_but_no_names_or_report_text(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    await _report(service)  # Wednesday 18 November, by Nina, in team Noord
    leader = Chat(service, user="lead-noord")
    await leader.press("case:VIM-2026-0001", "triage")
    await leader.tap("internal")
    await leader.tap("yearly")
    await leader.tap("minor")
    await leader.tap("confirm")
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=AMS))
    planned = await Sweeper(config, sqlite_db, clock).send_due_digests()
    weekly = [p for p in planned if p.what.startswith("digest:weekly/noord")]
    assert [p.address for p in weekly] == ["shell:chan-noord"]
    text = weekly[0].message.text
    assert "week 47" in text and "Nieuwe meldingen: 1" in text and "Val: 1" in text
    assert "VIM-2026-0001: contact" in text  # overdue: contact was due on the 19th
    for secret in ("Nina", "nina", "Mevrouw is gevallen naast het bed", "lead-noord"):
        assert secret not in text


async def _installed(config: Config, db: Database, clock: FrozenClock) -> None:
    """The bot's first start, in June 2026 (it sends no digests of the periods before)."""
    await Sweeper(config, db, clock).send_due_digests(datetime(2026, 6, 15, 9, 0, tzinfo=AMS))


async def test_digests_are_sent_once_and_caught_up_after_a_restart(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    await _installed(config, sqlite_db, clock)
    clock.set(datetime(2026, 11, 24, 14, 0, tzinfo=AMS))  # the bot was down on Monday 09:00
    bot = Bot(config, sqlite_db, clock)
    await bot.start()
    await bot.stop()
    bot = Bot(config, sqlite_db, clock)  # and once more: nothing again
    await bot.start()
    await bot.stop()
    sent = await table_rows(sqlite_db, OutboxMessage)
    channels = sorted(m.address for m in sent)
    assert channels == ["shell:board", "shell:chan-noord", "shell:committee"]


async def test_two_sweepers_send_each_nudge_once(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    """Two bot processes on one database: every nudge goes out exactly once."""
    service = ReportService(config, database, clock)
    for _ in range(3):
        await _report(service)
    clock.set(datetime(2026, 11, 20, 12, 0, tzinfo=AMS))  # reminders, escalations, board: due
    second = Database(database.url, **database.options)  # another process's engine
    try:
        one, two = Sweeper(config, database, clock), Sweeper(config, second, clock)
        batches = await asyncio.gather(
            one.sweep_nudges(), two.sweep_nudges(), one.sweep_nudges(), two.sweep_nudges()
        )
    finally:
        await second.dispose()
    sent = [(p.what, p.address, p.message.text) for batch in batches for p in batch]
    nudges = await table_rows(database, Nudge)
    queued = [
        m
        for m in await table_rows(database, OutboxMessage)
        if m.payload["text"].startswith(("⏰", "⚠️"))
    ]
    assert len(nudges) == 18  # 3 reports × (contact, triage) × (reminder, escalation, board)
    assert all(n.sent_at is not None for n in nudges)
    assert len(sent) == len(set(sent)) == len(nudges) == len(queued)


async def test_two_processes_send_each_digest_once(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    await _installed(config, database, clock)
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=AMS))
    second = Database(database.url, **database.options)
    try:
        one, two = Sweeper(config, database, clock), Sweeper(config, second, clock)
        batches = await asyncio.gather(
            one.send_due_digests(),
            two.send_due_digests(),
            one.send_due_digests(),
            two.send_due_digests(),
        )
    finally:
        await second.dispose()
    sent = sorted(p.what for batch in batches for p in batch)
    assert sent == [
        "digest:half/2026-H1",
        "digest:quarterly/2026-Q3",
        "digest:weekly/noord/2026-W47",
    ]


async def test_quarterly_analysis_has_trends_and_deadline_shares(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    clock.set(datetime(2026, 8, 5, 10, 0, tzinfo=AMS))  # Q3: two reports
    await _report(service)
    await _report(service, harm="serious")
    leader = Chat(service, user="lead-noord")
    await leader.press("case:VIM-2026-0001", "contact")  # in time
    clock.set(datetime(2026, 8, 10, 10, 0, tzinfo=AMS))
    await leader.press("case:VIM-2026-0002", "contact")  # late
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=AMS))
    planned = await Sweeper(config, sqlite_db, clock).send_due_digests()
    [quarterly] = [p for p in planned if p.what.startswith("digest:quarterly")]
    text = quarterly.message.text
    assert quarterly.address == "shell:committee"
    assert "2026-Q3" in text and "Meldingen: 2 (vorige periode 0, +2)" in text
    assert "Val: 2 (+2)" in text and "Wijkteam Noord: 2" in text
    assert "Mogelijke calamiteiten: 1" in text
    assert "contact: 50% (1/2)" in text
    assert "Nina" not in text and "Mevrouw" not in text


async def test_the_first_start_sends_no_digests_of_periods_before_the_installation(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 11, 25, 14, 0, tzinfo=AMS))  # installed on a Wednesday
    bot = Bot(config, sqlite_db, clock)
    await bot.start()
    await bot.stop()
    assert await table_rows(sqlite_db, OutboxMessage) == []  # no last week, quarter, half year
    sweeper = Sweeper(config, sqlite_db, clock)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=AMS)
    planned = await sweeper.send_due_digests(monday)  # the first week after the installation
    assert [p.what for p in planned] == ["digest:weekly/noord/2026-W48"]
