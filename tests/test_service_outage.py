"""A database that fails during a turn (issue 11, item 10): the turn is retried briefly; when
it still fails the person gets the friendly message and the outcome says "not stored", so the
adapter does not acknowledge the update and the platform delivers it again. A bug in a turn
is different: the friendly message, logged, acknowledged."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Inbound, InboundKind
from bot.service import ReportService
from storage import migrate
from storage.db import Database
from storage.models import ProcessedUpdate
from tests.fakes.tcp_proxy import TcpProxy
from tests.helpers import SORRY, Outage, count_rows

PG_URL = os.environ.get("VIMBOT_TEST_DATABASE_URL")


def _help(update: int) -> Inbound:
    return Inbound(
        platform="telegram",
        chat_id="4242",
        user_id="4242",
        kind=InboundKind.COMMAND,
        text="/help",
        dedupe_key=f"telegram:1:{update}",
    )


def _quick(service: ReportService) -> ReportService:
    service.turn_retry_pauses = (0.0, 0.0)  # retried at once: tests don't wait
    return service


async def test_a_dropped_connection_is_retried_within_the_turn(
    config: Config, database: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _quick(ReportService(config, database, clock))
    outage = Outage(monkeypatch)
    outage.remaining = 1  # the first commit fails, the retry succeeds
    outcome = await service.handle(_help(1))
    assert outage.failed == 1 and not outcome.unavailable
    assert "Met mij meld je" in outcome.replies[0].text
    assert await count_rows(database, ProcessedUpdate) == 1


async def test_database_down_the_update_is_not_stored_and_is_processed_when_redelivered(
    config: Config, database: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _quick(ReportService(config, database, clock))
    outage = Outage(monkeypatch)
    outage.active = True
    outcome = await service.handle(_help(2))
    assert outcome.unavailable and SORRY in outcome.replies[0].text
    assert outage.failed == 3  # tried three times
    outage.active = False
    assert await count_rows(database, ProcessedUpdate) == 0  # the claim was rolled back
    again = await service.handle(_help(2))  # the platform delivers it again
    assert not again.duplicate and not again.unavailable
    assert "Met mij meld je" in again.replies[0].text
    assert (await service.handle(_help(2))).duplicate  # and once is enough


async def test_a_bug_in_a_turn_is_not_a_database_outage(
    config: Config, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _quick(ReportService(config, sqlite_db, clock))

    async def broken(*args: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(ReportService, "_turns", broken)
    outcome = await service.handle(_help(3))
    assert SORRY in outcome.replies[0].text and not outcome.unavailable


@pytest.mark.skipif(not PG_URL, reason="needs VIMBOT_TEST_DATABASE_URL")
async def test_postgres_going_away_and_coming_back(config: Config, clock: FrozenClock) -> None:
    """The real thing: the connections to PostgreSQL are dropped and refused, then it's back."""
    target = make_url(PG_URL or "")
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(PG_URL or "")
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    db = Database(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await migrate.upgrade(db)
        service = _quick(ReportService(config, db, clock))
        assert not (await service.handle(_help(10))).unavailable
        await proxy.cut()  # the pooled connection is dropped, new ones are refused
        outcome = await service.handle(_help(11))
        assert outcome.unavailable and SORRY in outcome.replies[0].text
        await proxy.start()
        again = await service.handle(_help(11))
        assert not again.unavailable and "Met mij meld je" in again.replies[0].text
        assert await count_rows(db, ProcessedUpdate) == 2
    finally:
        await db.dispose()
        await proxy.cut()
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()
