"""Turns that wait for SQLite's writer together share one transaction (bot/batching.py): two
trips for the lot instead of two each, and still all or nothing, in order per chat."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.batching import Alone, TurnBatches
from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Inbound, InboundKind
from bot.outcome import Outcome
from bot.router import Router
from bot.service import ReportService
from bot.turn import Turn
from storage.db import Database
from storage.models import ProcessedUpdate, Report
from tests.helpers import SORRY, Chat, Outage, answer_report, count_rows, table_rows

DESCRIPTION = "Mevrouw is gevallen naast het bed"


def _typed(chat: Chat, text: str, update: str) -> Inbound:
    return Inbound(
        platform=chat.platform,
        chat_id=chat.user,
        user_id=chat.user,
        kind=InboundKind.TEXT,
        text=text,
        user_name=chat.name,
        dedupe_key=f"shell:{update}",
    )


def _described(chat: Chat, update: str) -> Inbound:
    return _typed(chat, DESCRIPTION, update)


async def _at_description(service: ReportService, count: int) -> list[Chat]:
    """``count`` people, each asked what happened."""
    chats = [Chat(service, user=f"p{n}", name=f"P{n}") for n in range(count)]
    for chat in chats:
        await chat.command("/melden")
        await chat.tap("no")  # no danger: the flow asks what happened
    return chats


def _asks_when(outcome: Outcome) -> bool:
    return any(reply.options and "Wanneer" in reply.text for reply in outcome.replies)


async def test_turns_waiting_together_take_two_trips_in_all(
    config: Config, sqlite_db: Database, clock: FrozenClock, trips: list[str]
) -> None:
    service = ReportService(config, sqlite_db, clock)
    chats = await _at_description(service, 10)
    trips.clear()
    outcomes = await asyncio.gather(
        *(service.handle(_described(chat, f"d{n}")) for n, chat in enumerate(chats))
    )
    assert all(_asks_when(outcome) for outcome in outcomes)
    assert trips == ["read_turns", "_end"]  # ten reads in one trip, ten writes with the COMMIT
    assert await count_rows(sqlite_db, ProcessedUpdate) == 10
    # each draft went on: asked again, each person hears the time question
    for chat in chats:
        resumed = await service.resume("shell", chat.user, f"shell:{chat.user}")
        assert resumed and "Wanneer" in resumed[-1].text


async def test_a_bug_in_one_turn_leaves_the_others_stored(
    config: Config,
    sqlite_db: Database,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    trips: list[str],
) -> None:
    service = ReportService(config, sqlite_db, clock)
    chats = await _at_description(service, 4)
    route = Router.route

    async def broken_for_p2(self: Router, turn: Turn) -> Outcome:
        if turn.event.chat_id == "p2":
            raise KeyError("a bug")
        return await route(self, turn)

    monkeypatch.setattr(Router, "route", broken_for_p2)
    trips.clear()
    outcomes = await asyncio.gather(
        *(service.handle(_described(chat, f"d{n}")) for n, chat in enumerate(chats))
    )
    # the batch was rolled back; each turn then ran on its own, and only p2's failed
    assert trips[:2] == ["read_turns", "_end"] and len(trips) > 2
    assert SORRY in outcomes[2].replies[0].text and not outcomes[2].unavailable
    assert all(_asks_when(outcomes[n]) for n in (0, 1, 3))
    assert await count_rows(sqlite_db, ProcessedUpdate) == 3  # p2's update is not kept
    monkeypatch.setattr(Router, "route", route)
    again = await service.handle(_described(chats[2], "d2-again"))
    assert _asks_when(again)  # p2's draft is as it was: still asked what happened


async def test_a_failed_commit_is_tried_again_turn_by_turn(
    config: Config, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ReportService(config, sqlite_db, clock)
    service.turn_retry_pauses = (0.0, 0.0)
    chats = await _at_description(service, 5)
    outage = Outage(monkeypatch)
    outage.remaining = 1  # the batch's COMMIT fails (the connection was lost)
    outcomes = await asyncio.gather(
        *(service.handle(_described(chat, f"d{n}")) for n, chat in enumerate(chats))
    )
    assert outage.failed == 1
    assert all(_asks_when(outcome) and not outcome.unavailable for outcome in outcomes)
    assert await count_rows(sqlite_db, ProcessedUpdate) == 5


async def test_a_redelivery_in_a_batch_is_skipped_and_the_rest_handled(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(config, sqlite_db, clock)
    chats = await _at_description(service, 3)
    first = await service.handle(_described(chats[0], "d0"))
    assert _asks_when(first)
    outcomes = await asyncio.gather(
        *(service.handle(_described(chat, f"d{n}")) for n, chat in enumerate(chats))
    )
    assert outcomes[0].duplicate and not outcomes[0].replies
    assert _asks_when(outcomes[1]) and _asks_when(outcomes[2])


async def test_turns_of_one_chat_keep_their_order(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(config, sqlite_db, clock)
    (chat,) = await _at_description(service, 1)
    typed = _typed(chat, "vandaag", "t1")
    described, when = await asyncio.gather(
        service.handle(_described(chat, "d1")), service.handle(typed)
    )
    assert _asks_when(described)
    assert when.replies and not _asks_when(when)  # "vandaag" answered it: the next question


async def test_a_stopped_batch_lets_its_turns_go_alone() -> None:
    started = asyncio.Event()

    async def never(events: Sequence[Inbound]) -> Sequence[Outcome]:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("not reached")

    batches = TurnBatches(never)
    event = Inbound(platform="shell", chat_id="a", user_id="a", kind=InboundKind.TEXT, text="x")
    waiting = asyncio.ensure_future(batches.handle(event))
    await started.wait()
    later = asyncio.ensure_future(batches.handle(event))  # queued behind the running batch
    await asyncio.sleep(0)
    assert batches._draining is not None
    batches._draining.cancel()
    assert await waiting == Alone() and await later == Alone()


async def test_batches_hold_at_most_their_limit() -> None:
    sizes: list[int] = []

    async def count(events: Sequence[Inbound]) -> Sequence[Outcome]:
        sizes.append(len(events))
        return [Outcome() for _ in events]

    batches = TurnBatches(count, limit=3)
    events = [
        Inbound(platform="shell", chat_id=str(n), user_id=str(n), kind=InboundKind.TEXT, text="x")
        for n in range(7)
    ]
    outcomes = await asyncio.gather(*(batches.handle(event) for event in events))
    assert sizes == [3, 3, 1] and all(isinstance(o, Outcome) for o in outcomes)


async def _ready_to_send(service: ReportService, user: str) -> Chat:
    chat = Chat(service, user=user, name=user.title())
    await chat.command("/melden")
    await answer_report(chat, DESCRIPTION, "today", "none")
    if chat.question is not None and "team" in (chat.question.token or ""):
        await chat.tap("noord")
    await chat.tap("team_leader")
    return chat


async def test_reports_sent_together_are_numbered_in_their_batch(
    config: Config, sqlite_db: Database, clock: FrozenClock, trips: list[str]
) -> None:
    """A batch read the year counters and the last report's id while it holds SQLite's one
    writer: its reports take the next numbers and ids and are written with its COMMIT."""
    service = ReportService(config, sqlite_db, clock)
    alone = await _ready_to_send(service, "nina")
    trips.clear()
    await alone.tap("send")
    assert trips == ["read_turns", "_end"]  # the whole report: no trip of its own
    chats = [await _ready_to_send(service, f"p{n}") for n in range(3)]
    sends = [
        Inbound(
            platform="shell",
            chat_id=chat.user,
            user_id=chat.user,
            kind=InboundKind.CHOICE,
            choices=("send",),
            token=chat.question.token if chat.question else None,
            user_name=chat.name,
        )
        for chat in chats
    ]
    outcomes = await asyncio.gather(*(service.handle(send) for send in sends))
    assert sorted(o.reference or "" for o in outcomes) == [
        "VIM-2026-0002",
        "VIM-2026-0003",
        "VIM-2026-0004",
    ]
    reports = await table_rows(sqlite_db, Report)
    assert sorted(r.id for r in reports) == [1, 2, 3, 4]
    async with sqlite_db.transaction() as store:
        for report in reports:  # each report's history is its own
            assert [e.kind for e in await store.events_of(report.id)] == ["created", "notified"]
    await (await _ready_to_send(service, "omar")).tap("send")
    assert (await table_rows(sqlite_db, Report))[-1].reference == "VIM-2026-0005"


async def _queued(batches: TurnBatches, count: int) -> None:
    """Until ``count`` turns wait for the next batch (the loop runs the others meanwhile)."""
    for _ in range(1000):
        if len(batches._waiting) >= count:
            return
        await asyncio.sleep(0)  # a step of the event loop, not a pause
    raise AssertionError(f"{count} turns never waited")


class _Held:
    """Router.route, held at the turns of one chat until ``go`` is set."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, chat_id: str) -> None:
        self.entered, self.go = asyncio.Event(), asyncio.Event()
        route = Router.route

        async def held(router: Router, turn: Turn) -> Outcome:
            if turn.event.chat_id == chat_id:
                self.entered.set()
                await self.go.wait()
            return await route(router, turn)

        monkeypatch.setattr(Router, "route", held)


async def test_a_turn_cancelled_while_waiting_is_not_handled(
    config: Config, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ReportService(config, sqlite_db, clock)
    busy, victim = await _at_description(service, 2)
    held = _Held(monkeypatch, busy.user)
    batches = service._batches
    assert batches is not None
    running = asyncio.ensure_future(service.handle(_typed(busy, DESCRIPTION, "b1")))
    await held.entered.wait()  # the first batch holds the writer
    cancelled = asyncio.ensure_future(service.handle(_typed(victim, DESCRIPTION, "v1")))
    await _queued(batches, 1)
    cancelled.cancel()  # a shutdown, a timeout around handle()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    typed_next = asyncio.ensure_future(service.handle(_typed(victim, "vandaag", "v2")))
    await _queued(batches, 1)
    held.go.set()
    await running
    await typed_next
    keys = {row.key for row in await table_rows(sqlite_db, ProcessedUpdate)}
    assert "shell:v1" not in keys  # never handled: the person's draft did not take it


async def test_a_turn_cancelled_in_its_batch_keeps_its_chat_until_the_batch_ends(
    config: Config, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ReportService(config, sqlite_db, clock)
    busy, victim = await _at_description(service, 2)
    held = _Held(monkeypatch, busy.user)
    batches = service._batches
    assert batches is not None
    running = asyncio.ensure_future(service.handle(_typed(busy, DESCRIPTION, "b1")))
    cancelled = asyncio.ensure_future(service.handle(_typed(victim, DESCRIPTION, "v1")))
    await held.entered.wait()  # both in the running batch, the busy one first
    cancelled.cancel()
    typed_next = asyncio.ensure_future(service.handle(_typed(victim, "vandaag", "v2")))
    for _ in range(20):  # the next turn of the chat must not get into this batch's queue
        await asyncio.sleep(0)
    assert not batches._waiting
    held.go.set()
    await running
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    after = await typed_next
    assert not _asks_when(after)  # v1 was stored first: "vandaag" answered the time


async def test_the_same_update_twice_in_one_read_is_claimed_once(sqlite_db: Database) -> None:
    from datetime import UTC, datetime

    from storage.repository import TurnKey

    key = TurnKey("shell", "v", "shell:v", "shell:v1", "V", None)
    async with sqlite_db.transaction() as store:
        first, again = await store.load_turns([key, key], datetime(2026, 11, 18, tzinfo=UTC))
    assert first is not None and again is None


async def test_a_new_reports_unset_columns_are_null(sqlite_db: Database) -> None:
    from datetime import UTC, date, datetime

    from sqlalchemy import text

    async with sqlite_db.transaction() as store:
        await store.add_report(
            Report(
                reference="VIM-2026-0001",
                created_at=datetime(2026, 11, 18, tzinfo=UTC),
                occurred_on=date(2026, 11, 18),
                description="Gevallen",
                categories=["fall"],
                affected=["client"],
                report_type="MIC",
                harm="none",
                contact_wish="none",
            )
        )
    async with sqlite_db.engine.connect() as connection:
        row = (await connection.execute(text("SELECT causes IS NULL FROM reports"))).one()
    assert row[0] == 1
