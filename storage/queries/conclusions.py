"""The weekly review's conclusions: one text per team and week."""

from __future__ import annotations

from datetime import datetime

from storage.models import WeeklyConclusion
from storage.queries.base import StoreBase


class ConclusionQueries(StoreBase):
    __slots__ = ()

    async def save_conclusion(self, team_id: str, week: str, text: str, at: datetime) -> None:
        """The team's conclusions of ``week`` (a second recording replaces the first)."""
        row = await self._session.get(WeeklyConclusion, (team_id, week))
        if row is None:
            self._session.add(
                WeeklyConclusion(team_id=team_id, week=week, text=text, recorded_at=at)
            )
        else:
            row.text, row.recorded_at = text, at
        await self._session.flush()

    async def conclusion_of(self, team_id: str, week: str) -> str | None:
        row = await self._session.get(WeeklyConclusion, (team_id, week))
        return row.text if row is not None else None
