"""Delivery of queued notifications: sent once, retried with back-off, failures recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.events import Outbound
from bot.outbox import Dispatcher, PermanentFailure, TemporaryFailure
from storage.db import Database
from storage.models import OutboxMessage


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


async def _message(db: Database) -> OutboxMessage:
    async with db.transaction() as store:
        return (await store.session.execute(select(OutboxMessage))).scalar_one()


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
