"""The scheduled work (the scheduler in ``scheduler/`` is only its clock): due nudges, due
digests, and housekeeping.

Both are idempotent by construction. A nudge is a row that is marked sent in the same
transaction that queues its message, under a row lock that other sweepers skip (PostgreSQL
``SKIP LOCKED``; SQLite serialises writers). A digest is sent under a unique key per kind,
scope and period, so a restart, a catch-up and a second process send it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import structlog

from bot import conclusions, rate_limit
from bot.casework.board import ensure_policy_review
from bot.casework.messages import Texts
from bot.clock import Clock
from bot.config import Config
from bot.digests import (
    Period,
    last_half_year,
    last_quarterly,
    last_weekly,
    previous,
    weekly_review,
)
from bot.domain.anonymity import coarse
from bot.domain.lifecycle import (
    OPEN_STATUSES,
    Deadline,
    Due,
    concerns_client,
    deadlines_on_report,
)
from bot.domain.workdays import in_quiet_hours, next_working_moment
from bot.events import Outbound, payload_of
from bot.figures import chat_text
from bot.i18n import Translator
from bot.nudges import nudge_rows, plan
from bot.privacy import apply_retention, tidy_drafts
from bot.register import figures_in
from bot.terms import worded_terms
from storage.db import Database
from storage.models import ImprovementAction, Nudge, Report
from storage.repository import Store

log = structlog.get_logger("vimbot.sweep")

REMEMBER_UPDATES = timedelta(days=7)  # platforms redeliver within hours, not weeks
# The version of the deadline rules that open reports are planned by: raise it when the
# rules change, and every open report is planned again once (at the next start).
PROCEDURE_KEY, PROCEDURE_VERSION = "procedure_version", "2"
# Deadlines a report opens when it arrives (which deadlines_on_report decides).
OPENED_ON_REPORT = frozenset({Deadline.CONTACT, Deadline.TRIAGE, Deadline.ARBEIDSINSPECTIE})


@dataclass(frozen=True, slots=True)
class Planned:
    """One message the sweep sends (or, in a dry run, would send)."""

    address: str
    message: Outbound
    what: str  # "nudge:contact/reminder", "digest:weekly/noord/2026-W47"


class Sweeper:
    def __init__(self, config: Config, db: Database, clock: Clock) -> None:
        self.config, self.db, self.clock = config, db, clock
        self.t = Translator(config.organisation.language)
        self.texts = Texts(config)
        # what the last send_due_digests claimed without sending (periods before installation)
        self.skipped: list[str] = []

    # ---- nudges -------------------------------------------------------------------------

    async def sweep_nudges(
        self, at: datetime | None = None, dry_run: bool = False
    ) -> list[Planned]:
        now = at or self.clock.now()
        policy = self.config.policy
        tz = self.config.organisation.tz
        quiet = in_quiet_hours(now, tz, policy.quiet_start, policy.quiet_end)
        morning = next_working_moment(now, tz, policy.quiet_start, policy.quiet_end)

        def held(nudge: Nudge) -> bool:
            """Quiet hours hold back non-urgent nudges until the morning, but never a reminder
            past a deadline still ahead (no working time was left before it: it goes now)."""
            if nudge.urgent or not quiet:
                return False
            ahead = now < nudge.due_at <= morning
            return nudge.stage != "reminder" or not ahead

        planned: list[Planned] = []
        async with self.db.transaction() as store:
            due = [n for n in await store.due_nudges(now) if not held(n)]
            reports, actions = await self._subjects(store, due)
            for nudge in due:
                message = self._nudge_message(nudge, reports, actions)
                # about an anonymous report, nothing is recorded finer than the hour
                report = reports.get(nudge.report_id or -1)
                anonymous = report is not None and report.anonymous
                at = coarse(now) if anonymous else now
                if message is None:  # its report or action is gone or finished: drop it
                    if not dry_run:
                        nudge.cancelled_at = at
                    continue
                planned.append(
                    Planned(nudge.recipient, message, f"nudge:{nudge.kind}/{nudge.stage}")
                )
                if not dry_run:
                    nudge.sent_at = at
                    payload = payload_of(message, coarse=anonymous)
                    await store.enqueue(nudge.recipient, payload, at, nudge.report_id)
        if planned and not dry_run:
            log.info("nudges_sent", count=len(planned))
        return planned

    async def _subjects(
        self, store: Store, nudges: Sequence[Nudge]
    ) -> tuple[dict[int, Report], dict[int, ImprovementAction]]:
        """The reports and actions of a batch of nudges, in two queries (not one per nudge)."""
        report_ids = sorted({n.report_id for n in nudges if n.report_id is not None})
        action_ids = sorted({n.action_id for n in nudges if n.action_id is not None})
        return await store.reports_by_ids(report_ids), await store.actions_by_ids(action_ids)

    def _nudge_message(
        self, nudge: Nudge, reports: dict[int, Report], actions: dict[int, ImprovementAction]
    ) -> Outbound | None:
        report = reports.get(nudge.report_id or -1)
        action = actions.get(nudge.action_id or -1)
        return self.texts.nudge(nudge, report, action, self.t)

    def _team(self, team_id: str | None) -> str:
        team = self.config.team(team_id)
        return team.name if team else self.t("notify.no_team")

    # ---- housekeeping: drafts, retention, the record of deliveries ---------------------

    async def forget_old_updates(self) -> int:
        """Drop the record of processed platform deliveries once no redelivery can come."""
        async with self.db.transaction() as store:
            return await store.forget_updates_before(self.clock.now() - REMEMBER_UPDATES)

    # ---- open reports planned again when the rules change --------------------------------

    async def replan_if_rules_changed(self) -> int:
        """Once per change of the deadline rules (:data:`PROCEDURE_VERSION`): plan the open
        reports again. Returns how many nudges were planned anew."""
        async with self.db.transaction() as store:
            if await store.app_state(PROCEDURE_KEY) == PROCEDURE_VERSION:
                return 0
        return await self.replan_open_reports()

    async def replan_open_reports(self) -> int:
        """Open reports planned again under the current rules: a deadline that no longer
        applies (contact with an anonymous reporter or one who wants none, a client step of a
        report about an employee) is dropped; the reminders and escalations still to come of
        the others are planned anew (urgency, reminder times), each deadline kept."""
        now = self.clock.now()
        config, tz = self.config, self.config.organisation.tz
        planned: list[Nudge] = []
        async with self.db.transaction() as store:
            statuses = [s.value for s in OPEN_STATUSES]
            reports = {r.id: r for r in await store.open_reports(statuses, None, 1_000_000)}
            pending: dict[tuple[int, str], list[Nudge]] = {}
            for nudge in await store.unsent_nudges_of(list(reports)):
                assert nudge.report_id is not None
                pending.setdefault((nudge.report_id, nudge.kind), []).append(nudge)
            for (report_id, kind), rows in pending.items():
                report = reports[report_id]
                at = coarse(now) if report.anonymous else now
                for row in rows:
                    row.cancelled_at = at
                fresh = {d.kind: d for d in deadlines_on_report(report, config.policy, tz)}
                deadline = Deadline(kind)
                if deadline in OPENED_ON_REPORT and deadline not in fresh:
                    continue  # no longer a deadline under the current rules
                if deadline is Deadline.CLIENT_INFORMED and not concerns_client(report):
                    continue
                urgent = fresh[deadline].urgent if deadline in fresh else False
                due = Due(deadline, rows[0].due_at, urgent=urgent)
                stages = {row.stage for row in rows}
                again = [p for p in plan(due, report.team_id, config, at) if p.stage in stages]
                planned += nudge_rows(again, report_id)
            await store.add_nudges(planned)
            await store.set_app_state(PROCEDURE_KEY, PROCEDURE_VERSION)
        log.info("open_reports_replanned", reports=len(reports), nudges=len(planned))
        return len(planned)

    async def housekeeping(self, at: datetime | None = None) -> None:
        now = at or self.clock.now()
        await tidy_drafts(self.db, self.config, now)
        async with self.db.transaction() as store:  # the board's yearly policy review, once
            await ensure_policy_review(store, self.config, now)
        await apply_retention(self.db, self.config, now)
        await rate_limit.forget_expired(self.db, now)  # counts of new reports per hour

    # ---- digests ------------------------------------------------------------------------

    async def send_due_digests(
        self, at: datetime | None = None, dry_run: bool = False
    ) -> list[Planned]:
        """The latest weekly, quarterly and half-yearly digests, each once (also on start).

        Only of periods that ended after the installation: a catch-up sends what was missed
        while the bot was down, never the periods before it was there (on the very first start
        that would be last week's, quarter's and half-year's digests, all with zero reports).
        Those are claimed without being sent (listed in ``self.skipped``), which also records
        the installation: it is the earliest digest claim or report in the database, and on a
        database with neither, now. Reports count as well so that a database that received
        reports before its first sweep still gets the digests of those periods.
        """
        now = at or self.clock.now()
        planned: list[Planned] = []
        self.skipped = []
        async with self.db.transaction() as store:
            installed = await store.installed_at() or now
            week = last_weekly(now, self.config)
            for team in self.config.teams:
                if not team.channels:
                    continue
                what = f"digest:weekly/{team.id}/{week.key}"
                if not await self._claim(store, "weekly", team.id, week.key, now, dry_run):
                    continue
                if self._bounds(week)[1] <= installed:
                    self.skipped.append(what)
                    continue
                text = await self._weekly_text(store, team.id, team.name, week, now)
                message = Outbound(
                    text, conclusions.button(self.t), token=conclusions.token(team.id, week.key)
                )
                planned += [Planned(a, message, what) for a in team.channels]
            for period, recipients, title in (
                (
                    last_quarterly(now, self.config),
                    self.config.roles.committee,
                    "digest.quarterly_title",
                ),
                (last_half_year(now, self.config), self.config.roles.board, "digest.half_title"),
            ):
                if not recipients:
                    continue
                if not await self._claim(store, period.kind, "", period.key, now, dry_run):
                    continue
                if self._bounds(period)[1] <= installed:
                    self.skipped.append(f"digest:{period.kind}/{period.key}")
                    continue
                text = await self._analysis_text(store, period, now, title)
                # the period's report (anonymised) goes along, rendered when it is sent
                message = Outbound(text, document=f"{period.kind}/{period.key}")
                planned += [
                    Planned(a, message, f"digest:{period.kind}/{period.key}") for a in recipients
                ]
            if not dry_run:
                for item in planned:
                    await store.enqueue(item.address, payload_of(item.message), now)
        if planned and not dry_run:
            log.info("digests_sent", count=len(planned))
        return planned

    async def analysis_for(
        self, period: Period, now: datetime, title: str = "digest.quarterly_title"
    ) -> str:
        """The analysis text of one period (for a preview or a benchmark)."""
        async with self.db.transaction() as store:
            return await self._analysis_text(store, period, now, title)

    @staticmethod
    async def _claim(
        store: Store, kind: str, scope: str, period: str, now: datetime, dry_run: bool
    ) -> bool:
        if dry_run:
            return not await store.digest_sent(kind, scope, period)
        return await store.claim_digest(kind, scope, period, now)

    def _bounds(self, period: Period) -> tuple[datetime, datetime]:
        tz = self.config.organisation.tz
        return (
            datetime.combine(period.start, time(0), tzinfo=tz),
            datetime.combine(period.end, time(0), tzinfo=tz),
        )

    async def _weekly_text(
        self, store: Store, team_id: str, team_name: str, week: Period, now: datetime
    ) -> str:
        start, end = self._bounds(week)
        new = await store.reports_created_between(start, end, team_id, limit=10_000)
        open_reports = await store.open_reports(
            [s.value for s in OPEN_STATUSES], [team_id], limit=10_000
        )
        overdue: dict[str, list[str]] = {}
        by_id = {r.id: r for r in open_reports}
        for nudge in await store.open_nudges_of(list(by_id)):
            if nudge.due_at <= now and nudge.report_id in by_id:
                kinds = overdue.setdefault(by_id[nudge.report_id].reference, [])
                if nudge.kind not in kinds:
                    kinds.append(nudge.kind)
        actions = await store.open_actions_of_team(team_id)
        lessons = [
            r.shareable_lesson
            for r in await store.reports_with_lessons(team_id, start, end, limit=100)
            if r.shareable_lesson
        ]
        today = now.astimezone(self.config.organisation.tz).date()
        week_before = previous(week, self.config).key
        concluded = await store.conclusion_of(team_id, week_before)
        return weekly_review(
            self.t,
            team_name,
            week,
            new,
            open_reports,
            overdue,
            actions,
            lessons,
            today,
            worded_terms(self.config, self.t),
            (conclusions.week_number(week_before), concluded) if concluded else None,
        )

    async def _analysis_text(self, store: Store, period: Period, now: datetime, title: str) -> str:
        """A short version of ``vimbot report`` for the period (the same figures engine)."""
        figures = await figures_in(store, self.config, period, None)
        today = now.astimezone(self.config.organisation.tz).date()
        return chat_text(figures, self.t, title, today, worded_terms(self.config, self.t))
