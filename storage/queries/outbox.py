"""The outbox: messages waiting for delivery, their claims and their outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from storage import crypto
from storage.models import OutboxMessage
from storage.queries.base import StoreBase
from storage.queries.tables import OUTBOX


class OutboxQueries(StoreBase):
    __slots__ = ()

    async def enqueue(
        self,
        address: str,
        payload: dict[str, Any],
        now: datetime,
        report_id: int | None = None,
        due_at: datetime | None = None,
    ) -> None:
        values = {
            "address": address,
            "address_hash": crypto.current().lookup(address),
            "platform": address.partition(":")[0],
            "payload": payload,
            "report_id": report_id,
            "created_at": now,
            "due_at": due_at or now,
            "status": "pending",
            "attempts": 0,
        }
        if not await self._insert_later(OUTBOX, [values]):
            self._session.add(OutboxMessage(**values))

    async def pending_for(self, address: str) -> Sequence[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.address_hash.in_(crypto.current().lookups(address)),
                OutboxMessage.status == "pending",
            )
            .order_by(OutboxMessage.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def due_messages(
        self, now: datetime, platforms: Sequence[str], limit: int = 100
    ) -> Sequence[OutboxMessage]:
        """Pending messages due now for the given platforms, locked (SKIP LOCKED on PostgreSQL)."""
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.due_at <= now,
                OutboxMessage.platform.in_(list(platforms)),
            )
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def claim_messages(self, message_ids: Sequence[int], token: str, until: datetime) -> None:
        """Hold the messages under ``token`` until ``until`` (their lease: not due before)."""
        if message_ids:
            await self._connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(message_ids))
                .values(claim_token=token, due_at=until)
            )

    async def renew_claims(
        self, message_ids: Sequence[int], token: str, until: datetime
    ) -> set[int]:
        """Extend the lease of those messages still pending and held by ``token``: their ids."""
        if not message_ids:
            return set()
        result = await self._connection.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(message_ids),
                OUTBOX.c.claim_token == token,
                OUTBOX.c.status == "pending",
            )
            .values(due_at=until)
            .returning(OUTBOX.c.id)
        )
        return set(result.scalars().all())

    async def record_delivery(
        self,
        message_id: int,
        token: str,
        status: str,
        now: datetime,
        error: str | None,
        retry_at: datetime | None,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """The outcome of one delivery attempt, written only by the holder of the message's
        claim (and ending it). False, and nothing written, when the claim was taken over."""
        values: dict[str, Any] = {
            "attempts": OUTBOX.c.attempts + 1,
            "status": status,
            "last_error": error[:500] if error else None,
            "claim_token": None,
        }
        if status == "sent":
            values["sent_at"] = now
            if payload is not None:  # what it keeps once delivered
                values["payload"] = payload
        if retry_at is not None:
            values["due_at"] = retry_at
        elif status != "pending":
            values["due_at"] = now  # settled: no lease or delay moment stays behind
        result = await self._connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == message_id, OUTBOX.c.claim_token == token)
            .values(values)
            .returning(OUTBOX.c.id)
        )
        return result.scalar_one_or_none() is not None
