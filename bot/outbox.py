"""Delivery of queued messages (notifications to leaders, channels, the coordinator).

Messages wait in the ``outbox`` table until a sender for their platform delivers them. A
temporary failure (network, 5xx, rate limit) is retried with back-off, honouring the
platform's ``retry_after``; a permanent one (the person blocked the bot) is recorded and
not retried. Nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog

from bot.clock import Clock
from bot.events import (
    COARSE,
    Outbound,
    delivered_at,
    later,
    outbound_from_payload,
    ready,
    settled,
)
from storage.db import Database
from storage.repository import Store

log = structlog.get_logger("vimbot.outbox")

MAX_ATTEMPTS = 12
MAX_BACKOFF = timedelta(hours=1)

# The longest one delivery may take. Each platform call has its own timeout where the
# senders are built: Slack's client (slack_sdk's AsyncWebClient in bot/adapters/slack/app.py)
# gives a call 30 s and retries a broken connection once; a Telegram call gives up after 15 s
# (connect, write and read timeouts of bot/adapters/telegram/transport.py, PTB does not
# retry), though a long text goes out in parts. The dispatcher enforces the product itself,
# so it holds whatever a sender does: a send that takes longer is a temporary failure.
SEND_TIMEOUT = timedelta(seconds=30)
SEND_TRIES = 2
DELIVERY_LIMIT = SEND_TIMEOUT * SEND_TRIES
# A claimed message is not claimed again before its lease ends. It must outlast one
# delivery, so that the holder has sent (or given up) before anyone else may take the row
# over; five deliveries' worth lets a batch run a while before its leases need renewing.
LEASE = DELIVERY_LIMIT * 5
# Before each send the holder renews the batch's leases when less than this is left: one
# delivery, plus one more as a margin for recording it and for clocks that differ a little
# between processes. A holder that stalled past its lease learns here that its rows were
# taken over, and does not send them.
RENEW_BELOW = DELIVERY_LIMIT * 2


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
    lost: int = 0  # taken over by another process after this one's lease ran out

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.lost


ROUND = 100  # messages one delivery round claims at most


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … up to an hour."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


Outcome = tuple[str, str | None, timedelta | None]  # status, error, retry in


# Renders a message's document instruction ("quarterly/2026-Q3") into (file name, bytes).
Renderer = Callable[[str], Awaitable[tuple[str, bytes]]]


class Dispatcher:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        senders: dict[str, Sender],
        render: Renderer | None = None,
    ) -> None:
        self.db, self.clock, self.senders = db, clock, senders
        self.render = render

    async def dispatch_due(self, limit: int = ROUND) -> DispatchResult:
        """Claim what is due; send each message outside any transaction and record its
        outcome right after, in a short transaction of its own.

        Claiming writes a fresh token into the rows and moves their ``due_at`` forward by a
        lease. A crash re-sends at most the message in flight: each one before it was
        recorded, and those after it become due again when the lease ends. Only the token's
        holder may record an outcome or renew the lease, so a process that stalled past its
        lease while another took its rows over neither records nor sends them.
        """
        result = DispatchResult()
        if not self.senders:
            return result
        token = secrets.token_hex(16)
        now = self.clock.now()
        async with self.db.transaction() as store:
            claimed = [
                (m.id, m.address, dict(m.payload), m.attempts)
                for m in await store.due_messages(now, list(self.senders), limit)
                if ready(m.payload, now)  # a held message waits for its moment
            ]
            await self._hold(store, claimed, token, now)
        held_until = now + LEASE
        lost: set[int] = set()
        for index, (message_id, address, payload, attempts) in enumerate(claimed):
            if held_until - self.clock.now() < RENEW_BELOW:
                rest = [m for m in claimed[index:] if m[0] not in lost]
                held_until = self.clock.now() + LEASE
                async with self.db.transaction() as store:
                    kept = await self._hold(store, rest, token, self.clock.now(), renew=True)
                    lost.update({m[0] for m in rest} - kept)
            if message_id not in lost:
                status, error, retry_in = await self._deliver(
                    message_id, address, payload, attempts
                )
                async with self.db.transaction() as store:
                    done_at = self.clock.now()
                    retry_at = None if retry_in is None else later(payload, done_at, retry_in)
                    recorded = await store.record_delivery(
                        message_id,
                        token,
                        status,
                        delivered_at(payload, done_at),
                        error,
                        retry_at,
                        settled(payload),
                    )
                if recorded:
                    result.sent += status == "sent"
                    result.retried += status == "pending"
                    result.failed += status == "failed"
                    continue
            result.lost += 1
            log.warning("outbox_claim_taken_over", outbox_id=message_id)
        return result

    @staticmethod
    async def _hold(
        store: Store,
        messages: list[tuple[int, str, dict[str, Any], int]],
        token: str,
        now: datetime,
        renew: bool = False,
    ) -> set[int]:
        """Claim (or renew) the messages' lease under ``token``; the ids still held. A lease
        on a message about an anonymous report ends on the hour, like its other moments."""
        kept: set[int] = set()
        for is_coarse in (False, True):
            ids = [m[0] for m in messages if bool(m[2].get(COARSE)) is is_coarse]
            if not ids:
                continue
            until = later({COARSE: is_coarse}, now, LEASE)
            if renew:
                kept |= await store.renew_claims(ids, token, until)
            else:
                await store.claim_messages(ids, token, until)
                kept |= set(ids)
        return kept

    async def _deliver(
        self, message_id: int, address: str, payload: dict[str, Any], attempts: int
    ) -> Outcome:
        platform, _, recipient = address.partition(":")
        message = outbound_from_payload(payload, address)
        try:
            async with asyncio.timeout(DELIVERY_LIMIT.total_seconds()):
                if message.document is not None and self.render is not None:
                    message = await self._with_document(message_id, message)
                await self.senders[platform].send(recipient, message)
        except TimeoutError:
            return self._retry(TemporaryFailure("no answer within the delivery limit"), attempts)
        except TemporaryFailure as problem:
            return self._retry(problem, attempts)
        except PermanentFailure as problem:
            log.warning("outbox_undeliverable", outbox_id=message_id, platform=platform)
            return "failed", str(problem), None
        return "sent", None, None

    async def _with_document(self, message_id: int, message: Outbound) -> Outbound:
        """The message with its document, made now, in memory, for this send only (never
        stored as a file). A document that can't be made holds nothing back: the text goes
        without it, and the log says so."""
        assert self.render is not None and message.document is not None
        try:
            attachment = await self.render(message.document)
        except Exception:
            log.warning("outbox_document_not_made", outbox_id=message_id, exc_info=True)
            return message
        return dataclasses.replace(message, attachment=attachment)

    @staticmethod
    def _retry(problem: TemporaryFailure, attempts: int) -> Outcome:
        if attempts + 1 >= MAX_ATTEMPTS:
            return "failed", str(problem), None
        wait = backoff(attempts + 1)
        if problem.retry_after is not None:  # the platform said when: do as it says
            wait = timedelta(seconds=problem.retry_after)
        return "pending", str(problem), wait
