"""Nudges: the reminders and escalations planned for each deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update

from storage.models import Nudge
from storage.queries.base import StoreBase
from storage.queries.tables import NUDGES


class NudgeQueries(StoreBase):
    __slots__ = ()

    async def add_nudges(self, nudges: Sequence[Nudge]) -> None:
        """New nudge rows in one statement (a new report opens a dozen at once)."""
        if nudges:
            columns = [c.key for c in NUDGES.columns if c.key != "id"]
            rows = [{key: getattr(nudge, key) for key in columns} for nudge in nudges]
            for row in rows:
                row["urgent"] = bool(row["urgent"])
            if not await self._insert_later(NUDGES, rows):
                # on the connection, not through the session: nothing the session holds
                # needs writing first (no autoflush; that happens once, at the commit)
                await self._connection.execute(insert(NUDGES), rows)

    async def cancel_nudges(
        self,
        now: datetime,
        kinds: Sequence[str],
        report_id: int | None = None,
        action_id: int | None = None,
    ) -> None:
        """Close the nudges of finished steps (those already sent stay as history)."""
        target = (
            Nudge.report_id == report_id
            if report_id is not None
            else (Nudge.action_id == action_id)
        )
        await self._session.execute(
            update(Nudge)
            .where(
                target,
                Nudge.kind.in_(list(kinds)),
                Nudge.sent_at.is_(None),
                Nudge.cancelled_at.is_(None),
            )
            .values(cancelled_at=now)
        )

    async def due_nudges(self, now: datetime, limit: int = 500) -> Sequence[Nudge]:
        """Unsent, uncancelled nudges whose time has come — locked, skipping rows another
        sweeper holds (PostgreSQL), so two processes never send the same nudge."""
        stmt = (
            select(Nudge)
            .where(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None), Nudge.send_at <= now)
            .order_by(Nudge.send_at, Nudge.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def unsent_nudges_of(self, report_ids: Sequence[int]) -> Sequence[Nudge]:
        """The reminders and escalations of these reports still to be sent."""
        if not report_ids:
            return []
        stmt = (
            select(Nudge)
            .where(
                Nudge.report_id.in_(list(report_ids)),
                Nudge.cancelled_at.is_(None),
                Nudge.sent_at.is_(None),
            )
            .order_by(Nudge.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def open_nudges_of(self, report_ids: Sequence[int]) -> Sequence[Nudge]:
        if not report_ids:
            return []
        stmt = (
            select(Nudge)
            .where(
                Nudge.report_id.in_(list(report_ids)),
                Nudge.cancelled_at.is_(None),
                Nudge.stage == "reminder",
            )
            .order_by(Nudge.due_at)
        )
        return (await self._session.execute(stmt)).scalars().all()
