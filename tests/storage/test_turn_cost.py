"""What an ordinary report turn costs the database: its SQL statements and, on SQLite, its
trips to the database thread. A regression guard: the numbers are today's, exactly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Inbound, InboundKind
from bot.service import ReportService
from storage.db import Database
from tests.helpers import Chat


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    """Every statement sent to the database, in order, as its verb and its table."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.split(None, 1)[0].upper()
        table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
        sent.append(f"{verb} {table.group(1)}" if table else statement.strip())

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def test_an_ordinary_report_turn(
    database: Database,
    config: Config,
    clock: FrozenClock,
    statements: list[str],
    trips: list[str],
) -> None:
    service = ReportService(config, database, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.command("/melden")
    await chat.tap("no")  # no danger: the flow asks what happened
    statements.clear()
    trips.clear()
    # the description, typed, delivered once (a platform's update id)
    outcome = await service.handle(
        Inbound(
            platform="shell",
            chat_id="nina",
            user_id="nina",
            kind=InboundKind.TEXT,
            text="Mevrouw is gevallen naast het bed",
            user_name="Nina",
            dedupe_key="shell:update-3",
        )
    )
    assert outcome.replies  # the next question
    counted = f"{len(statements)} statements {statements}, {len(trips)} trips {trips}"
    # the person and the conversation read, the update claimed, the conversation saved (upsert)
    turn = [
        "SELECT people",
        "SELECT conversations",
        "INSERT processed_updates",
        "INSERT conversations",
    ]
    if database.is_sqlite:
        assert statements == ["BEGIN IMMEDIATE", *turn], counted
        assert trips == ["_run"] * 5 + ["_end"], counted  # a trip a statement, and the commit
    else:
        assert statements == turn, counted
        assert trips == [], counted  # (asyncpg: no thread)
