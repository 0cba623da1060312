"""SQLite with one trip to aiosqlite's thread per statement (storage/sqlite_driver.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite
import pytest
from sqlalchemy import text

from storage.db import Database
from storage.sqlite_driver import OneTripConnection

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


async def test_a_turn_takes_one_trip_per_statement(db: Database, trips: list[str]) -> None:
    async with db.transaction() as store:  # warm the pool: the connection exists
        await store.load_conversation("shell", "warm")
    trips.clear()
    async with db.transaction() as store:
        assert await store.load_conversation("shell", "a") is None
        await store.save_conversation("shell", "a", "report", {"flow": "report"}, NOW)
        assert await store.claim_update("shell:1", NOW)
    # SELECT (with the BEGIN IMMEDIATE), upsert of the conversation, INSERT of the processed
    # update, COMMIT — and no rollback when the connection goes back to the pool after it.
    assert trips == ["_run"] * 3 + ["_end"]


async def test_a_transaction_that_runs_nothing_takes_no_trip(
    db: Database, trips: list[str]
) -> None:
    async with db.transaction() as store:  # warm the pool: the connection exists
        await store.load_conversation("shell", "warm")
    trips.clear()
    async with db.transaction():
        pass
    assert trips == []
    async with db.transaction() as store:  # and the next one begins as it should
        await store.save_conversation("shell", "b", "report", {"flow": "report"}, NOW)
    async with db.transaction() as store:
        assert await store.load_conversation("shell", "b") is not None


async def test_rows_rowcounts_and_many(db: Database) -> None:
    async with db.transaction() as store:
        for n in range(3):
            await store.save_conversation("shell", f"c{n}", "report", {"n": n}, NOW)
    async with db.engine.begin() as conn:
        result = await conn.execute(
            text("UPDATE conversations SET flow = 'reply' WHERE chat_id != 'c0'")
        )
        assert result.rowcount == 2
        await conn.execute(
            text("INSERT INTO processed_updates (key, at) VALUES (:key, :at)"),
            [{"key": f"k{n}", "at": NOW} for n in range(5)],  # executemany
        )
        rows = (await conn.execute(text("SELECT key FROM processed_updates ORDER BY key"))).all()
        assert [r.key for r in rows] == [f"k{n}" for n in range(5)]
    async with db.transaction() as store:
        row = await store.load_conversation("shell", "c2")
        assert row is not None and row.flow == "reply" and row.state == {"n": 2}


async def test_a_failed_turn_is_rolled_back(db: Database, trips: list[str]) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as store:
            await store.save_conversation("shell", "x", "report", {"half": True}, NOW)
            raise RuntimeError("the turn failed")
    assert "_end" in trips  # the open transaction was really rolled back
    async with db.transaction() as store:
        assert await store.load_conversation("shell", "x") is None
        await store.enqueue("shell:y", {"text": "hallo"}, NOW)  # through the ORM session
    async with db.transaction() as store:
        assert [m.payload for m in await store.pending_for("shell:y")] == [{"text": "hallo"}]


async def test_errors_are_the_database_errors_sqlalchemy_knows(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    async with db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, aiosqlite.Connection)
        assert isinstance(raw.dbapi_connection, OneTripConnection)
        with pytest.raises(OperationalError):
            await conn.execute(text("SELECT * FROM no_such_table"))
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as conn:
            for _ in range(2):
                await conn.execute(
                    text("INSERT INTO processed_updates (key, at) VALUES ('same', :at)"),
                    {"at": NOW},
                )


async def test_streaming_still_works(db: Database) -> None:
    async with db.transaction() as store:
        for n in range(7):
            await store.save_conversation("shell", f"s{n}", "report", {"n": n}, NOW)
    async with db.engine.connect() as conn:
        result = await conn.stream(text("SELECT chat_id FROM conversations ORDER BY chat_id"))
        assert [row.chat_id async for row in result] == [f"s{n}" for n in range(7)]


async def test_transactions_take_turns_on_one_connection(db: Database) -> None:
    """SQLite's transactions run one at a time on one connection kept for them (no checkout
    from the pool for each); a failed one leaves it usable."""
    async with db.transaction():
        pass
    first = db._writer
    assert first is not None and db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            raise RuntimeError("the turn failed")
    async with db.transaction() as store:
        assert db._writer is first
        await store.save_conversation("shell", "c", "report", {"n": 1}, NOW)
    async with db.transaction() as store:
        assert await store.load_conversation("shell", "c") is not None
    await db.dispose()  # the kept connection is closed too: nothing left checked out
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_deferred_rows_are_seen_by_a_later_read_and_lost_with_a_rollback(
    db: Database, trips: list[str]
) -> None:
    """New outbox and history rows wait for the transaction's next trip: a read after them
    in the same transaction sees them (they go first, in that trip), a rollback drops them,
    and a commit writes them, in the order they were made."""
    async with db.transaction() as store:
        await store.enqueue("shell:a", {"text": "een"}, NOW)
        await store.enqueue("shell:a", {"text": "twee"}, NOW)
        assert [m.payload["text"] for m in await store.pending_for("shell:a")] == ["een", "twee"]
    with pytest.raises(RuntimeError):
        async with db.transaction() as store:
            await store.enqueue("shell:b", {"text": "weg"}, NOW)
            raise RuntimeError("the turn failed")
    trips.clear()
    async with db.transaction() as store:  # nothing of the failed one, and it begins anew
        assert await store.pending_for("shell:b") == []
        assert [m.payload["text"] for m in await store.pending_for("shell:a")] == ["een", "twee"]
    assert trips[-1] == "_end"


async def test_deferred_rows_go_with_the_commit_alone(db: Database, trips: list[str]) -> None:
    """A transaction whose only statements are deferred ones takes one trip: BEGIN, the rows
    and the COMMIT together; the values are stored as the ORM stores them."""
    async with db.transaction() as store:  # warm: the kept connection exists
        await store.load_conversation("shell", "warm")
    trips.clear()
    async with db.transaction() as store:
        await store.enqueue("shell:c", {"text": "drie", "n": 3}, NOW)
    assert trips == ["_end"]
    async with db.transaction() as store:
        (message,) = await store.pending_for("shell:c")
    assert message.payload == {"text": "drie", "n": 3}
    assert message.created_at == NOW and message.due_at == NOW  # aware UTC, as written
    assert message.status == "pending" and message.attempts == 0


async def test_a_failed_commit_leaves_the_connection_usable(db: Database) -> None:
    """A write that fails at COMMIT (a deferred row breaking a foreign key) fails that
    transaction only: the kept connection ends it, holds no lock, and the next works."""
    import sqlite3

    from sqlalchemy.engine import make_url

    async with db.transaction() as store:  # warm: the kept connection exists
        await store.load_conversation("shell", "warm")
    with pytest.raises(Exception, match="FOREIGN KEY"):
        async with db.transaction() as store:
            await store.save_conversation("shell", "a", "report", {"n": 1}, NOW)
            await store.add_event(999_999, "created", NOW)  # deferred: fails at the COMMIT
    other = sqlite3.connect(make_url(db.url).database, timeout=0.2)  # another process
    other.execute("BEGIN IMMEDIATE")  # the write lock is free
    other.rollback()
    other.close()
    async with db.transaction() as store:
        assert await store.load_conversation("shell", "a") is None  # rolled back whole
        await store.save_conversation("shell", "b", "report", {"n": 2}, NOW)
    async with db.transaction() as store:
        assert await store.load_conversation("shell", "b") is not None


async def test_a_streamed_read_runs_inside_the_transaction(db: Database) -> None:
    """A read through a server-side cursor (``stream_scalars``: key rotation) sends the
    pending BEGIN IMMEDIATE first: another process can't write between it and the commit."""
    import sqlite3

    from sqlalchemy.engine import make_url

    async with db.transaction() as store:
        await store.enqueue("shell:a", {"text": "uitgesteld"}, NOW)
    async with db.transaction() as store:
        await store.enqueue("shell:z", {"text": "ook uitgesteld"}, NOW)  # deferred
        touched = await store.reencrypt("outbox")  # streams the rows
        other = sqlite3.connect(make_url(db.url).database, timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # the transaction holds the write lock
        other.close()
    assert touched == 2  # the deferred row was written before the read
