"""The confidential adviser's requests: reports whose reporter asked for the adviser."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from storage.models import Report
from storage.queries.base import StoreBase

ASKED_FOR_ADVISER = "confidential_adviser"  # the reporter's contact wish


class AdviserQueries(StoreBase):
    __slots__ = ()

    async def adviser_requests(self, limit: int) -> Sequence[Report]:
        """Reports whose reporter asked for the confidential adviser and that the adviser has
        not closed, the oldest first (whatever the report's own status)."""
        stmt = (
            select(Report)
            .where(Report.contact_wish == ASKED_FOR_ADVISER, Report.adviser_closed_at.is_(None))
            .order_by(Report.id)
            .limit(limit)
        )
        return (await self._session.execute(stmt)).scalars().all()
