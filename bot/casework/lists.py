"""The handlers' commands: ``/open`` (open reports and what is due or overdue),
``/melding REF`` (one report) and ``/acties`` (open improvement actions). What each person
sees follows the permission table. The board records its evaluations with ``/evaluatie``
and ``/beleid`` (``board.py``)."""

from __future__ import annotations

from datetime import datetime

from bot.casework import board
from bot.casework.handlers import case_view, people_names
from bot.casework.messages import Texts
from bot.casework.recording import Recorder
from bot.clock import Clock
from bot.config import Config
from bot.domain.lifecycle import OPEN_STATUSES
from bot.domain.permissions import (
    Act,
    advises,
    allowed,
    handles_reports,
    reads_register,
    records_evaluations,
    teams_in_scope,
)
from bot.events import Outbound
from bot.i18n import Translator
from storage.repository import Store

LIST_LIMIT = 30
BOARD_WORDS = {"evaluatie": board.EVALUATION, "beleid": board.POLICY_REVIEW}


class Lists:
    __slots__ = ("clock", "config", "recorder", "texts")

    def __init__(self, config: Config, clock: Clock, texts: Texts, recorder: Recorder) -> None:
        self.config, self.clock, self.texts, self.recorder = config, clock, texts, recorder

    async def command(
        self, store: Store, address: str, word: str, argument: str, t: Translator
    ) -> list[Outbound]:
        if word == "melding":
            return await self.one(store, address, argument, t)
        if word in BOARD_WORDS:
            if not records_evaluations(address, self.config):
                return [Outbound(t("board.not_board"))]
            kind, now = BOARD_WORDS[word], self.clock.now()
            return await board.record(store, self.config, now, address, kind, argument, t)
        if word == "open" and advises(address, self.config):
            replies = await self.adviser_requests(store, address, t)
            if handles_reports(address, self.config):
                replies += await self.open_reports(store, address, t)
            return replies
        if word == "acties" and reads_register(address, self.config):
            return await self.open_actions(store, address, t)
        if not handles_reports(address, self.config):
            return [Outbound(t("case.no_role"))]
        if word == "open":
            return await self.open_reports(store, address, t)
        return await self.open_actions(store, address, t)

    async def one(self, store: Store, address: str, argument: str, t: Translator) -> list[Outbound]:
        report = await store.report_by_reference(argument.strip().upper())
        if report is None or not allowed(address, Act.VIEW_REPORT, report, self.config):
            return [Outbound(t("case.unknown_report", reference=argument.strip()))]
        await self.recorder.audit(address, "view", report)
        view = await case_view(store, self.config, report, self.clock.now())
        replies = [self.texts.details(report, t, view)]
        if allowed(address, Act.HANDLE_REPORT, report, self.config) or allowed(
            address, Act.ADVISE, report, self.config
        ):
            replies.append(self.texts.next_step_message(address, report, t))
        return replies

    async def adviser_requests(self, store: Store, address: str, t: Translator) -> list[Outbound]:
        """The confidential adviser's open requests, each with its state (no report text,
        no reporter)."""
        requests = [
            r
            for r in await store.adviser_requests(limit=LIST_LIMIT)
            if allowed(address, Act.ADVISE, r, self.config)
        ]
        if not requests:
            return [Outbound(t("case.adviser_open_none"))]
        lines = [t("case.adviser_open_header", count=len(requests))]
        for report in requests:
            state = "contacted" if report.adviser_contacted_at is not None else "new"
            asked = self.texts.when(report.created_at, t)
            lines.append(f"{report.reference} · {asked} · {t(f'adviser.state.{state}')}")
        return [Outbound("\n".join(lines))]

    async def open_reports(self, store: Store, address: str, t: Translator) -> list[Outbound]:
        teams = teams_in_scope(address, Act.HANDLE_REPORT, self.config)
        statuses = [s.value for s in OPEN_STATUSES]
        candidates = await store.open_reports(statuses, teams, limit=10 * LIST_LIMIT)
        reports = [r for r in candidates if allowed(address, Act.HANDLE_REPORT, r, self.config)][
            :LIST_LIMIT
        ]
        if not reports:
            return [Outbound(t("case.open_none"))]
        now = self.clock.now()
        due_by_report: dict[int, dict[str, datetime]] = {}
        for nudge in await store.open_nudges_of([r.id for r in reports]):
            if nudge.report_id is not None:
                due_by_report.setdefault(nudge.report_id, {}).setdefault(nudge.kind, nudge.due_at)
        lines = [t("case.open_header", count=len(reports))]
        for report in reports:
            dues = sorted(due_by_report.get(report.id, {}).items(), key=lambda kv: kv[1])
            team = self.texts.team_name(report.team_id, t)
            parts = [f"{report.reference} · {team} · {t(f'status.{report.status}')}"]
            for kind, at in dues[:2]:
                late = t("case.overdue") if at <= now else ""
                name, when = self.texts.deadline_name(kind, t), self.texts.deadline_when(at, t)
                parts.append(f"{name} {when}{late}")
            lines.append(" · ".join(parts))
        return [Outbound("\n".join(lines))]

    async def open_actions(self, store: Store, address: str, t: Translator) -> list[Outbound]:
        mine = [
            a
            for a in await store.open_actions()
            if allowed(address, Act.VIEW_ACTION, a, self.config)
        ]
        if not mine:
            return [Outbound(t("case.actions_none"))]
        today = self.clock.now().astimezone(self.config.organisation.tz).date()
        messages = [Outbound(t("case.actions_header", count=len(mine)))]
        names = await people_names(store, {a.owner for a in mine[:LIST_LIMIT]})
        for action in mine[:LIST_LIMIT]:
            line = self.texts.action_line(action, today, t, names)
            if not allowed(address, Act.HANDLE_ACTION, action, self.config):
                line = Outbound(line.text)  # read only (the committee, the board)
            messages.append(line)
        return messages
