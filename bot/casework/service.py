"""The entry points of case work, as the turn calls them.

Every case step passes one authorization step first (:meth:`Casework.authorize`): load the
report, check the permission table for the step's act, check that the step fits the report
(procedure table), and audit the access when it shows the report. Only then does the
step's handler (``handlers.py``) run; a forged or replayed button from anyone else changes
nothing and is logged without the identity of whoever pressed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import structlog

from bot.casework import procedure
from bot.casework.actions import Actions
from bot.casework.handlers import COMPLETIONS, META, QUICK, CaseTurn
from bot.casework.lists import LIST_LIMIT, Lists
from bot.casework.messages import Texts
from bot.casework.recording import (
    ACTION_PREFIX,
    ADVISER_KIND,
    CASE_PREFIX,
    Press,
    Recorder,
    Sent,
    channel_of,
    notify_at,
)
from bot.casework.words import STEP_PREFIX
from bot.clock import Clock
from bot.config import Config
from bot.domain.lifecycle import OPEN_STATUSES, Deadline, deadlines_on_report
from bot.domain.permissions import Act, allowed, handles_reports, teams_in_scope
from bot.events import Option, Outbound
from bot.flows import engine
from bot.flows.casework import CASE_FLOWS
from bot.flows.engine import Context
from bot.i18n import Translator
from bot.outcome import Outcome
from storage.models import Report
from storage.repository import Store

log = structlog.get_logger("vimbot.casework")


class Casework:
    def __init__(self, config: Config, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.texts = Texts(config)

    def handles(self, address: str) -> bool:
        """Whether the person has any role that handles reports."""
        return handles_reports(address, self.config)

    def notify_at(self, anonymous: bool) -> datetime:
        return notify_at(self.config, self.clock, anonymous)

    def notice_buttons(self, t: Translator, address: str, report: Report) -> tuple[Option, ...]:
        return self.texts.notice_buttons(t, address, report)

    @staticmethod
    def opening(report: Report) -> None:
        """What a new report knows before it is stored: it was discovered when reported."""
        if report.discovered_at is None:
            report.discovered_at = report.created_at

    async def open_report(self, store: Store, report: Report, due_at: datetime) -> list[Outbound]:
        """A new report opens its first deadlines (contact, triage). A serious work accident
        opens the Arbeidsinspectie's too, and the board, HR and the coordinator get its
        draft, held until ``due_at`` like the report's notice; returns what was queued."""
        self.opening(report)
        dues = deadlines_on_report(report, self.config.policy, self.config.organisation.tz)
        recorder = Recorder(store, self.config, self.clock)
        await recorder.open(report, dues)
        sent = Sent()
        if any(due.kind is Deadline.ARBEIDSINSPECTIE for due in dues):
            roles = self.config.roles
            receivers = [*roles.board, *roles.hr, *roles.coordinator]
            await recorder.draft("arbeidsinspectie", report, receivers, sent, due_at)
        return sent.messages

    # ---- the authorization step ---------------------------------------------------------

    async def authorize(
        self,
        store: Store,
        address: str,
        step_name: str,
        reference: str,
        t: Translator,
        name: str | None = None,
    ) -> CaseTurn | Outcome:
        """The report and the step, if this person may take it now; else the refusal."""
        step = procedure.step_named(step_name)
        report = await store.report_for_update(reference) if step is not None else None
        if step is None or report is None or not allowed(address, step.act, report, self.config):
            log.warning("case_action_refused", action=step_name, channel=channel_of(address))
            return Outcome([Outbound(t("case.not_allowed"))])
        if not step.available(report):
            status = t(f"status.{report.status}")
            return Outcome(
                [
                    Outbound(t("case.not_now", reference=reference, status=status)),
                    self.texts.next_step_message(address, report, t),
                ]
            )
        recorder = Recorder(store, self.config, self.clock)
        if step.act is Act.VIEW_REPORT:
            await recorder.audit(address, "view", report)
        texts = self.texts
        return CaseTurn(store, self.config, recorder, texts, address, report, step, t, name=name)

    # ---- buttons ------------------------------------------------------------------------

    async def on_button(self, store: Store, press: Press, ctx: Context) -> Outcome:
        if press.token.startswith(ACTION_PREFIX):
            actions = Actions(self.config, Recorder(store, self.config, self.clock), self.texts)
            return await actions.on_button(store, press, ctx)
        t, address = ctx.t, press.address
        reference = press.token.removeprefix(CASE_PREFIX)
        turn = await self.authorize(store, address, press.value, reference, t, press.name)
        if isinstance(turn, Outcome):
            return turn
        if turn.step.flow is None:
            await QUICK[turn.step.name](turn)
            if turn.step.in_menu:
                turn.replies.append(self.texts.next_step_message(address, turn.report, t))
            return Outcome(turn.replies, turn.sent.messages)
        if press.busy:
            return Outcome([Outbound(t("case.busy"))])
        meta: dict[str, Any] = {"report": turn.report.reference}
        if turn.step.name in META:
            meta.update(await META[turn.step.name](turn))
        summary = self.texts.one_line(turn.report, t)
        intro = Outbound(t("case.start", reference=turn.report.reference, summary=summary))
        started = engine.start(CASE_FLOWS[turn.step.flow], ctx, meta)
        return Outcome([intro, *started.replies], state=started.state)

    async def on_typed_step(
        self, store: Store, address: str, steps: Sequence[str], ctx: Context, name: str | None
    ) -> Outcome | None:
        """A typed word that names a case step (bot.casework.words): the step on the one open
        report this person may take it on, or the question which report when there are more;
        None when it fits no report of theirs (the text is then no case step at all)."""
        if not handles_reports(address, self.config):
            return None
        teams = teams_in_scope(address, Act.HANDLE_REPORT, self.config)
        statuses = [s.value for s in OPEN_STATUSES]
        reports = await store.open_reports(statuses, teams, limit=10 * LIST_LIMIT)
        rows = [procedure.step_named(step) for step in steps]
        fits = [
            (step, report)
            for report in reports
            for step in rows
            if step is not None
            and step.available(report)
            and allowed(address, step.act, report, self.config)
        ]
        if len({step.name for step, _ in fits}) != 1:
            return None  # no step of theirs, or two different ones: not a button after all
        step, t = fits[0][0], ctx.t
        if len(fits) == 1:
            token = f"{CASE_PREFIX}{fits[0][1].reference}"
            press = Press(address=address, token=token, value=step.name, busy=False, name=name)
            return await self.on_button(store, press, ctx)
        options = tuple(
            Option(r.reference, f"{r.reference} · {self.texts.one_line(r, t)}")
            for _, r in fits[:LIST_LIMIT]
        )
        question = t("case.which_report", step=t(step.label))
        return Outcome([Outbound(question, options, token=f"{STEP_PREFIX}{step.name}")])

    # ---- completed conversations --------------------------------------------------------

    async def complete(
        self,
        store: Store,
        flow: str,
        meta: Mapping[str, Any],
        answers: Mapping[str, Any],
        address: str,
        t: Translator,
        name: str | None = None,
    ) -> Outcome:
        """A case conversation was confirmed: authorize again (the report may have moved on
        meanwhile), then the step's completion handler records it."""
        if "action_id" in meta:
            actions = Actions(self.config, Recorder(store, self.config, self.clock), self.texts)
            token = f"{ACTION_PREFIX}{meta['action_id']}"
            return await actions.complete_drop(store, address, token, str(answers["reason"]), t)
        step = procedure.step_for_flow(flow)
        if step is None:
            return Outcome([Outbound(t("case.not_allowed"))])
        turn = await self.authorize(store, address, step.name, str(meta.get("report")), t, name)
        if isinstance(turn, Outcome):
            return turn
        await COMPLETIONS[step.name](turn, answers)
        turn.replies.append(self.texts.next_step_message(address, turn.report, t))
        return Outcome(turn.replies, turn.sent.messages)

    # ---- commands and the reporter's answers ---------------------------------------------

    async def command(
        self, store: Store, address: str, word: str, argument: str, t: Translator
    ) -> list[Outbound]:
        lists = Lists(self.config, self.clock, self.texts, Recorder(store, self.config, self.clock))
        return await lists.command(store, address, word, argument, t)

    async def relay_reply(self, store: Store, report: Report, text: str) -> list[Outbound]:
        """The reporter's answer reaches whoever wrote to them last — the confidential adviser,
        or whoever handles the report — never who sent it. For an anonymous reporter it waits a
        random few minutes, like the report itself."""
        recorder = Recorder(store, self.config, self.clock)
        now = recorder.now(report)
        await store.add_reporter_message(report.id, now, "from_reporter", "answer", text)
        await store.add_event(report.id, "reporter_replied", now, None, {})
        t = Translator(self.config.organisation.language)
        if await store.last_message_kind(report.id, "to_reporter") == ADVISER_KIND:
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
        sent = Sent()
        due_at = recorder.notify_at(report.anonymous)
        for address in dict.fromkeys(receivers):
            await recorder.notify(address, message, report, sent, due_at=due_at)
        return sent.messages
