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
from storage import sqlite_driver
from storage.db import Database
from tests.helpers import Chat


def _named(statement: str) -> str:
    """A statement as its verb and its table ("SELECT people")."""
    verb = statement.split(None, 1)[0].upper()
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
    return f"{verb} {table.group(1)}" if table else statement.strip()


@pytest.fixture
def statements(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the database runs, in order (SQLite: as SQLite itself traced them,
    also those sent without SQLAlchemy)."""
    sent: list[str] = []
    if database.is_sqlite:
        original = sqlite_driver._with_begin

        def traced(conn: Any, *args: Any) -> Any:
            conn.set_trace_callback(lambda statement: sent.append(_named(statement)))
            try:
                return original(conn, *args)
            finally:
                conn.set_trace_callback(None)

        monkeypatch.setattr(sqlite_driver, "_with_begin", traced)
        yield sent
        return

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(_named(statement))

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
    if database.is_sqlite:
        # the person and the conversation read and the update claimed in one trip (with what
        # a report sent in the same batch would need: the counters, the last report's id);
        # the conversation's new state written with the COMMIT in the second
        assert statements == [
            "BEGIN IMMEDIATE",
            "SELECT people",
            "SELECT conversations",
            "INSERT processed_updates",
            "SELECT reference_counters",
            "SELECT reports",
            "UPDATE conversations",
            "COMMIT",
        ], counted
        assert trips == ["read_turns", "_end"], counted
    else:
        assert statements == [
            "SELECT people",
            "SELECT conversations",
            "INSERT processed_updates",
            "INSERT conversations",
        ], counted
        assert trips == [], counted  # (asyncpg: no thread)


async def test_a_redelivered_update_changes_nothing(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    """The claim is read in the same trip as the rest: a redelivery is still recognised, and
    the draft stays as the first delivery left it."""
    service = ReportService(config, database, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.command("/melden")
    update = Inbound(
        platform="shell",
        chat_id="nina",
        user_id="nina",
        kind=InboundKind.CHOICE,
        choices=("no",),
        user_name="Nina",
        dedupe_key="shell:update-2",
    )
    first = await service.handle(update)
    again = await service.handle(update)
    assert first.replies and not first.duplicate
    assert again.duplicate and not again.replies
    # the flow is where the first delivery left it: the description is asked for
    described = await chat.say("Mevrouw is gevallen naast het bed")
    assert described and described[-1].options  # "Wanneer gebeurde het?" with its buttons


async def test_the_turn_that_sends_a_report(
    database: Database,
    config: Config,
    clock: FrozenClock,
    statements: list[str],
    trips: list[str],
) -> None:
    """The heaviest turn of a report: the report, its number, its history, its nudges, the
    notice to the team leader. New history and outbox rows and the conversation's end wait
    for the next trip (on SQLite): no trip of their own."""
    from tests.helpers import send_form

    service = ReportService(config, database, clock)
    await service.welcome("shell:nina")  # the connection made (its set-up is no turn's cost)
    statements.clear()
    trips.clear()
    outcome = await send_form(service)
    assert outcome.reference
    counted = f"{len(statements)} statements {statements}, {len(trips)} trips {trips}"
    assert statements.count("INSERT reports") == 1, counted
    assert "INSERT report_events" in statements, counted  # created, notified (one or two)
    assert statements.count("INSERT outbox") == 1, counted  # the team leader's notice
    if database.is_sqlite:
        # the person (with BEGIN), the number and the report (its id is needed), each as
        # SQLite's own SQL, then the COMMIT with the rest: the history, the person kept, the
        # nudges, the notice
        assert trips == ["_run", "fetch_all", "fetch_all", "_end"], counted


async def test_the_turn_that_starts_a_report(
    database: Database,
    config: Config,
    clock: FrozenClock,
    statements: list[str],
    trips: list[str],
) -> None:
    """A start is counted for the flood limit: on SQLite this person's counts are read with
    the turn (a "/melden" may start a report), and the old counts' deletion and the new count
    go with the COMMIT (the transaction holds SQLite's one writer from its first statement,
    so what it read stays true; the deletion only touches hours it did not read)."""
    service = ReportService(config, database, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.command("/help")
    statements.clear()
    trips.clear()
    assert "gevaar" in (await chat.command("/melden"))[-1].text
    counted = f"{len(statements)} statements {statements}, {len(trips)} trips {trips}"
    assert statements.count("DELETE report_starts") == 1, counted
    assert statements.count("SELECT report_starts") == 1, counted
    assert statements.count("INSERT report_starts") == 1, counted
    if database.is_sqlite:
        assert trips == ["read_turns", "_end"], counted


async def test_a_delivery_round(
    database: Database, clock: FrozenClock, statements: list[str]
) -> None:
    """What the outbox costs a notification: the round claims it (one SELECT, one UPDATE),
    the outcome is recorded (one UPDATE); an empty round is one SELECT."""
    from bot.events import Outbound, payload_of
    from bot.outbox import Dispatcher

    sent: list[str] = []

    class Sender:
        async def send(self, recipient: str, message: Outbound) -> None:
            sent.append(recipient)

    dispatcher = Dispatcher(database, clock, {"shell": Sender()})
    async with database.transaction() as store:
        await store.enqueue("shell:lead", payload_of(Outbound("Nieuwe melding")), clock.now())
    statements.clear()
    result = await dispatcher.dispatch_due()
    assert result.sent == 1 and sent == ["lead"]
    work = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "PRAGMA"))]
    assert work == ["SELECT outbox", "UPDATE outbox", "UPDATE outbox"], statements
    statements.clear()
    assert (await dispatcher.dispatch_due()).handled == 0
    assert [s for s in statements if not s.startswith(("BEGIN", "COMMIT"))] == ["SELECT outbox"]


async def test_a_batch_reads_each_table_once(
    database: Database, config: Config, clock: FrozenClock, statements: list[str]
) -> None:
    """Turns that wait together are read with a statement per table, whatever their number
    (each statement hands the GIL between aiosqlite's thread and the event loop)."""
    import asyncio

    if not database.is_sqlite:
        pytest.skip("turns share a transaction on SQLite only (one writer)")
    service = ReportService(config, database, clock)
    chats = [Chat(service, user=f"p{n}", name=f"P{n}") for n in range(5)]
    for chat in chats:
        await chat.command("/melden")
        await chat.tap("no")
    statements.clear()
    described = [
        Inbound(
            platform="shell",
            chat_id=chat.user,
            user_id=chat.user,
            kind=InboundKind.TEXT,
            text="Mevrouw is gevallen naast het bed",
            user_name=chat.name,
            dedupe_key=f"shell:d{n}",
        )
        for n, chat in enumerate(chats)
    ]
    outcomes = await asyncio.gather(*(service.handle(event) for event in described))
    assert all(outcome.replies for outcome in outcomes)
    reads = [s for s in statements if s.startswith("SELECT") or "processed" in s]
    assert reads == [
        "SELECT people",
        "SELECT conversations",
        "INSERT processed_updates",
        "SELECT reference_counters",
        "SELECT reports",
    ], statements
    assert statements.count("UPDATE conversations") == 5  # each turn's own state
