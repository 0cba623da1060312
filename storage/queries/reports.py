"""Reports, their events and the mailbox between a reporter and the handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage import crypto
from storage.models import Report, ReporterMessage, ReportEvent
from storage.queries.base import StoreBase
from storage.queries.one_trip import Insert, Raw, apply, fetch_all
from storage.queries.tables import COUNTERS, EVENTS


class ReportQueries(StoreBase):
    __slots__ = ()

    async def next_report_number(self, year: int) -> int:
        """The next number of ``year``, safe against concurrent writers.

        On SQLite, in a batch of turns (whose transaction read the counters while holding
        the one writer, so nobody else can move them), the number is the counter's next and
        the counter is written with the next trip."""
        driver = await self._one_trip()
        if driver is not None and self._numbers is not None:
            number = self._numbers.get(year, 0) + 1
            self._numbers[year] = number
            counter = Insert.of(
                COUNTERS, ("year", "last_number"), self._connection.dialect, ("last_number",)
            )
            driver.defer(counter.sql, [apply(counter.binds, (year, number))])
            return number
        if driver is None:
            result = await self._connection.execute(self._turn.next_number, {"the_year": year})
            return int(result.scalar_one())
        raw = Raw.of(self._turn.next_number, self._connection.dialect)
        ((number,),) = await driver.call(fetch_all, raw.sql, raw.params({"the_year": year}))
        return int(number)

    async def add_report(self, report: Report) -> Report:
        """The new report stored, with its id (on SQLite outside the session: see
        ``StoreBase._insert_now``; in a batch of turns, which read the last id while holding
        the one writer, the next id, written with the next trip)."""
        known_id = None
        if self._last_report_id is not None:
            self._last_report_id = known_id = self._last_report_id + 1
        if not await self._insert_now(report, known_id):
            self._session.add(report)
            await self._session.flush()
        return report

    async def add_event(
        self,
        report_id: int,
        kind: str,
        at: datetime,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        values = {
            "report_id": report_id,
            "at": at,
            "kind": kind,
            "actor": actor,
            "data": data or {},
        }
        if not await self._insert_later(EVENTS, [values]):
            self._session.add(ReportEvent(**values))

    async def report_by_reference(self, reference: str) -> Report | None:
        stmt = select(Report).where(Report.reference == reference)
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def report_for_update(self, reference: str) -> Report | None:
        stmt = select(Report).where(Report.reference == reference).with_for_update()
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def report_by_code(self, lookups: Sequence[str]) -> Report | None:
        """The report whose code hashes to one of ``lookups`` (:meth:`Cipher.lookups`)."""
        stmt = select(Report).where(Report.code_lookup.in_(list(lookups)))
        return (await self._session.execute(stmt)).scalars().first()

    async def events_of(self, report_id: int) -> Sequence[ReportEvent]:
        stmt = (
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def stream_reports(self, batch: int = 500) -> AsyncIterator[Report]:
        """Every report in reference order, fetched in batches (constant memory)."""
        stmt = select(Report).order_by(Report.id).execution_options(yield_per=batch)
        async for report in await self._session.stream_scalars(stmt):
            yield report

    async def reports_of(self, address: str, limit: int) -> Sequence[Report]:
        """The newest ``limit`` reports ``address`` made under their name, newest first."""
        stmt = (
            select(Report)
            .where(Report.reporter_hash.in_(crypto.current().lookups(address)))
            .order_by(Report.id.desc())
            .limit(limit)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def reports_by_ids(self, ids: Collection[int]) -> dict[int, Report]:
        """The reports with these ids, by id (one query; none for no ids)."""
        if not ids:
            return {}
        stmt = select(Report).where(Report.id.in_(sorted(ids))).order_by(Report.id)
        return {r.id: r for r in (await self._session.execute(stmt)).scalars()}

    async def open_reports(
        self, statuses: Sequence[str], team_ids: Collection[str] | None, limit: int
    ) -> Sequence[Report]:
        """Reports in one of ``statuses`` of the teams ``team_ids`` (None: of all teams),
        the oldest first."""
        stmt = select(Report).where(Report.status.in_(list(statuses)))
        if team_ids is not None:
            stmt = stmt.where(Report.team_id.in_(sorted(team_ids)))
        stmt = stmt.order_by(Report.id).limit(limit)
        return (await self._session.execute(stmt)).scalars().all()

    async def categories_since(self, since: datetime) -> list[list[str]]:
        """The category codes of every report made at or after ``since``."""
        rows = await self._session.execute(
            select(Report.categories).where(Report.created_at >= since)
        )
        return [list(categories or []) for (categories,) in rows]

    async def reports_created_between(
        self, start: datetime, end: datetime, team_id: str | None = None, limit: int = 10_000
    ) -> Sequence[Report]:
        """Reports made from ``start`` up to ``end`` (of one team, or of all), oldest first."""
        stmt = select(Report).where(Report.created_at >= start, Report.created_at < end)
        if team_id is not None:
            stmt = stmt.where(Report.team_id == team_id)
        stmt = stmt.order_by(Report.id).limit(limit)
        return (await self._session.execute(stmt)).scalars().all()

    async def reports_with_lessons(
        self, team_id: str, start: datetime, end: datetime, limit: int = 100
    ) -> Sequence[Report]:
        """A team's reports given feedback from ``start`` up to ``end`` with a lesson to share."""
        stmt = (
            select(Report)
            .where(
                Report.team_id == team_id,
                Report.feedback_at >= start,
                Report.feedback_at < end,
                Report.shareable_lesson.is_not(None),
            )
            .order_by(Report.id)
            .limit(limit)
        )
        return (await self._session.execute(stmt)).scalars().all()

    # ---- the mailbox between reporter and handlers ------------------------------------------

    async def add_reporter_message(
        self, report_id: int, at: datetime, direction: str, kind: str, text: str
    ) -> None:
        self._session.add(
            ReporterMessage(report_id=report_id, at=at, direction=direction, kind=kind, text=text)
        )
        await self._session.flush()

    async def last_message_kind(self, report_id: int, direction: str) -> str | None:
        """The kind of the newest mailbox message of a report in one direction."""
        stmt = (
            select(ReporterMessage.kind)
            .where(ReporterMessage.report_id == report_id, ReporterMessage.direction == direction)
            .order_by(ReporterMessage.id.desc())
            .limit(1)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def messages_of(self, report_id: int) -> Sequence[ReporterMessage]:
        """A report's mailbox messages (not the status notes), in order."""
        stmt = (
            select(ReporterMessage)
            .where(ReporterMessage.report_id == report_id, ReporterMessage.kind != "status")
            .order_by(ReporterMessage.id)
        )
        return (await self._session.execute(stmt)).scalars().all()
