"""The per-person limit on new reports: kept in the database, so it holds across restarts and
processes, and stored so that it links nobody to an anonymous report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.service import ReportService
from storage.db import Database
from tests.helpers import Chat, make_config

LIMITED = "veel meldingen gestart"


async def _start_and_stop(chat: Chat, word: str = "/melden") -> None:
    await chat.command(word)
    assert LIMITED not in chat.text
    await chat.say("stop")
    await chat.tap("yes")


async def _rows(db: Database) -> tuple[list[str], list[tuple[object, ...]]]:
    async with db.engine.connect() as conn:
        result = await conn.execute(text("SELECT * FROM report_starts"))
        return list(result.keys()), [tuple(row) for row in result.all()]


async def test_the_limit_holds_across_restarts_and_processes(
    database: Database, clock: FrozenClock
) -> None:
    config = make_config(privacy={"max_reports_per_hour": 3})
    one, other = ReportService(config, database, clock), ReportService(config, database, clock)
    await _start_and_stop(Chat(one, user="nina"))
    await _start_and_stop(Chat(other, user="nina"), "/anoniem")  # a second process
    await _start_and_stop(Chat(one, user="nina"))
    restarted = Chat(ReportService(config, database, clock), user="nina")
    await restarted.command("/melden")
    assert LIMITED in restarted.text
    await _start_and_stop(Chat(ReportService(config, database, clock), user="omar"))


async def test_the_stored_counter_holds_no_address_reference_or_minute(
    database: Database, clock: FrozenClock
) -> None:
    config = make_config(privacy={"max_reports_per_hour": 3})
    await _start_and_stop(Chat(ReportService(config, database, clock), user="nina"), "/anoniem")
    columns, rows = await _rows(database)
    assert set(columns) == {"person", "hour", "starts"}  # no reference, no report id
    assert len(rows) == 1
    row = dict(zip(columns, rows[0], strict=True))
    assert "nina" not in str(row["person"]) and row["starts"] == 1
    stored = datetime.fromisoformat(str(row["hour"]))  # SQLite: naive UTC; PostgreSQL: aware
    if stored.tzinfo is not None:
        stored = stored.astimezone(UTC).replace(tzinfo=None)
    assert stored == datetime(2026, 11, 18, 9, 0)  # the hour, not the minute (it is 09:30)


async def test_old_counters_expire(database: Database, clock: FrozenClock) -> None:
    config = make_config(privacy={"max_reports_per_hour": 3})
    await _start_and_stop(Chat(ReportService(config, database, clock), user="nina"))
    assert len((await _rows(database))[1]) == 1
    clock.advance(timedelta(hours=2, minutes=1))
    await Sweeper(config, database, clock).housekeeping()
    assert (await _rows(database))[1] == []
    await _start_and_stop(Chat(ReportService(config, database, clock), user="nina"))
    clock.advance(timedelta(hours=2))
    await _start_and_stop(Chat(ReportService(config, database, clock), user="omar"))
    assert len((await _rows(database))[1]) == 1  # a start also clears what has expired


async def test_counts_read_in_a_transaction_decide_its_starts(database: Database) -> None:
    """On SQLite a start is counted with the COMMIT, decided from what the transaction read;
    the answers are the same as the one statement's elsewhere, also for a second start in the
    same transaction, and nothing is counted when the transaction is rolled back."""
    hour = datetime(2026, 11, 18, 9, tzinfo=UTC)
    async with database.transaction() as store:
        assert await store.starts_since("p", hour - timedelta(hours=1)) == {}
        assert await store.count_start("p", hour, allowed=1)
        assert not await store.count_start("p", hour, allowed=1)  # the hour holds one now
        assert await store.count_start("p", hour, allowed=2)
    try:
        async with database.transaction() as store:
            assert await store.starts_since("p", hour) == {hour: 2}
            assert await store.count_start("p", hour, allowed=3)
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    async with database.transaction() as store:
        assert await store.starts_since("p", hour) == {hour: 2}


async def test_an_hour_not_read_is_counted_by_the_statement(database: Database) -> None:
    """What the transaction read decides only for the hours it read."""
    hour = datetime(2026, 11, 18, 9, tzinfo=UTC)
    async with database.transaction() as store:
        assert await store.count_start("p", hour, allowed=5)
        assert await store.count_start("p", hour, allowed=5)
    async with database.transaction() as store:
        assert await store.starts_since("p", hour + timedelta(hours=1)) == {}  # not 9:00
        assert not await store.count_start("p", hour, allowed=2)  # 9:00 holds two
