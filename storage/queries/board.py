"""The board's records (half-yearly evaluation, yearly policy review) and the nudges of its
own deadline, which belongs to no report and no action."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from storage.models import BoardRecord, Nudge
from storage.queries.base import StoreBase


class BoardQueries(StoreBase):
    __slots__ = ()

    async def add_board_record(self, record: BoardRecord) -> None:
        self._session.add(record)
        await self._session.flush()

    async def board_records(self, kind: str, limit: int) -> Sequence[BoardRecord]:
        """The latest records of one kind, newest first."""
        stmt = (
            select(BoardRecord)
            .where(BoardRecord.kind == kind)
            .order_by(BoardRecord.recorded_at.desc(), BoardRecord.id.desc())
            .limit(limit)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def cancel_board_nudges(self, now: datetime, kinds: Sequence[str]) -> None:
        """Close the unsent nudges of a deadline that belongs to no report and no action."""
        await self._session.execute(
            update(Nudge)
            .where(
                Nudge.report_id.is_(None),
                Nudge.action_id.is_(None),
                Nudge.kind.in_(list(kinds)),
                Nudge.sent_at.is_(None),
                Nudge.cancelled_at.is_(None),
            )
            .values(cancelled_at=now)
        )
