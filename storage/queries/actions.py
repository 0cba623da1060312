"""The improvement register: actions and the reports they came from."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select

from storage.models import ActionReport, ImprovementAction, Report
from storage.queries.base import StoreBase


class ActionQueries(StoreBase):
    __slots__ = ()

    async def add_action(self, action: ImprovementAction, report_ids: Sequence[int]) -> None:
        self._session.add(action)
        await self._session.flush()
        for report_id in report_ids:
            self._session.add(ActionReport(action_id=action.id, report_id=report_id))
        await self._session.flush()

    async def action(self, action_id: int) -> ImprovementAction | None:
        return await self._session.get(ImprovementAction, action_id, with_for_update=True)

    async def actions_by_ids(self, ids: Collection[int]) -> dict[int, ImprovementAction]:
        """The actions with these ids, by id (one query; none for no ids)."""
        if not ids:
            return {}
        stmt = (
            select(ImprovementAction)
            .where(ImprovementAction.id.in_(sorted(ids)))
            .order_by(ImprovementAction.deadline)
        )
        return {a.id: a for a in (await self._session.execute(stmt)).scalars()}

    async def open_actions(self) -> Sequence[ImprovementAction]:
        """Every open action, the first deadline first."""
        return await self._actions(ImprovementAction.status == "open")

    async def open_actions_of_team(self, team_id: str) -> Sequence[ImprovementAction]:
        """A team's open actions, the first deadline first."""
        return await self._actions(
            ImprovementAction.team_id == team_id, ImprovementAction.status == "open"
        )

    async def actions_before_or_open(self, before: datetime) -> Sequence[ImprovementAction]:
        """Actions made before ``before`` or still open (a period's analysis), by deadline."""
        return await self._actions(
            or_(ImprovementAction.created_at < before, ImprovementAction.status == "open")
        )

    async def _actions(self, *conditions: ColumnElement[bool]) -> Sequence[ImprovementAction]:
        stmt = select(ImprovementAction).where(*conditions).order_by(ImprovementAction.deadline)
        return (await self._session.execute(stmt)).scalars().all()

    async def actions_of_report(self, report_id: int) -> Sequence[ImprovementAction]:
        stmt = (
            select(ImprovementAction)
            .join(ActionReport, ActionReport.action_id == ImprovementAction.id)
            .where(ActionReport.report_id == report_id)
            .order_by(ImprovementAction.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def references_of_action(self, action_id: int) -> list[str]:
        stmt = (
            select(Report.reference)
            .join(ActionReport, ActionReport.report_id == Report.id)
            .where(ActionReport.action_id == action_id)
            .order_by(Report.id)
        )
        return list((await self._session.execute(stmt)).scalars())
