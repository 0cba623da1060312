"""A named reporter's identity: encrypted at rest (SQLite files, a PostgreSQL dump), found
through keyed hashes that survive a key rotation, and erased from every copy on request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Outbound
from bot.privacy import erase_person, rotate_keys
from bot.service import ReportService
from storage import crypto, migrate
from storage.db import Database
from storage.models import Conversation, OutboxMessage
from tests.conftest import PG_URL
from tests.helpers import Chat, copy_sqlite, count_rows, make_config, table_rows

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
    await chat.report(send=send)
    return chat


async def _sqlite(path: Path, template: Path) -> Database:
    return copy_sqlite(template, path)


def _file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, free pages and old frames included."""
    files = (path, path.with_name(path.name + "-wal"))
    return b"".join(f.read_bytes() for f in files if f.exists())


def _assert_nowhere(raw: bytes | str) -> None:
    data = raw.encode() if isinstance(raw, str) else raw
    for secret in SECRETS:
        assert secret.encode() not in data, secret


async def _outbox_payloads(db: Database) -> str:
    messages = await table_rows(db, OutboxMessage)
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

    assert (await erase_person(sqlite_db, ADDRESS, clock.now())).reports == 2
    payloads = await _outbox_payloads(sqlite_db)
    assert payloads and NAME not in payloads and "Verbeek" not in payloads
    assert "[verwijderd]" in payloads  # the leader's message still goes, without the name
    [pending] = await service.inbox("shell:lead-noord")
    assert "VIM-2026-0002" in pending.text and "Verbeek" not in pending.text


async def test_erase_leaves_the_name_in_no_byte_of_the_sqlite_files(
    tmp_path: Path, clock: FrozenClock, sqlite_template: Path
) -> None:
    """Without a key the name was written in clear: after the erasure no free page, no old
    frame of the write-ahead log holds it any more."""
    path = tmp_path / "vimbot.db"
    db = await _sqlite(path, sqlite_template)
    service = ReportService(_config(), db, clock)
    await _report(service)
    await service.inbox("shell:lead-noord")
    await _report(service)
    assert NAME.encode() in _file_bytes(path)
    await erase_person(db, ADDRESS, clock.now())
    _assert_nowhere(_file_bytes(path))
    await db.dispose()


# ---- identities encrypted at rest -----------------------------------------------------------


async def _named_report_and_follow_up(service: ReportService) -> None:
    chat = await _report(service)
    await chat.command("/status")
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press("case:VIM-2026-0001", "contact")
    await chat.command("/melden")  # a draft in progress
    await chat.tap("no")


async def test_with_a_key_the_sqlite_files_hold_no_name_or_platform_id(
    tmp_path: Path, clock: FrozenClock, sqlite_template: Path
) -> None:
    crypto.configure(crypto.new_key())
    path = tmp_path / "vimbot.db"
    db = await _sqlite(path, sqlite_template)
    await _named_report_and_follow_up(ReportService(_config(), db, clock))
    _assert_nowhere(_file_bytes(path))
    await db.dispose()


async def test_with_a_key_a_postgresql_dump_holds_no_name_or_platform_id(
    database: Database, clock: FrozenClock
) -> None:
    if database.is_sqlite:
        pytest.skip("pg_dump is PostgreSQL's: the SQLite file is checked by the test above")
    if not PG_URL:
        pytest.skip("a pg_dump needs PostgreSQL (VIMBOT_TEST_DATABASE_URL)")
    crypto.configure(crypto.new_key())
    await _named_report_and_follow_up(ReportService(_config(), database, clock))
    url = make_url(database.url)  # a database of its own (tests/conftest.py)
    dump = await asyncio.create_subprocess_exec(
        "pg_dump",
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        str(url.database),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await dump.communicate()
    assert dump.returncode == 0 and b"VIM-2026-0001" in out
    _assert_nowhere(out)


# ---- lookups survive a key rotation -------------------------------------------------------


def _service_with_a_key(db: Database, clock: FrozenClock) -> tuple[ReportService, str]:
    """The service, its data encrypted with a new key: the service and the key."""
    key = crypto.new_key()
    crypto.configure(key)
    return ReportService(_config(), db, clock), key


async def test_an_anonymous_code_is_still_found_after_rotate_key(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service, old = _service_with_a_key(sqlite_db, clock)
    chat = await _report(service, send="send_anonymous")
    code = chat.code
    assert await service.status_by_code("shell:someone", code) is not None

    new = crypto.new_key()
    crypto.configure(f"{new},{old}")
    await rotate_keys(sqlite_db)
    assert await service.status_by_code("shell:someone", code) is not None


# ---- migration 0007 --------------------------------------------------------------------------

ROWS = {
    "people": (
        "INSERT INTO people (address, name, language, team_id, created_at) "
        "VALUES (:address, :name, 'nl', 'noord', :at)"
    ),
    "conversations": (
        "INSERT INTO conversations (platform, chat_id, flow, state, created_at, updated_at) "
        "VALUES ('shell', :user, 'report', '{\"step\": \"when\"}', :at, :at)"
    ),
    "outbox": (
        "INSERT INTO outbox (address, payload, created_at, due_at, status, attempts) "
        "VALUES (:address, '{\"text\": \"Hallo\"}', :at, :at, 'pending', 0)"
    ),
    "audit_log": (
        "INSERT INTO audit_log (at, actor, action, reference, channel, detail) "
        "VALUES (:at, :address, 'view', 'VIM-2026-0001', 'shell', '{}')"
    ),
    "reports": (
        "INSERT INTO reports (id, reference, created_at, occurred_on, description, categories,"
        " affected, report_type, harm, possible_calamity, danger_at_start, contact_wish, status,"
        " anonymous, language) VALUES (1, 'VIM-2026-0001', :at, '2026-11-18', 'Gevallen',"
        " '[]', '[]', 'MIC', 'none', false, false, 'team_leader', 'new', false, 'nl')"
    ),
    "report_events": (
        "INSERT INTO report_events (report_id, at, kind, actor, data) "
        "VALUES (1, :at, 'created', :address, '{}')"
    ),
}


async def test_migration_0007_encrypts_the_identities_already_stored(
    database: Database, tmp_path: Path
) -> None:
    crypto.configure(crypto.new_key())
    await migrate.downgrade(database, "0006")
    at = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    at_value = at if not database.is_sqlite else at.replace(tzinfo=None).isoformat(" ")
    params = {"address": ADDRESS, "name": NAME, "user": USER, "at": at_value}
    async with database.engine.begin() as conn:
        for statement in ROWS.values():
            await conn.execute(text(statement), params)

    await migrate.upgrade(database)
    async with database.engine.connect() as conn:
        stored = [
            [tuple(row) for row in await conn.execute(text(f"SELECT * FROM {table}"))]
            for table in ROWS
        ]
    _assert_nowhere(repr(stored))
    if database.is_sqlite:
        _assert_nowhere(_file_bytes(Path(str(make_url(database.url).database))))

    async with database.transaction() as store:  # and everything is found again
        person = await store.get_person(ADDRESS)
        assert person is not None and person.name == NAME
        assert await store.load_conversation("shell", USER) is not None
        assert len(await store.pending_for(ADDRESS)) == 1


async def test_people_drafts_and_messages_are_found_during_and_after_a_rotation(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service, old = _service_with_a_key(sqlite_db, clock)
    await _report(service)
    chat = Chat(service, user=USER, name=NAME)
    await chat.command("/melden")
    await chat.tap("no")
    await service.queue(ADDRESS, Outbound("Een bericht voor jou"))

    new = crypto.new_key()
    crypto.configure(f"{new},{old}")  # the new key first, before rotate-key has run
    await chat.say("Een beschrijving in concept")  # the same draft goes on, not a new one
    async with sqlite_db.transaction() as store:
        assert (await store.get_person(ADDRESS)) is not None
        assert len(await store.pending_for(ADDRESS)) == 1
    await rotate_keys(sqlite_db)
    crypto.configure(new)  # the old key is gone
    async with sqlite_db.transaction() as store:
        person = await store.get_person(ADDRESS)
        assert person is not None and person.name == NAME
        draft = await store.load_conversation("shell", USER)
        assert draft is not None and "Een beschrijving" in json.dumps(draft.state)
        assert len(await store.pending_for(ADDRESS)) == 1
        assert [r.reference for r in await store.reports_of(ADDRESS, 10)] == ["VIM-2026-0001"]
    assert await count_rows(sqlite_db, Conversation) == 1
