"""Delivery of queued notifications: sent once, retried with back-off, failures recorded."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from bot import outbox
from bot.clock import FrozenClock
from bot.events import Outbound
from bot.outbox import (
    DELIVERY_LIMIT,
    LEASE,
    Dispatcher,
    PermanentFailure,
    TemporaryFailure,
    backoff,
)
from storage.db import Database
from storage.models import OutboxMessage
from tests.helpers import table_rows


class FakeSender:
    def __init__(self, failures: list[Exception | None]) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    async def send(self, recipient: str, message: Outbound) -> None:
        failure = self.failures.pop(0) if self.failures else None
        if failure:
            raise failure
        self.sent.append((recipient, message.text))


async def _queue(db: Database, clock: FrozenClock, address: str = "telegram:7") -> None:
    async with db.transaction() as store:
        await store.enqueue(address, {"text": "Nieuwe melding"}, clock.now())


async def _queue_to(db: Database, clock: FrozenClock, people: int) -> None:
    """A message queued to each of telegram:1 … telegram:``people``."""
    for number in range(1, people + 1):
        await _queue(db, clock, f"telegram:{number}")


async def _message(db: Database) -> OutboxMessage:
    [message] = await table_rows(db, OutboxMessage)
    return message


async def test_sent_once(database: Database, clock: FrozenClock) -> None:
    sender = FakeSender([])
    dispatcher = Dispatcher(database, clock, {"telegram": sender})
    await _queue(database, clock)
    await _queue(database, clock, "slack:U1")  # no Slack sender here: stays queued
    assert (await dispatcher.dispatch_due()).sent == 1
    assert (await dispatcher.dispatch_due()).sent == 0
    assert sender.sent == [("7", "Nieuwe melding")]


async def test_rate_limit_is_honoured_then_delivered(database: Database, clock: FrozenClock):
    sender = FakeSender([TemporaryFailure("429", retry_after=120)])
    dispatcher = Dispatcher(database, clock, {"telegram": sender})
    await _queue(database, clock)
    assert (await dispatcher.dispatch_due()).retried == 1
    message = await _message(database)
    assert message.status == "pending" and message.due_at == clock.now() + timedelta(seconds=120)
    clock.advance(timedelta(seconds=60))
    assert (await dispatcher.dispatch_due()).sent == 0  # not yet
    clock.advance(timedelta(seconds=61))
    assert (await dispatcher.dispatch_due()).sent == 1
    assert (await _message(database)).attempts == 2


async def test_permanent_failure_is_recorded_not_retried(database: Database, clock: FrozenClock):
    sender = FakeSender([PermanentFailure("bot was blocked by the user")])
    dispatcher = Dispatcher(database, clock, {"telegram": sender})
    await _queue(database, clock)
    assert (await dispatcher.dispatch_due()).failed == 1
    message = await _message(database)
    assert message.status == "failed" and "blocked" in (message.last_error or "")
    clock.advance(timedelta(days=1))
    assert (await dispatcher.dispatch_due()).sent == 0


class Crash(BaseException):
    """The process dies (kill -9): nothing after this point runs, no handler sees it."""


class Log:
    """Every send of every dispatcher, in order: (dispatcher, recipient)."""

    def __init__(self) -> None:
        self.sends: list[tuple[str, str]] = []


class LoggingSender:
    def __init__(self, log: Log, name: str, crash_at: int | None = None) -> None:
        self.log, self.name, self.crash_at = log, name, crash_at
        self.calls = 0

    async def send(self, recipient: str, message: Outbound) -> None:
        self.calls += 1
        self.log.sends.append((self.name, recipient))
        if self.calls == self.crash_at:  # handed to the platform, then the process dies
            raise Crash


async def _statuses(db: Database) -> dict[str, tuple[str, int]]:
    rows = await table_rows(db, OutboxMessage)
    return {m.address: (m.status, m.attempts) for m in rows}


async def test_a_crash_re_sends_at_most_the_message_in_flight(
    database: Database, clock: FrozenClock
) -> None:
    await _queue_to(database, clock, 30)
    log = Log()
    dying = Dispatcher(database, clock, {"telegram": LoggingSender(log, "first", crash_at=13)})
    with pytest.raises(Crash):
        await dying.dispatch_due()
    assert len(log.sends) == 13  # 12 delivered and recorded, the 13th in flight
    clock.advance(LEASE + timedelta(seconds=1))  # what the dead process claimed comes back
    fresh = Dispatcher(database, clock, {"telegram": LoggingSender(log, "second")})
    await fresh.dispatch_due()
    per_recipient = Counter(recipient for _, recipient in log.sends)
    assert set(per_recipient) == {str(n) for n in range(1, 31)}  # every message delivered
    assert len(log.sends) <= 31
    assert [r for r, times in per_recipient.items() if times > 1] in ([], ["13"])
    assert {status for status, _ in (await _statuses(database)).values()} == {"sent"}


async def test_a_holder_stalled_past_its_lease_can_neither_record_nor_send(
    database: Database, clock: FrozenClock
) -> None:
    await _queue_to(database, clock, 2)
    log = Log()
    started, release = asyncio.Event(), asyncio.Event()

    class StallingSender(LoggingSender):
        async def send(self, recipient: str, message: Outbound) -> None:
            started.set()
            await release.wait()  # the process hangs (swapped out, paused) mid-batch
            await super().send(recipient, message)

    stalled = Dispatcher(database, clock, {"telegram": StallingSender(log, "stalled")})
    first = asyncio.create_task(stalled.dispatch_due())
    await started.wait()
    clock.advance(LEASE + timedelta(seconds=1))
    second = Dispatcher(database, clock, {"telegram": LoggingSender(log, "second")})
    assert (await second.dispatch_due()).sent == 2  # the lease ran out: it takes both over
    release.set()
    outcome = await first
    assert outcome.sent == 0 and outcome.lost == 2  # its result for the one in flight is refused …
    assert ("stalled", "2") not in log.sends  # … and it does not send what it no longer holds
    assert await _statuses(database) == {"telegram:1": ("sent", 1), "telegram:2": ("sent", 1)}


async def test_a_long_batch_renews_its_lease_so_nobody_takes_it_over(
    database: Database, clock: FrozenClock
) -> None:
    await _queue_to(database, clock, 6)
    log = Log()
    other = Dispatcher(database, clock, {"telegram": LoggingSender(log, "other")})
    taken: list[int] = []

    class SlowSender(LoggingSender):
        async def send(self, recipient: str, message: Outbound) -> None:
            await super().send(recipient, message)
            clock.advance(DELIVERY_LIMIT)  # each send takes as long as a send may
            taken.append((await other.dispatch_due()).sent)  # another process tries meanwhile

    outcome = await Dispatcher(
        database, clock, {"telegram": SlowSender(log, "slow")}
    ).dispatch_due()
    assert outcome.sent == 6 and taken == [0] * 6
    assert sorted(recipient for _, recipient in log.sends) == [str(n) for n in range(1, 7)]


async def test_a_send_that_hangs_is_cut_off_and_retried(
    database: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "DELIVERY_LIMIT", timedelta(milliseconds=50))

    class HangingSender:
        async def send(self, recipient: str, message: Outbound) -> None:
            await asyncio.Event().wait()

    await _queue(database, clock)
    assert (
        await Dispatcher(database, clock, {"telegram": HangingSender()}).dispatch_due()
    ).retried == 1
    message = await _message(database)
    assert message.status == "pending" and message.claim_token is None
    assert message.due_at == clock.now() + backoff(1)
