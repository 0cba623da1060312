"""A named reporter's identity: encrypted at rest (SQLite files, a PostgreSQL dump), found
through keyed hashes that survive a key rotation, and erased from every copy on request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Outbound
from bot.flows.engine import SKIP
from bot.privacy import erase_person
from bot.service import ReportService
from storage import crypto, migrate
from storage.db import Database
from storage.models import OutboxMessage
from tests.helpers import Chat, make_config

NAME = "Nina Verbeek"
USER = "u4711nina"  # the platform id
ADDRESS = f"shell:{USER}"
SECRETS = (NAME, "Verbeek", USER)


@pytest.fixture(autouse=True)
def no_key() -> Iterator[None]:
    crypto.configure(None)
    yield
    crypto.configure(None)


def _config() -> Config:
    return make_config(
        teams=[
            {
                "id": "noord",
                "name": "Wijkteam Noord",
                "leaders": ["shell:lead-noord"],
                "members": [ADDRESS],
            },
            {"id": "zuid", "name": "Wijkteam Zuid", "leaders": ["shell:lead-zuid"]},
        ]
    )


async def _report(service: ReportService, send: str = "send") -> Chat:
    chat = Chat(service, user=USER, name=NAME)
    await chat.answer_up_to_harm("Mevrouw is gevallen naast het bed", when="today")
    await chat.tap("none")
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    await chat.tap(send)
    return chat


async def _sqlite(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    await migrate.upgrade(db)
    return db


def _file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, free pages and old frames included."""
    files = (path, path.with_name(path.name + "-wal"))
    return b"".join(f.read_bytes() for f in files if f.exists())


def _assert_nowhere(raw: bytes | str) -> None:
    data = raw.encode() if isinstance(raw, str) else raw
    for secret in SECRETS:
        assert secret.encode() not in data, secret


async def _outbox_payloads(db: Database) -> str:
    async with db.transaction() as store:
        messages = (await store.session.execute(select(OutboxMessage))).scalars().all()
        return "\n".join(json.dumps(m.payload, ensure_ascii=False) for m in messages)


# ---- erasure reaches the outbox -----------------------------------------------------------


async def test_erase_leaves_the_name_in_no_outbox_message_sent_or_pending(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(_config(), sqlite_db, clock)
    await _report(service)
    [delivered] = await service.inbox("shell:lead-noord")  # VIM-2026-0001: sent
    assert NAME in delivered.text
    await _report(service)  # VIM-2026-0002: its notification still waits
    await service.queue(ADDRESS, Outbound("Een bericht voor jou"))
    assert NAME in await _outbox_payloads(sqlite_db)

    assert await erase_person(sqlite_db, ADDRESS, clock.now()) == 2
    payloads = await _outbox_payloads(sqlite_db)
    assert payloads and NAME not in payloads and "Verbeek" not in payloads
    assert "[verwijderd]" in payloads  # the leader's message still goes, without the name
    [pending] = await service.inbox("shell:lead-noord")
    assert "VIM-2026-0002" in pending.text and "Verbeek" not in pending.text


async def test_erase_leaves_the_name_in_no_byte_of_the_sqlite_files(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Without a key the name was written in clear: after the erasure no free page, no old
    frame of the write-ahead log holds it any more."""
    path = tmp_path / "vimbot.db"
    db = await _sqlite(path)
    service = ReportService(_config(), db, clock)
    await _report(service)
    await service.inbox("shell:lead-noord")
    await _report(service)
    assert NAME.encode() in _file_bytes(path)
    await erase_person(db, ADDRESS, clock.now())
    _assert_nowhere(_file_bytes(path))
    await db.dispose()
