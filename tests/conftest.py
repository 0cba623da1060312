from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage import migrate, sqlite_driver
from storage.db import Database
from tests.helpers import EXAMPLE, NOW, copy_sqlite, make_config, process_state

PG_URL = os.environ.get("VIMBOT_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def _process_state() -> Iterator[None]:
    """What a test (or an in-process CLI run) sets for the whole process — the encryption
    keys, logging, structlog, the CLI's options — is put back after it."""
    with process_state():
        yield


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def config() -> Config:
    return make_config()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with config.toml: the example configuration on a SQLite file of its own."""
    config = EXAMPLE.read_text().replace(
        'url = "sqlite+aiosqlite:///vimbot.db"', f'url = "sqlite:///{tmp_path / "cli.db"}"'
    )
    (tmp_path / "config.toml").write_text(config)
    return tmp_path


# ---- one migrated template per session, copied per test ---------------------------------
#
# Running the Alembic migrations costs a test about 0.15 s (SQLite) to 0.25 s (PostgreSQL),
# most of the suite's database time. They run once per session into a template, and each
# test gets an exact copy of its result:
# - SQLite: the template file, closed cleanly (so its write-ahead log is checkpointed into
#   it), copied byte for byte.
# - PostgreSQL: a database per test, ``CREATE DATABASE … TEMPLATE``, which copies the
#   template's files on the server (about 40 ms). Not a schema per test: PostgreSQL cannot
#   clone a schema, and rebuilding one from captured DDL or ``CREATE TABLE … LIKE`` loses
#   foreign keys and shares sequences; per-test transactions rolled back at the end would
#   break the tests that commit from several engines or processes (leases, concurrency,
#   the outage tests). The test role therefore needs CREATEDB (``postgres`` has it).
# Tests of the migrations themselves (downgrade/upgrade, upgrades with old rows) run the
# real migrations on their copy, from whatever revision they go down to.


def _pg_url(database: str) -> str:
    return make_url(PG_URL or "").set(database=database).render_as_string(hide_password=False)


def _pg_admin_dsn() -> str:
    """The test server for asyncpg itself (no ``+asyncpg`` in the scheme)."""
    url = make_url(PG_URL or "").set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def _pg_admin(*statements: str) -> None:
    connection = await asyncpg.connect(_pg_admin_dsn())
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "vimbot.db"

    async def build() -> None:
        db = Database(f"sqlite:///{path}")
        await migrate.upgrade(db)
        await db.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """The name of a migrated template database on the test server (None without one)."""
    if not PG_URL:
        yield None
        return
    name = f"vimbot_tpl_{uuid.uuid4().hex[:12]}"

    async def build() -> None:
        await _pg_admin(f'CREATE DATABASE "{name}"')
        db = Database(_pg_url(name))
        await migrate.upgrade(db)
        await db.dispose()  # no connection may stay open to a template that is copied

    asyncio.run(build())
    yield name
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_template: str | None,
) -> AsyncIterator[Database]:
    """The migrated database, on SQLite and (when VIMBOT_TEST_DATABASE_URL is set) PostgreSQL."""
    if request.param == "sqlite":
        db = copy_sqlite(sqlite_template, tmp_path / "vimbot.db")
        yield db
        await db.dispose()
        return
    if pg_template is None:
        pytest.skip("PostgreSQL tests need VIMBOT_TEST_DATABASE_URL (set by .ci/run)")
    name = f"vimbot_t_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    db = Database(_pg_url(name))
    try:
        yield db
    finally:
        await db.dispose()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def sqlite_db(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Database]:
    db = copy_sqlite(sqlite_template, tmp_path / "vimbot.db")
    yield db
    await db.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call aiosqlite runs on its thread (SQLite's trips to the database), by name
    (of the function a one-trip call runs)."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counting(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        inner = args[3] if fn is sqlite_driver._with_begin else fn
        calls.append(getattr(inner, "__name__", repr(inner)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return calls


@pytest.fixture
def service(config: Config, sqlite_db: Database, clock: FrozenClock) -> ReportService:
    return ReportService(config, sqlite_db, clock)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures the corpus tests measured (understood/misread, category precision/recall)
    at the end of every run, so `make test` shows them without ``-s``."""
    from tests.corpus import SUMMARY

    if SUMMARY:
        terminalreporter.section("measured")
        for line in SUMMARY:
            terminalreporter.write_line(line)
