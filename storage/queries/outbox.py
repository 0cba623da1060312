"""The outbox: messages waiting for delivery, their claims and their outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

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
    ) -> list[DueMessage]:
        """Pending messages due now for the given platforms, locked (SKIP LOCKED on PostgreSQL)."""
        result = await self._connection.execute(
            STATEMENTS.due, {"now": now, "platforms": list(platforms), "limit": limit}
        )
        return [DueMessage(*row) for row in result]

    async def claim_messages(self, message_ids: Sequence[int], token: str, until: datetime) -> None:
        """Hold the messages under ``token`` until ``until`` (their lease: not due before)."""
        if message_ids:
            await self._connection.execute(
                STATEMENTS.claim, {"ids": list(message_ids), "token": token, "until": until}
            )

    async def renew_claims(
        self, message_ids: Sequence[int], token: str, until: datetime
    ) -> set[int]:
        """Extend the lease of those messages still pending and held by ``token``: their ids."""
        if not message_ids:
            return set()
        result = await self._connection.execute(
            STATEMENTS.renew, {"ids": list(message_ids), "token": token, "until": until}
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
        values: dict[str, Any] = {"status": status, "last_error": error[:500] if error else None}
        if status == "sent":
            values["sent_at"] = now
            if payload is not None:  # what it keeps once delivered
                values["payload"] = payload
        if retry_at is not None:
            values["due_at"] = retry_at
        elif status != "pending":
            values["due_at"] = now  # settled: no lease or delay moment stays behind
        statement = STATEMENTS.record(tuple(values))
        result = await self._connection.execute(
            statement, {**values, "message_id": message_id, "token": token}
        )
        return result.scalar_one_or_none() is not None


@dataclass(frozen=True, slots=True)
class DueMessage:
    """A message the dispatcher may claim: which, to whom, what, and how often tried."""

    id: int
    address: str
    payload: dict[str, Any]
    attempts: int


class OutboxStatements:
    """The dispatcher's statements, built once (it runs after every report and every minute:
    building a statement anew cost more than running it)."""

    def __init__(self) -> None:
        c = OUTBOX.c
        self.due = (
            select(c.id, c.address, c.payload, c.attempts)
            .where(
                c.status == "pending",
                c.due_at <= bindparam("now", type_=c.due_at.type),
                c.platform.in_(bindparam("platforms", expanding=True)),
            )
            .order_by(c.due_at, c.id)
            .limit(bindparam("limit"))
            .with_for_update(skip_locked=True)
        )
        held = c.id.in_(bindparam("ids", expanding=True))
        until = bindparam("until", type_=c.due_at.type)
        self.claim = update(OUTBOX).where(held).values(claim_token=bindparam("token"), due_at=until)
        self.renew = (
            update(OUTBOX)
            .where(held, c.claim_token == bindparam("token"), c.status == "pending")
            .values(due_at=until)
            .returning(c.id)
        )
        self._records: dict[tuple[str, ...], Any] = {}

    def record(self, columns: tuple[str, ...]) -> Any:
        """The outcome's UPDATE for these columns (one per kind of outcome), by the holder."""
        if columns not in self._records:
            c = OUTBOX.c
            values: dict[str, Any] = {name: bindparam(name, type_=c[name].type) for name in columns}
            values.update(attempts=c.attempts + 1, claim_token=None)
            self._records[columns] = (
                update(OUTBOX)
                .where(c.id == bindparam("message_id"), c.claim_token == bindparam("token"))
                .values(values)
                .returning(c.id)
            )
        return self._records[columns]


STATEMENTS = OutboxStatements()  # the same for every dialect: compiled per dialect when run
