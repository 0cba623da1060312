"""Delivery of queued messages (notifications to leaders, channels, the coordinator).

Messages wait in the ``outbox`` table until a sender for their platform delivers them. A
temporary failure (network, 5xx, rate limit) is retried with back-off, honouring the
platform's ``retry_after``; a permanent one (the person blocked the bot) is recorded and
not retried. Nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import structlog

from bot.clock import Clock
from bot.events import Outbound, outbound_from_payload
from storage.db import Database

log = structlog.get_logger("vimbot.outbox")

MAX_ATTEMPTS = 12
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=5)  # a claimed message is not claimed again before this


class TemporaryFailure(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    pass


class Sender(Protocol):
    async def send(self, recipient: str, message: Outbound) -> None:
        """Deliver to the platform-specific id (the part after ``platform:``)."""


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Dispatcher:
    def __init__(self, db: Database, clock: Clock, senders: dict[str, Sender]) -> None:
        self.db, self.clock, self.senders = db, clock, senders

    async def dispatch_due(self, limit: int = 100) -> DispatchResult:
        """Claim what is due, send it outside any transaction, then record the outcome.

        Claiming moves ``due_at`` forward by a lease, so a second process (or a crash during
        sending) can't lose a message: an unrecorded one becomes due again after the lease.
        """
        result = DispatchResult()
        if not self.senders:
            return result
        now = self.clock.now()
        async with self.db.transaction() as store:
            claimed = [
                (m.id, m.address, dict(m.payload), m.attempts)
                for m in await store.due_messages(now, list(self.senders), limit)
            ]
            await store.postpone([m[0] for m in claimed], now + LEASE)
        outcomes: list[tuple[int, str, str | None, timedelta | None]] = []
        for message_id, address, payload, attempts in claimed:
            platform, _, recipient = address.partition(":")
            try:
                await self.senders[platform].send(
                    recipient, outbound_from_payload(payload, address)
                )
            except TemporaryFailure as problem:
                if attempts + 1 >= MAX_ATTEMPTS:
                    outcomes.append((message_id, "failed", str(problem), None))
                    result.failed += 1
                    continue
                wait: timedelta = backoff(attempts + 1)
                if problem.retry_after is not None:  # the platform said when: do as it says
                    wait = timedelta(seconds=problem.retry_after)
                outcomes.append((message_id, "pending", str(problem), wait))
                result.retried += 1
            except PermanentFailure as problem:
                outcomes.append((message_id, "failed", str(problem), None))
                result.failed += 1
                log.warning("outbox_undeliverable", outbox_id=message_id, platform=platform)
            else:
                outcomes.append((message_id, "sent", None, None))
                result.sent += 1
        if outcomes:
            async with self.db.transaction() as store:
                done_at = self.clock.now()
                for message_id, status, error, retry_in in outcomes:
                    await store.record_delivery(message_id, status, done_at, error, retry_in)
        return result
