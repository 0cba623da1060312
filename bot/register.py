"""The register read as a whole: the figures of a period and the full export (I/O side;
the figures themselves are computed by :mod:`bot.figures`, the rows by :mod:`bot.exporting`)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.config import Config
from bot.digests import Period, period_of, previous
from bot.drafts import DRAFT_KINDS, Draft, draft_of
from bot.exporting import register_record
from bot.figures import Figures, compute
from bot.i18n import Translator
from storage.db import Database
from storage.repository import Store


def _start(day: date, config: Config) -> datetime:
    return datetime.combine(day, time(0), tzinfo=config.organisation.tz)


async def load_figures(
    db: Database, config: Config, period: Period, team_id: str | None
) -> Figures:
    """The figures of ``period`` (of one team, or all), compared with the period before.
    They carry no names, no reporters and no descriptions (only the "anders" words)."""
    async with db.transaction() as store:
        return await figures_in(store, config, period, team_id)


async def figures_in(store: Store, config: Config, period: Period, team_id: str | None) -> Figures:
    """:func:`load_figures` within a transaction already open (the digests' sweep)."""
    before = previous(period, config)
    start, end = _start(period.start, config), _start(period.end, config)
    reports = await store.reports_in_period(start, end, team_id)
    earlier = await store.reports_in_period(
        _start(before.start, config), _start(before.end, config), team_id
    )
    actions = await store.actions_in_period(start, end, team_id)
    return compute(config, period, before, reports, earlier, actions, team_id)


async def load_register(
    db: Database,
    config: Config,
    first_day: date | None,
    last_day: date | None,
    team_id: str | None,
    anonymised: bool,
    now: datetime,
    actor: str,
    fmt: str,
) -> list[dict[str, Any]]:
    """Every report made from ``first_day`` up to and including ``last_day`` (of a team), with
    its whole follow-up. An export is an access to personal data: each report exported gets
    an audit entry (who, what, when), in the same transaction as the reading."""
    tz = config.organisation.tz
    start = _start(first_day, config) if first_day is not None else None
    end = _start(last_day + timedelta(days=1), config) if last_day is not None else None
    async with db.transaction() as store:
        reports = await store.register_reports(start, end, team_id)
        ids = [r.id for r in reports]
        actions = await store.actions_of_reports(ids)
        events = await store.events_of_reports(ids)
        records = [
            register_record(r, actions.get(r.id, []), events.get(r.id, []), tz, anonymised)
            for r in reports
        ]
        detail = {"format": fmt, "anonymised": anonymised}
        for report in reports:
            await store.add_audit(now, actor, "export", report.reference, "cli", detail)
    return records


async def load_draft(
    db: Database, config: Config, kind: str, reference: str, now: datetime, actor: str
) -> Draft | None:
    """The prefilled draft (``igj`` or ``arbeidsinspectie``) of one report, or None when there
    is no such report. Reading it reads the report's text: audited like viewing the report."""
    if kind not in DRAFT_KINDS:
        raise ValueError(f"unknown draft '{kind}'")
    async with db.transaction() as store:
        report = await store.report_by_reference(reference.strip().upper())
        if report is None:
            return None
        actions = (await store.actions_of_reports([report.id])).get(report.id, [])
        await store.add_audit(now, actor, "draft", report.reference, "cli", {"kind": kind})
        t = Translator(config.organisation.language)
        return draft_of(kind, report, actions, config, t)  # type: ignore[arg-type]


async def render_document(db: Database, config: Config, instruction: str) -> tuple[str, bytes]:
    """The anonymised PDF of a digest's period (``quarterly/2026-Q3``, ``half/2026-H1``),
    made in memory when the digest is sent: the figures are read now, the PDF is drawn in a
    worker thread (matplotlib and fpdf2 block), and nothing is written to disk."""
    from bot.documents import to_pdf

    kind, _, key = instruction.partition("/")
    period = period_of(kind, key, config)
    figures = await load_figures(db, config, period, None)
    t = Translator(config.organisation.language)
    data = await asyncio.to_thread(to_pdf, figures, t, True)
    return f"vim-{period.kind}-{period.key}.pdf", data
