"""The queries of the people's rights and of keeping only what is needed (AVG): key
rotation, access, erasure and retention. What to do with the rows is ``bot.privacy``'s."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm.attributes import flag_modified

from storage import crypto
from storage.models import (
    Conversation,
    OutboxMessage,
    Person,
    Report,
    ReporterMessage,
    ReportEvent,
)
from storage.queries.base import StoreBase
from storage.queries.tables import chat_key

# The encrypted columns of each table, in the order key rotation rewrites them (a transaction
# each); the audit log's actors have their own rewrite (``rewrite_audit_actors``).
ENCRYPTED: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "reports": (
        Report,
        (
            "description",
            "category_other",
            "measures",
            "reporter_address",
            "reporter_name",
            "triage_reason",
            "feedback",
            "shareable_lesson",
            "retention_hold_reason",
            "analysis",
            "progress_reports",
        ),
    ),
    "report_events": (ReportEvent, ("actor",)),
    "people": (Person, ("address", "name")),
    "conversations": (Conversation, ("chat_id", "state")),
    "outbox": (OutboxMessage, ("address", "payload")),
    "reporter_messages": (ReporterMessage, ("text",)),
}
ALL_ROWS = 100_000  # "every report of a person": a bound, not a page


def _rehash(row: Any, cipher: crypto.Cipher) -> None:
    if isinstance(row, Report) and row.reporter_address:
        row.reporter_hash = cipher.lookup(row.reporter_address)
    elif isinstance(row, Person):
        row.address_hash = cipher.lookup(row.address)
    elif isinstance(row, Conversation):
        row.chat_hash = cipher.lookup(chat_key(row.platform, row.chat_id))
    elif isinstance(row, OutboxMessage):
        row.address_hash = cipher.lookup(row.address)


class PrivacyQueries(StoreBase):
    __slots__ = ()

    async def reencrypt(self, table: str, batch: int = 500) -> int:
        """Write every row of ``table`` (a key of :data:`ENCRYPTED`) again: its encrypted
        values with the current first key, its keyed hashes that can be computed again
        made with it. Returns the rows touched."""
        model, columns = ENCRYPTED[table]
        cipher = crypto.current()
        touched = 0
        result = await self._session.stream_scalars(
            select(model).execution_options(yield_per=batch)
        )
        async for row in result:
            for column in columns:
                flag_modified(row, column)  # written again, so encrypted with the new key
            _rehash(row, cipher)
            touched += 1
        return touched

    async def reports_by_reporter(self, address: str) -> Sequence[Report]:
        """Every report ``address`` made under their name, oldest first."""
        stmt = (
            select(Report)
            .where(Report.reporter_hash.in_(crypto.current().lookups(address)))
            .order_by(Report.id)
            .limit(ALL_ROWS)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def mailbox_of(self, report_ids: Sequence[int]) -> Sequence[ReporterMessage]:
        """Every mailbox message (status notes too) of these reports, in order."""
        stmt = (
            select(ReporterMessage)
            .where(ReporterMessage.report_id.in_(list(report_ids)))
            .order_by(ReporterMessage.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def outbox_to(self, address: str) -> Sequence[OutboxMessage]:
        """Every message to ``address`` still in the outbox (sent or not), in order."""
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.address_hash.in_(crypto.current().lookups(address)))
            .order_by(OutboxMessage.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def delete_outbox_to(self, address: str) -> None:
        hashes = crypto.current().lookups(address)
        await self._session.execute(
            delete(OutboxMessage).where(OutboxMessage.address_hash.in_(hashes))
        )

    async def outbox_about(self, report_ids: Sequence[int]) -> Sequence[OutboxMessage]:
        """The messages about these reports (to anyone). Change a payload and it is stored
        when the transaction commits."""
        stmt = select(OutboxMessage).where(OutboxMessage.report_id.in_(list(report_ids)))
        return (await self._session.execute(stmt)).scalars().all()

    async def reports_past_retention(self, cutoff: datetime, limit: int) -> Sequence[Report]:
        """Reports closed before ``cutoff`` that still hold personal data and are not held
        (§13), oldest first."""
        stmt = (
            select(Report)
            .where(
                Report.closed_at.is_not(None),
                Report.closed_at < cutoff,
                Report.personal_data_removed_at.is_(None),
                Report.retention_held_at.is_(None),
            )
            .order_by(Report.id)
            .limit(limit)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def forget_messages_of(self, report_id: int) -> None:
        """A report's mailbox and its messages in the outbox, deleted."""
        await self._session.execute(
            delete(ReporterMessage).where(ReporterMessage.report_id == report_id)
        )
        await self._session.execute(
            delete(OutboxMessage).where(OutboxMessage.report_id == report_id)
        )
