"""The audit log: append-only (there is no update or delete here but key rotation's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from storage import crypto
from storage.models import AuditEntry
from storage.queries.base import StoreBase
from storage.queries.tables import AUDIT


def _audit_guard(dialect: str, lift: bool) -> list[str]:
    """The statements that lift or restore the audit log's append-only triggers (as made by
    migration 0004)."""
    if dialect == "postgresql":
        if lift:
            return ["DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"]
        return [
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        ]
    if lift:
        return [f"DROP TRIGGER IF EXISTS audit_log_no_{e}" for e in ("update", "delete")]
    return [
        f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        for event in ("UPDATE", "DELETE")
    ]


class AuditQueries(StoreBase):
    __slots__ = ()

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        reference: str | None,
        channel: str,
        detail: dict[str, Any],
    ) -> None:
        self._session.add(
            AuditEntry(
                at=at,
                actor=actor,
                actor_hash=crypto.current().lookup(actor),
                action=action,
                reference=reference,
                channel=channel,
                detail=detail,
            )
        )

    async def audit_of(self, reference: str) -> Sequence[AuditEntry]:
        stmt = select(AuditEntry).where(AuditEntry.reference == reference).order_by(AuditEntry.id)
        return (await self._session.execute(stmt)).scalars().all()

    async def audit_by_actor(self, actor: str) -> Sequence[AuditEntry]:
        """What ``actor`` did, in order (their right of access)."""
        stmt = (
            select(AuditEntry)
            .where(AuditEntry.actor_hash.in_(crypto.current().lookups(actor)))
            .order_by(AuditEntry.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def rewrite_audit_actors(self) -> int:
        """Key rotation: every actor encrypted and hashed again with the first key.

        The log is append-only: the triggers that refuse updates are lifted for this
        transaction only, and it holds the table's lock (PostgreSQL) or the database's
        (SQLite) until they are back. Returns the rows rewritten."""
        cipher = crypto.current()
        for statement in _audit_guard(self._dialect, lift=True):
            await self._connection.exec_driver_sql(statement)
        rewrite = (
            update(AUDIT)
            .where(AUDIT.c.id == bindparam("row_id"))
            .values(
                actor=bindparam("new_actor", type_=AUDIT.c.actor.type),
                actor_hash=bindparam("new_hash"),
            )
        )
        touched = last = 0
        while rows := (
            await self._connection.execute(
                select(AUDIT.c.id, AUDIT.c.actor)
                .where(AUDIT.c.id > last)
                .order_by(AUDIT.c.id)
                .limit(500)
            )
        ).all():
            await self._connection.execute(
                rewrite,
                [
                    {"row_id": i, "new_actor": actor, "new_hash": cipher.lookup(actor)}
                    for i, actor in rows
                ],
            )
            touched, last = touched + len(rows), rows[-1].id
        for statement in _audit_guard(self._dialect, lift=False):
            await self._connection.exec_driver_sql(statement)
        return touched
