"""The store's named queries that replace raw SQL conditions (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage.db import Database
from tests.test_casework import _report


async def test_reports_and_actions_by_name(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    await _report(ReportService(config, database, clock))
    async with database.transaction() as store:
        [report] = await store.open_reports(["new"], None, limit=10)
        assert report.reference == "VIM-2026-0001" and report.team_id == "noord"
        assert [r.id for r in await store.open_reports(["new"], {"noord"}, limit=10)] == [report.id]
        assert await store.open_reports(["new"], {"zuid"}, limit=10) == []
        assert await store.open_reports(["closed"], None, limit=10) == []
        assert await store.categories_since(clock.now() - timedelta(hours=1)) == [report.categories]
        assert await store.categories_since(clock.now() + timedelta(hours=1)) == []
        assert await store.reports_by_ids({report.id}) == {report.id: report}
        assert await store.reports_by_ids(set()) == {}
        assert await store.reports_created_between(
            clock.now() - timedelta(hours=1), clock.now() + timedelta(hours=1), "noord"
        ) == [report]
        assert await store.open_actions() == []
        assert await store.actions_by_ids({1}) == {}
