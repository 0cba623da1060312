"""Digests: each (kind, scope, period) sent once, whatever the number of processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.models import DigestRun, Report
from storage.queries.base import StoreBase
from storage.queries.tables import upsert_insert


class DigestQueries(StoreBase):
    __slots__ = ()

    async def claim_digest(self, kind: str, scope: str, period: str, now: datetime) -> bool:
        """True once per (kind, scope, period), whatever the number of processes."""
        result = await self._session.execute(
            upsert_insert(self._dialect)(DigestRun)
            .values(kind=kind, scope=scope, period=period, sent_at=now)
            .on_conflict_do_nothing()
            .returning(DigestRun.kind)
        )
        return result.scalar_one_or_none() is not None

    async def digest_sent(self, kind: str, scope: str, period: str) -> bool:
        return await self._session.get(DigestRun, (kind, scope, period)) is not None

    async def installed_at(self) -> datetime | None:
        """The earliest trace of the bot at work: its first digest claim or its first report
        (None on a database it never used)."""
        first_claim = await self._session.scalar(select(func.min(DigestRun.sent_at)))
        first_report = await self._session.scalar(select(func.min(Report.created_at)))
        return min((m for m in (first_claim, first_report) if m is not None), default=None)
