from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage import migrate
from storage.db import Database
from tests.helpers import NOW, make_config

PG_URL = os.environ.get("VIMBOT_TEST_DATABASE_URL")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def config() -> Config:
    return make_config()


async def _postgres_database() -> tuple[Database, str]:
    """A fresh schema per test on the test server, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(PG_URL or "")
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    db = Database(PG_URL or "", connect_args={"server_settings": {"search_path": schema}})
    return db, schema


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Database]:
    """The migrated database, on SQLite and (when VIMBOT_TEST_DATABASE_URL is set) PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'vimbot.db'}")
        await migrate.upgrade(db)
        yield db
        await db.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need VIMBOT_TEST_DATABASE_URL (set by .ci/run)")
    db, schema = await _postgres_database()
    await migrate.upgrade(db)
    yield db
    await db.dispose()
    admin = Database(PG_URL)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture
async def sqlite_db(tmp_path) -> AsyncIterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'vimbot.db'}")
    await migrate.upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture
def service(config: Config, sqlite_db: Database, clock: FrozenClock) -> ReportService:
    return ReportService(config, sqlite_db, clock)
