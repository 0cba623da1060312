"""The register read as a whole: the figures of a period and the full export (I/O side;
the figures themselves are computed by :mod:`bot.figures`, the rows by :mod:`bot.exporting`)."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.config import Config
from bot.digests import Period, previous
from bot.figures import Figures, compute
from storage.db import Database


def _start(day: date, config: Config) -> datetime:
    return datetime.combine(day, time(0), tzinfo=config.organisation.tz)


async def load_figures(
    db: Database, config: Config, period: Period, team_id: str | None
) -> Figures:
    """The figures of ``period`` (of one team, or all), compared with the period before.
    They carry no names, no reporters and no descriptions (only the "anders" words)."""
    before = previous(period, config)
    async with db.transaction() as store:
        start, end = _start(period.start, config), _start(period.end, config)
        reports = await store.reports_in_period(start, end, team_id)
        earlier = await store.reports_in_period(
            _start(before.start, config), _start(before.end, config), team_id
        )
        actions = await store.actions_in_period(start, end, team_id)
    return compute(config, period, before, reports, earlier, actions, team_id)
