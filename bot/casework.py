"""Follow-up of a sent report by the people who handle it, from the chat.

Buttons on notifications and nudges carry the token ``case:<reference>`` (a report) or
``act:<id>`` (an improvement action) and an action as value. Quick actions (contact made,
client informed, action done) apply at once; others start a short conversation
(``bot/flows/casework.py``) whose completion lands in :meth:`Casework.complete`.

Every change is authorised here, on the server: only the report team's leaders, the
coordinator and the board may act; a forged or replayed button from anyone else changes
nothing. Each change appends an event (who, when), closes the deadlines it fulfils and opens
the next ones, and tells a named reporter in one short line.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select

from bot.clock import Clock
from bot.config import Config
from bot.domain.anonymity import coarse
from bot.domain.lifecycle import (
    CLOSES,
    OPEN_STATUSES,
    Deadline,
    Due,
    Status,
    Triage,
    deadline_on_establishment,
    deadlines_on_report,
    deadlines_on_triage,
    may,
    risk_score,
)
from bot.domain.permissions import Act, allowed, handles_reports
from bot.events import Option, Outbound, payload_of
from bot.flows import engine
from bot.flows.casework import CASE_FLOWS
from bot.flows.engine import Context, TurnResult
from bot.i18n import Translator
from bot.nudges import plan
from storage.models import ImprovementAction, Nudge, Report
from storage.repository import Store

log = structlog.get_logger("vimbot.casework")

CASE_PREFIX = "case:"
ACTION_PREFIX = "act:"
QUICK = frozenset({"contact", "client_informed", "close", "details"})
FLOW_OF = {
    "triage": "triage",
    "analyse": "analysis",
    "action": "action",
    "feedback": "feedback",
    "established": "established",
    "igj": "igj",
    "question": "question",
    "adviser_message": "adviser_message",
}
ADVISER_KIND = "adviser"  # a message from the confidential adviser in the reporter's mailbox
LIST_LIMIT = 30


@dataclass(slots=True)
class CaseResult:
    replies: list[Outbound] = field(default_factory=list)
    notifications: list[Outbound] = field(default_factory=list)  # already in the outbox
    start: TurnResult | None = None  # a conversation to begin in this chat


def is_case_token(token: str | None) -> bool:
    return bool(token) and str(token).startswith((CASE_PREFIX, ACTION_PREFIX))


class Casework:
    def __init__(self, config: Config, clock: Clock) -> None:
        self.config = config
        self.clock = clock

    @property
    def tz(self) -> Any:
        return self.config.organisation.tz

    def _now(self, report: Report) -> datetime:
        """The moment to record for a step of ``report``: for an anonymous report no finer
        than the hour, in every row and message about it (events, audit, nudges, outbox)."""
        now = self.clock.now()
        return coarse(now) if report.anonymous else now

    def notify_at(self, anonymous: bool) -> datetime:
        """When a message prompted by the reporter may go out: at once, or for an anonymous
        reporter after a random few minutes, so its arrival can't be matched to who was
        typing to the bot."""
        now = self.clock.now()
        if not anonymous:
            return now
        privacy = self.config.privacy
        low = privacy.anonymous_delay_min_minutes * 60
        high = max(low, privacy.anonymous_delay_max_minutes * 60)
        return now + timedelta(seconds=secrets.SystemRandom().randint(low, high))

    # ---- who may do what --------------------------------------------------------------

    def handles(self, address: str) -> bool:
        """Whether the person has any role that handles reports."""
        return handles_reports(address, self.config)

    def may_handle(self, address: str, report: Report) -> bool:
        return allowed(address, Act.HANDLE_REPORT, report, self.config)

    def may_view(self, address: str, report: Report) -> bool:
        return allowed(address, Act.VIEW_REPORT, report, self.config)

    def may_handle_action(self, address: str, action: ImprovementAction) -> bool:
        """The owner, and whoever handles reports of the action's team."""
        team = self.config.team(action.team_id)
        roles = self.config.roles
        return (
            address == action.owner
            or address in roles.coordinator
            or (team is not None and address in team.leaders)
        )

    def visible_teams(self, address: str) -> set[str] | None:
        """The teams whose reports someone may see; None means all (coordinator, board)."""
        roles = self.config.roles
        if address in roles.coordinator or address in roles.board:
            return None
        return {team.id for team in self.config.teams if address in team.leaders}

    # ---- a new report opens its first deadlines ---------------------------------------

    async def open_report(self, store: Store, report: Report) -> None:
        report.discovered_at = report.created_at
        dues = deadlines_on_report(report.created_at, self.config.policy, self.tz)
        await self._open(store, report, dues)

    def new_report_buttons(self, t: Translator, address: str, report: Report) -> tuple[Option, ...]:
        """The buttons on a new report's notification, by what the receiver may do."""
        if self.may_handle(address, report):
            return (
                Option("contact", t("case.button.contact")),
                Option("triage", t("case.button.triage")),
            )
        if allowed(address, Act.ADVISE, report, self.config):
            return (Option("adviser_message", t("case.button.adviser_message")),)
        return ()

    # ---- buttons ------------------------------------------------------------------------

    async def on_button(
        self,
        store: Store,
        address: str,
        token: str,
        value: str,
        t: Translator,
        ctx: Context,
        busy: bool,
    ) -> CaseResult:
        if token.startswith(ACTION_PREFIX):
            return await self._on_action_button(store, address, token, value, t, ctx, busy)
        reference = token.removeprefix(CASE_PREFIX)
        report = await store.report_for_update(reference)
        permitted = report is not None and (
            self.may_view(address, report)
            if value == "details"
            else allowed(address, Act.ADVISE, report, self.config)
            if value == "adviser_message"
            else self.may_handle(address, report)
        )
        if report is None or not permitted:
            # refused and logged, without the identity of whoever pressed it
            log.warning("case_action_refused", action=value, channel=_channel(address))
            return CaseResult([Outbound(t("case.not_allowed"))])
        if value == "details":
            await self.audit(store, address, "view", report)
            return CaseResult([self.details(report, t)])
        if not self._allowed(value, report):
            return CaseResult(
                [
                    Outbound(
                        t("case.not_now", reference=reference, status=t(f"status.{report.status}"))
                    ),
                    self._next_step_message(report, t),
                ]
            )
        if value in QUICK:
            return await self._quick(store, address, report, value, t)
        flow_name = FLOW_OF.get(value)
        if flow_name is None:
            return CaseResult([Outbound(t("case.not_allowed"))])
        if busy:
            return CaseResult([Outbound(t("case.busy"))])
        meta = await self._meta(store, report, flow_name, address, t)
        intro = Outbound(t("case.start", reference=reference, summary=self._one_line(report, t)))
        started = engine.start(CASE_FLOWS[flow_name], ctx, meta)
        return CaseResult([intro], start=TurnResult(started.state, started.replies))

    def _allowed(self, value: str, report: Report) -> bool:
        status = report.status
        calamity = report.triage_outcome == Triage.CALAMITY
        if value in ("established", "client_informed", "igj"):
            return calamity and status in OPEN_STATUSES
        if value == "action":
            return status in (Status.ANALYSED, Status.FEEDBACK_GIVEN)
        if value == "details":
            return True
        if value in ("question", "adviser_message"):
            return status in OPEN_STATUSES
        return may({"analyse": "analyse"}.get(value, value), status)

    async def _meta(
        self, store: Store, report: Report, flow: str, address: str, t: Translator
    ) -> dict[str, Any]:
        meta: dict[str, Any] = {"report": report.reference}
        if flow == "triage":
            since = report.created_at - timedelta(days=30)
            same = await self._most_in_one_category(store, report.categories, since)
            meta.update(
                near_miss=report.harm == "near_miss",
                same_category_this_month=same,
                category_threshold=self.config.policy.category_month_threshold,
            )
        if flow == "action":
            team = self.config.team(report.team_id)
            people = [(address, t("case.me"))]
            for candidate in [*(team.leaders if team else []), *self.config.roles.coordinator]:
                if candidate != address:
                    people.append((candidate, candidate))
            meta["owners"] = list(dict.fromkeys(map(tuple, people)))
        return meta

    async def _most_in_one_category(
        self, store: Store, codes: Sequence[str], since: datetime
    ) -> int:
        """The most reports since ``since`` in any one of ``codes`` (JSON lists: one query,
        counted in Python)."""
        rows = await store.session.execute(
            select(Report.categories).where(Report.created_at >= since)
        )
        counts = Counter(
            code for (categories,) in rows for code in categories or [] if code in codes
        )
        return max(counts.values(), default=0)

    # ---- quick actions ------------------------------------------------------------------

    async def _quick(
        self, store: Store, address: str, report: Report, value: str, t: Translator
    ) -> CaseResult:
        now = self._now(report)
        result = CaseResult()
        if value == "contact":
            report.contacted_at, report.contacted_by = now, address
            await self._status(store, report, Status.CONTACTED, address, "contacted", result)
            result.replies.append(Outbound(t("case.contact_noted", reference=report.reference)))
        elif value == "client_informed":
            report.client_informed_at = now
            await self._event(store, report, "client_informed", address)
            await self._close(store, report, "client_informed")
            result.replies.append(
                Outbound(t("case.client_informed_noted", reference=report.reference))
            )
        elif value == "close":
            open_actions = [
                a for a in await store.actions_of_report(report.id) if a.status == "open"
            ]
            if open_actions:
                result.replies.append(Outbound(t("case.close_blocked", count=len(open_actions))))
                return result
            report.closed_at = now
            await self._status(store, report, Status.CLOSED, address, "closed", result)
            result.replies.append(Outbound(t("case.closed_noted", reference=report.reference)))
        result.replies.append(self._next_step_message(report, t))
        return result

    # ---- completed conversations --------------------------------------------------------

    async def complete(
        self,
        store: Store,
        flow: str,
        meta: Mapping[str, Any],
        answers: Mapping[str, Any],
        address: str,
        t: Translator,
    ) -> CaseResult:
        if flow == "drop_action" or "action_id" in meta:
            return await self._complete_action_flow(store, flow, meta, answers, address, t)
        report = await store.report_for_update(str(meta.get("report")))
        result = CaseResult()
        if flow == "adviser_message":
            return await self._adviser_message(store, report, answers, address, t)
        if report is None or not self.may_handle(address, report):
            return CaseResult([Outbound(t("case.not_allowed"))])
        now = self._now(report)
        policy = self.config.policy
        if flow == "triage":
            if not may("triage", report.status):
                return CaseResult(
                    [
                        Outbound(
                            t(
                                "case.not_now",
                                reference=report.reference,
                                status=t(f"status.{report.status}"),
                            )
                        )
                    ]
                )
            outcome = Triage(answers["outcome"])
            report.triaged_at, report.triage_outcome = now, outcome.value
            report.triage_reason = answers.get("reason")
            if outcome is not Triage.NOT_VIM:
                report.risk_frequency = answers["frequency"]
                report.risk_consequence = answers["consequence"]
                report.risk_score = risk_score(answers["frequency"], answers["consequence"])
            if outcome is Triage.NOT_VIM:
                report.closed_at = now
                await self._status(
                    store,
                    report,
                    Status.NOT_VIM,
                    address,
                    "not_vim",
                    result,
                    {"reason": report.triage_reason},
                )
            else:
                await self._status(
                    store,
                    report,
                    Status.TRIAGED,
                    address,
                    "triaged",
                    result,
                    {"outcome": outcome.value, "risk_score": report.risk_score},
                )
                dues = deadlines_on_triage(outcome, now, report.created_at, policy, self.tz)
                await self._open(store, report, dues)
            if outcome is Triage.CALAMITY:
                report.possible_calamity = True
                alert = Outbound(
                    t(
                        "case.calamity_alert",
                        reference=report.reference,
                        team=self._team_name(report, t),
                    ),
                    self._calamity_buttons(t),
                    token=f"{CASE_PREFIX}{report.reference}",
                )
                for to in dict.fromkeys([*self.config.roles.board, *self.config.roles.coordinator]):
                    if to != address:
                        await self._notify(store, to, alert, report, result)
            result.replies.append(
                Outbound(
                    t(
                        "case.triage_noted",
                        reference=report.reference,
                        outcome=t(f"triage.{outcome.value}"),
                    )
                )
            )
        elif flow == "analysis":
            whys = [answers.get(f"why{n}") for n in range(1, 6)]
            report.why_chain = [w for w in whys if w]
            report.causes = list(answers["causes"])
            report.analysed_at = now
            await self._status(
                store,
                report,
                Status.ANALYSED,
                address,
                "analysed",
                result,
                {"causes": report.causes},
            )
            result.replies.append(Outbound(t("case.analysis_noted", reference=report.reference)))
        elif flow == "action":
            action = ImprovementAction(
                description=str(answers["description"]),
                owner=str(answers["owner"]),
                deadline=date.fromisoformat(str(answers["deadline"])),
                status="open",
                team_id=report.team_id,
                created_at=now,
                created_by=address,
            )
            await store.add_action(action, [report.id])
            await self._event(store, report, "action_added", address, {"action_id": action.id})
            due = Due(Deadline.ACTION, self._end_of(action.deadline))
            await self._open_action(store, action, [due])
            if action.owner != address:
                note = Outbound(
                    t(
                        "case.action_owner",
                        description=action.description,
                        deadline=t.day(action.deadline),
                        reference=report.reference,
                    ),
                    self._action_buttons(t),
                    token=f"{ACTION_PREFIX}{action.id}",
                )
                await self._notify(store, action.owner, note, report, result)
            result.replies.append(Outbound(t("case.action_noted", reference=report.reference)))
        elif flow == "feedback":
            report.feedback, report.feedback_at = str(answers["text"]), now
            report.shareable_lesson = answers.get("lesson")
            await self._status(
                store, report, Status.FEEDBACK_GIVEN, address, "feedback_given", result
            )
            await self._to_reporter(
                store,
                report,
                "feedback",
                t("reporter.feedback", reference=report.reference, feedback=report.feedback),
                result,
            )
            result.replies.append(Outbound(t("case.feedback_noted", reference=report.reference)))
        elif flow == "established":
            report.established_on = date.fromisoformat(str(answers["date"]))
            await self._event(
                store, report, "established", address, {"date": report.established_on.isoformat()}
            )
            await self._close(store, report, "established")
            established = self._start_of(report.established_on, report)
            await self._open(
                store, report, [deadline_on_establishment(established, policy, self.tz)]
            )
            result.replies.append(Outbound(t("case.established_noted", reference=report.reference)))
        elif flow == "igj":
            report.igj_reported_on = date.fromisoformat(str(answers["date"]))
            await self._event(
                store, report, "igj_reported", address, {"date": report.igj_reported_on.isoformat()}
            )
            await self._close(store, report, "igj_reported")
            result.replies.append(Outbound(t("case.igj_noted", reference=report.reference)))
        elif flow == "question":
            await self._event(store, report, "question_asked", address)
            rt = Translator(report.language)
            text = rt(
                "reporter.question", reference=report.reference, question=str(answers["text"])
            )
            await self._to_reporter(store, report, "question", text, result)
            result.replies.append(Outbound(t("case.question_noted", reference=report.reference)))
        result.replies.append(self._next_step_message(report, t))
        return result

    async def relay_reply(self, store: Store, report: Report, text: str) -> list[Outbound]:
        """The reporter's answer reaches whoever wrote to them last — the confidential adviser,
        or whoever handles the report — never who sent it. For an anonymous reporter it waits a
        random few minutes, like the report itself."""
        now = self._now(report)
        await store.add_reporter_message(report.id, now, "from_reporter", "answer", text)
        await store.add_event(report.id, "reporter_replied", now, None, {})
        t = Translator(self.config.organisation.language)
        to_adviser = await store.last_message_kind(report.id, "to_reporter") == ADVISER_KIND
        if to_adviser:
            key, button = "case.reporter_replied_adviser", "adviser_message"
            receivers = list(self.config.roles.confidential_adviser)
        else:
            key, button = "case.reporter_replied", "question"
            team = self.config.team(report.team_id)
            receivers = list((team.leaders if team else []) or self.config.roles.coordinator)
        message = Outbound(
            t(key, reference=report.reference, text=text),
            (Option(button, t(f"case.button.{button}")),),
            token=f"{CASE_PREFIX}{report.reference}",
        )
        result = CaseResult()
        due_at = self.notify_at(report.anonymous)
        for address in dict.fromkeys(receivers):
            await self._notify(store, address, message, report, result, due_at=due_at)
        return result.notifications

    async def _adviser_message(
        self,
        store: Store,
        report: Report | None,
        answers: Mapping[str, Any],
        address: str,
        t: Translator,
    ) -> CaseResult:
        """The confidential adviser writes to the reporter (an anonymous one reads it with their
        code). Nothing of it reaches the leaders."""
        if report is None or not allowed(address, Act.ADVISE, report, self.config):
            return CaseResult([Outbound(t("case.not_allowed"))])
        result = CaseResult()
        rt = Translator(report.language)
        text = rt("reporter.adviser", reference=report.reference, message=str(answers["text"]))
        await store.add_event(report.id, "adviser_wrote", self._now(report), None, {})
        await self.audit(store, address, "adviser_message", report)
        await self._to_reporter(store, report, ADVISER_KIND, text, result)
        result.replies.append(Outbound(t("case.adviser_noted", reference=report.reference)))
        return result

    # ---- improvement actions ------------------------------------------------------------

    async def _on_action_button(
        self,
        store: Store,
        address: str,
        token: str,
        value: str,
        t: Translator,
        ctx: Context,
        busy: bool,
    ) -> CaseResult:
        try:
            action_id = int(token.removeprefix(ACTION_PREFIX))
        except ValueError:
            return CaseResult([Outbound(t("case.not_allowed"))])
        action = await store.action(action_id)
        if action is None or not self.may_handle_action(address, action):
            log.warning("action_change_refused", value=value)
            return CaseResult([Outbound(t("case.not_allowed"))])
        now = self.clock.now()
        if value == "done" and action.status == "open":
            action.status, action.done_at = "done", now
            months = self.config.policy.effectiveness_check_months
            action.effectiveness_due = _add_months(now.astimezone(self.tz).date(), months)
            await store.cancel_nudges(now, [Deadline.ACTION], action_id=action.id)
            await self._open_action(
                store, action, [Due(Deadline.EFFECTIVENESS, self._end_of(action.effectiveness_due))]
            )
            return CaseResult(
                [
                    Outbound(
                        t(
                            "case.action_done",
                            description=action.description,
                            when=t.day(action.effectiveness_due),
                        )
                    )
                ]
            )
        if value == "drop" and action.status == "open":
            if busy:
                return CaseResult([Outbound(t("case.busy"))])
            started = engine.start(CASE_FLOWS["drop_action"], ctx, {"action_id": action.id})
            return CaseResult(
                [Outbound(action.description)], start=TurnResult(started.state, started.replies)
            )
        if value in ("effective", "partly", "not") and action.status == "done":
            action.effectiveness = value
            await store.cancel_nudges(now, [Deadline.EFFECTIVENESS], action_id=action.id)
            return CaseResult(
                [Outbound(t("case.effectiveness_noted", result=t(f"effect.{value}")))]
            )
        return CaseResult([Outbound(t("case.action_not_now"))])

    async def _complete_action_flow(
        self,
        store: Store,
        flow: str,
        meta: Mapping[str, Any],
        answers: Mapping[str, Any],
        address: str,
        t: Translator,
    ) -> CaseResult:
        action = await store.action(int(meta["action_id"]))
        if action is None or not self.may_handle_action(address, action):
            return CaseResult([Outbound(t("case.not_allowed"))])
        if action.status == "open":
            action.status, action.reason = "not_doing", str(answers["reason"])
            await store.cancel_nudges(self.clock.now(), [Deadline.ACTION], action_id=action.id)
        return CaseResult([Outbound(t("case.action_dropped", description=action.description))])

    def _action_buttons(self, t: Translator) -> tuple[Option, ...]:
        return (Option("done", t("case.button.done")), Option("drop", t("case.button.drop")))

    # ---- commands: /open, /melding, /acties ---------------------------------------------

    async def command(
        self, store: Store, address: str, word: str, argument: str, t: Translator
    ) -> list[Outbound]:
        if word == "melding":
            report = await store.report_by_reference(argument.strip().upper())
            if report is None or not self.may_view(address, report):
                return [Outbound(t("case.unknown_report", reference=argument.strip()))]
            await self.audit(store, address, "view", report)
            replies = [self.details(report, t)]
            if self.may_handle(address, report):
                replies.append(self._next_step_message(report, t))
            return replies
        if not self.handles(address):
            return [Outbound(t("case.no_role"))]
        if word == "open":
            return await self._open_list(store, address, t)
        return await self._actions_list(store, address, t)

    async def _open_list(self, store: Store, address: str, t: Translator) -> list[Outbound]:
        teams = self.visible_teams(address)
        conditions: list[Any] = [Report.status.in_([s.value for s in OPEN_STATUSES])]
        if teams is not None and address not in self.config.roles.board:
            conditions.append(Report.team_id.in_(sorted(teams)))
        candidates = await store.reports_where(*conditions, limit=10 * LIST_LIMIT)
        reports = [r for r in candidates if self.may_handle(address, r)][:LIST_LIMIT]
        if not reports:
            return [Outbound(t("case.open_none"))]
        nudges = await store.open_nudges_of([r.id for r in reports])
        now = self.clock.now()
        due_by_report: dict[int, dict[str, datetime]] = {}
        for nudge in nudges:
            if nudge.report_id is not None:
                due_by_report.setdefault(nudge.report_id, {}).setdefault(nudge.kind, nudge.due_at)
        lines = [t("case.open_header", count=len(reports))]
        for report in reports:
            dues = sorted(due_by_report.get(report.id, {}).items(), key=lambda kv: kv[1])
            parts = [
                f"{report.reference} · {self._team_name(report, t)} · "
                f"{t(f'status.{report.status}')}"
            ]
            for kind, at in dues[:2]:
                late = t("case.overdue") if at <= now else ""
                parts.append(f"{t(f'deadline.{kind}')} {self._when(at, t)}{late}")
            lines.append(" · ".join(parts))
        return [Outbound("\n".join(lines))]

    async def _actions_list(self, store: Store, address: str, t: Translator) -> list[Outbound]:
        teams = self.visible_teams(address)
        actions = await store.actions_where(ImprovementAction.status == "open")
        mine = [a for a in actions if a.owner == address or teams is None or (a.team_id in teams)]
        if not mine:
            return [Outbound(t("case.actions_none"))]
        today = self.clock.now().astimezone(self.tz).date()
        messages = [Outbound(t("case.actions_header", count=len(mine)))]
        for action in mine[:LIST_LIMIT]:
            late = t("case.overdue") if action.deadline < today else ""
            text = (
                t(
                    "case.action_line",
                    description=action.description,
                    owner=action.owner,
                    deadline=t.day(action.deadline),
                )
                + late
            )
            messages.append(
                Outbound(text, self._action_buttons(t), token=f"{ACTION_PREFIX}{action.id}")
            )
        return messages

    # ---- texts and buttons --------------------------------------------------------------

    def details(self, report: Report, t: Translator) -> Outbound:
        lines = [
            t(
                "case.details_header",
                reference=report.reference,
                types=report.report_type,
                team=self._team_name(report, t),
                status=t(f"status.{report.status}"),
            ),
            f"{t('field.categories')}: " + ", ".join(t(f"category.{c}") for c in report.categories),
            f"{t('field.harm')}: {t(f'harm.{report.harm}')}",
            f"{t('case.reported_at')}: {self._when(report.created_at, t)}",
            f"{t('field.contact')}: {t(f'contact.{report.contact_wish}')}",
            f"{t('notify.reporter')}: "
            + (
                t("notify.anonymous_reporter")
                if report.anonymous
                else (report.reporter_name or "?")
            ),
            "",
            report.description,
        ]
        if report.risk_score is not None:
            lines.insert(3, t("case.risk_score", score=report.risk_score))
        return Outbound("\n".join(lines))

    def _one_line(self, report: Report, t: Translator) -> str:
        categories = ", ".join(t(f"category.{c}") for c in report.categories)
        return f"{categories} · {t(f'harm.{report.harm}')}"

    def _calamity_buttons(self, t: Translator) -> tuple[Option, ...]:
        return (
            Option("established", t("case.button.established")),
            Option("client_informed", t("case.button.client_informed")),
            Option("igj", t("case.button.igj")),
        )

    def next_buttons(self, report: Report, t: Translator) -> tuple[Option, ...]:
        status = report.status
        buttons: list[Option] = []
        if status == Status.NEW:
            buttons += [Option("contact", t("case.button.contact"))]
        if status in (Status.NEW, Status.CONTACTED):
            buttons.append(Option("triage", t("case.button.triage")))
        if status == Status.TRIAGED:
            buttons.append(Option("analyse", t("case.button.analyse")))
        if status in (Status.ANALYSED, Status.FEEDBACK_GIVEN):
            buttons.append(Option("action", t("case.button.action")))
        if status == Status.ANALYSED:
            buttons.append(Option("feedback", t("case.button.feedback")))
        if status == Status.FEEDBACK_GIVEN:
            buttons.append(Option("close", t("case.button.close")))
        if status in OPEN_STATUSES:
            buttons.append(Option("question", t("case.button.question")))
        if report.triage_outcome == Triage.CALAMITY and status in OPEN_STATUSES:
            if report.established_on is None:
                buttons.append(Option("established", t("case.button.established")))
            if report.client_informed_at is None:
                buttons.append(Option("client_informed", t("case.button.client_informed")))
            if report.igj_reported_on is None:
                buttons.append(Option("igj", t("case.button.igj")))
        return tuple(buttons)

    def _next_step_message(self, report: Report, t: Translator) -> Outbound:
        buttons = self.next_buttons(report, t)
        if not buttons:
            return Outbound(t("case.nothing_left", reference=report.reference))
        return Outbound(
            t("case.next", reference=report.reference),
            buttons,
            token=f"{CASE_PREFIX}{report.reference}",
        )

    def _team_name(self, report: Report, t: Translator) -> str:
        team = self.config.team(report.team_id)
        return team.name if team else t("notify.no_team")

    def _when(self, moment: datetime, t: Translator) -> str:
        local = moment.astimezone(self.tz)
        return t.when(local.date(), local.time())

    def _end_of(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=self.tz)

    def _start_of(self, day: date, report: Report) -> datetime:
        now = self._now(report).astimezone(self.tz)
        moment = datetime.combine(day, now.time(), tzinfo=self.tz)
        return min(moment, now)

    # ---- bookkeeping ----------------------------------------------------------------------

    async def _event(
        self,
        store: Store,
        report: Report,
        kind: str,
        actor: str | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        now = self._now(report)
        await store.add_event(report.id, kind, now, actor, data or {})
        if actor is not None:
            detail = {"event": kind, **(data or {})}
            await self.audit(store, actor, "change", report, detail)

    async def audit(
        self,
        store: Store,
        actor: str,
        action: str,
        report: Report,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """An entry in the audit log (NEN 7513): who, what, which report, when, how."""
        await store.add_audit(
            self._now(report), actor, action, report.reference, _channel(actor), detail or {}
        )

    async def _status(
        self,
        store: Store,
        report: Report,
        status: Status,
        actor: str,
        step: str,
        result: CaseResult,
        data: dict[str, Any] | None = None,
    ) -> None:
        previous = report.status
        report.status = status.value
        await self._event(
            store, report, "status", actor, {"from": previous, "to": status.value, **(data or {})}
        )
        await self._close(store, report, step)
        t = Translator(report.language)
        if status is not Status.FEEDBACK_GIVEN:  # feedback carries its own message
            await self._to_reporter(
                store,
                report,
                "status",
                t(
                    "reporter.status",
                    reference=report.reference,
                    status=t(f"status.{status.value}"),
                ),
                result,
            )

    async def _close(self, store: Store, report: Report, step: str) -> None:
        kinds = CLOSES.get(step, frozenset())
        if kinds:
            await store.cancel_nudges(
                self._now(report), [k.value for k in kinds], report_id=report.id
            )

    async def _open(self, store: Store, report: Report, dues: Sequence[Due]) -> None:
        await self._add_nudges(
            store, dues, report.team_id, report_id=report.id, now=self._now(report)
        )

    async def _open_action(
        self, store: Store, action: ImprovementAction, dues: Sequence[Due]
    ) -> None:
        await self._add_nudges(store, dues, action.team_id, owner=action.owner, action_id=action.id)

    async def _add_nudges(
        self,
        store: Store,
        dues: Sequence[Due],
        team_id: str | None,
        owner: str | None = None,
        report_id: int | None = None,
        action_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        """The reminder and escalation rows of newly opened deadlines."""
        now = now or self.clock.now()
        rows = [
            Nudge(
                report_id=report_id,
                action_id=action_id,
                kind=p.kind.value,
                stage=p.stage,
                recipient=p.recipient,
                due_at=p.due_at,
                send_at=p.send_at,
                urgent=p.urgent,
            )
            for due in dues
            for p in plan(due, team_id, self.config, now, owner=owner)
        ]
        await store.add_nudges(rows)

    async def _to_reporter(
        self, store: Store, report: Report, kind: str, text: str, result: CaseResult
    ) -> None:
        """A named reporter gets a message; an anonymous one finds it in their mailbox."""
        now = self._now(report)
        await store.add_reporter_message(report.id, now, "to_reporter", kind, text)
        if not report.anonymous and report.reporter_address:
            await self._notify(store, report.reporter_address, Outbound(text), report, result)

    async def _notify(
        self,
        store: Store,
        address: str,
        message: Outbound,
        report: Report,
        result: CaseResult,
        due_at: datetime | None = None,
    ) -> None:
        payload = payload_of(message, coarse=report.anonymous)
        await store.enqueue(address, payload, self._now(report), report.id, due_at=due_at)
        result.notifications.append(
            Outbound(message.text, message.options, token=message.token, address=address)
        )


def _channel(address: str) -> str:
    return address.partition(":")[0] if ":" in address else "cli"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)
