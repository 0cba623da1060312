"""Storage on SQLite and PostgreSQL: migrations, references, conversations, time zones."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import migrate
from storage.db import Database, normalise_url
from storage.models import Base


async def test_migrations_match_the_models(database: Database) -> None:
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
    assert await migrate.is_up_to_date(database)


async def test_downgrade_and_upgrade_again(database: Database) -> None:
    await migrate.downgrade(database, "base")
    assert await migrate.current_revision(database) is None
    await migrate.upgrade(database)
    assert await migrate.is_up_to_date(database)


async def test_reference_numbers_are_unique_under_concurrency(database: Database) -> None:
    async def take() -> int:
        async with database.transaction() as store:
            return await store.next_report_number(2026)

    numbers = await asyncio.gather(*(take() for _ in range(20)))
    assert sorted(numbers) == list(range(1, 21))


async def test_conversation_state_round_trip_and_delete(database: Database) -> None:
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    state = {"step": "when", "answers": {"description": "Cliënt viel 😢"}, "seq": 3}
    async with database.transaction() as store:
        await store.save_conversation("telegram", "42", "report", state, now)
    async with database.transaction() as store:
        state2 = dict(state, seq=4)
        await store.save_conversation("telegram", "42", "report", state2, now + timedelta(1))
    async with database.transaction() as store:
        row = await store.load_conversation("telegram", "42")
        assert row is not None and row.state["seq"] == 4
        assert row.state["answers"]["description"] == "Cliënt viel 😢"
        assert row.updated_at == now + timedelta(1) and row.created_at == now
        await store.delete_conversation("telegram", "42")
    async with database.transaction() as store:
        assert await store.load_conversation("telegram", "42") is None


async def test_timestamps_come_back_in_utc(database: Database) -> None:
    amsterdam = timezone(timedelta(hours=1))
    at = datetime(2026, 11, 18, 10, 30, tzinfo=amsterdam)
    async with database.transaction() as store:
        await store.keep_person(await store.person_for_turn("shell:x", at, "X", "nl"))
    async with database.transaction() as store:
        person = await store.get_person("shell:x")
        assert person is not None
        assert person.created_at == at and person.created_at.tzinfo is not None
        assert person.created_at.utcoffset() == timedelta(0)


async def test_a_failed_transaction_writes_nothing(database: Database) -> None:
    now = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        async with database.transaction() as store:
            await store.save_conversation("shell", "a", "report", {"step": "x"}, now)
            raise RuntimeError
    async with database.transaction() as store:
        assert await store.load_conversation("shell", "a") is None


def test_plain_urls_get_async_drivers() -> None:
    assert normalise_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert normalise_url("sqlite+aiosqlite:///y.db") == "sqlite+aiosqlite:///y.db"


async def test_a_new_report_reads_back_as_it_was_made(database: Database) -> None:
    """add_report stores every column (on SQLite as its own INSERT, outside the ORM's unit of
    work): encrypted texts, JSON, dates, and the columns' defaults, set on the object too."""
    from datetime import date

    from sqlalchemy import inspect

    from storage.models import Report

    made = Report(
        reference="VIM-2026-0042",
        created_at=datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
        discovered_at=datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
        occurred_on=date(2026, 11, 17),
        description="Mevrouw is gevallen naast het bed",
        categories=["fall"],
        affected=["client"],
        report_type="MIC",
        harm="none",
        team_id="noord",
        contact_wish="none",
        reporter_address="shell:nina",
        reporter_name="Nina",
        analysis={"method": "prisma", "causes": ["haast"]},
    )
    async with database.transaction() as store:
        await store.add_report(made)
        assert made.id is not None
        assert made.status == "new" and made.after_report == [] and made.language == "nl"
    async with database.transaction() as store:
        stored = await store.report_by_reference("VIM-2026-0042")
    assert stored is not None
    for column in inspect(Report).column_attrs:
        assert getattr(stored, column.key) == getattr(made, column.key), column.key
