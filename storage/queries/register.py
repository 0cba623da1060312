"""The register as a whole: import of past reports, the figures of a period, the export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, case, or_, select

from storage.models import ActionReport, ImprovementAction, Report, ReportEvent
from storage.queries.base import StoreBase
from storage.queries.tables import COUNTERS, upsert_insert


class RegisterQueries(StoreBase):
    __slots__ = ()

    async def reports_by_references(self, references: Collection[str]) -> dict[str, Report]:
        """The stored reports with these references, by reference (in batches)."""
        found: dict[str, Report] = {}
        ordered = sorted(references)
        for start in range(0, len(ordered), 500):
            stmt = select(Report).where(Report.reference.in_(ordered[start : start + 500]))
            for report in (await self._session.execute(stmt)).scalars():
                found[report.reference] = report
        return found

    async def raise_report_counter(self, year: int, number: int) -> None:
        """The year's counter moved up to at least ``number`` (never down)."""
        insert = upsert_insert(self._dialect)(COUNTERS).values(year=year, last_number=number)
        counter = COUNTERS.c.last_number
        await self._connection.execute(
            insert.on_conflict_do_update(
                index_elements=[COUNTERS.c.year],
                set_={
                    "last_number": case(
                        (counter < insert.excluded.last_number, insert.excluded.last_number),
                        else_=counter,
                    )
                },
            )
        )

    async def reports_in_period(
        self, start: datetime, end: datetime, team_id: str | None = None
    ) -> Sequence[Report]:
        """Every report made from ``start`` up to ``end`` (of one team, or all), oldest first."""
        stmt = select(Report).where(Report.created_at >= start, Report.created_at < end)
        if team_id is not None:
            stmt = stmt.where(Report.team_id == team_id)
        return (await self._session.execute(stmt.order_by(Report.id))).scalars().all()

    async def register_reports(
        self, start: datetime | None, end: datetime | None, team_id: str | None
    ) -> Sequence[Report]:
        """The reports of the register (made in [start, end), of a team), in order."""
        stmt = select(Report)
        if start is not None:
            stmt = stmt.where(Report.created_at >= start)
        if end is not None:
            stmt = stmt.where(Report.created_at < end)
        if team_id is not None:
            stmt = stmt.where(Report.team_id == team_id)
        return (await self._session.execute(stmt.order_by(Report.id))).scalars().all()

    async def actions_of_reports(
        self, report_ids: Collection[int]
    ) -> dict[int, list[ImprovementAction]]:
        """The improvement actions of each report, by report id."""
        result: dict[int, list[ImprovementAction]] = defaultdict(list)
        ids = sorted(report_ids)
        for start in range(0, len(ids), 500):
            stmt = (
                select(ActionReport.report_id, ImprovementAction)
                .join(ImprovementAction, ImprovementAction.id == ActionReport.action_id)
                .where(ActionReport.report_id.in_(ids[start : start + 500]))
                .order_by(ImprovementAction.id)
            )
            for report_id, action in (await self._session.execute(stmt)).all():
                result[report_id].append(action)
        return dict(result)

    async def events_of_reports(self, report_ids: Collection[int]) -> dict[int, list[ReportEvent]]:
        """The history of each report, by report id, in order."""
        result: dict[int, list[ReportEvent]] = defaultdict(list)
        ids = sorted(report_ids)
        for start in range(0, len(ids), 500):
            stmt = (
                select(ReportEvent)
                .where(ReportEvent.report_id.in_(ids[start : start + 500]))
                .order_by(ReportEvent.id)
            )
            for event in (await self._session.execute(stmt)).scalars():
                result[event.report_id].append(event)
        return dict(result)

    async def actions_in_period(
        self, start: datetime, end: datetime, team_id: str | None = None
    ) -> Sequence[ImprovementAction]:
        """Actions at work in [start, end): made in it, or made before and still open or
        done in it."""
        stmt = select(ImprovementAction).where(
            ImprovementAction.created_at < end,
            or_(
                ImprovementAction.created_at >= start,
                ImprovementAction.status == "open",
                and_(ImprovementAction.done_at.is_not(None), ImprovementAction.done_at >= start),
            ),
        )
        if team_id is not None:
            stmt = stmt.where(ImprovementAction.team_id == team_id)
        stmt = stmt.order_by(ImprovementAction.deadline, ImprovementAction.id)
        return (await self._session.execute(stmt)).scalars().all()
