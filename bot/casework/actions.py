"""The improvement register from the chat: an action's owner (or whoever handles its team's
reports) marks it done, drops it with a reason, and says later whether it worked. Which of
these fits when comes from the procedure table's action rows; who may, from the permission
table (``HANDLE_ACTION``)."""

from __future__ import annotations

from datetime import date

import structlog

from bot.casework import procedure
from bot.casework.handlers import end_of
from bot.casework.messages import Texts
from bot.casework.recording import ACTION_PREFIX, Press, Recorder
from bot.config import Config
from bot.domain.lifecycle import Deadline, Due
from bot.domain.permissions import Act, allowed
from bot.domain.workdays import working_day_from
from bot.events import Outbound
from bot.flows import engine
from bot.flows.casework import CASE_FLOWS
from bot.flows.engine import Context
from bot.flows.state import DropActionMeta
from bot.i18n import Translator
from bot.outcome import Outcome
from storage.models import ImprovementAction
from storage.repository import Store

log = structlog.get_logger("vimbot.casework")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


class Actions:
    __slots__ = ("config", "recorder", "texts")

    def __init__(self, config: Config, recorder: Recorder, texts: Texts) -> None:
        self.config, self.recorder, self.texts = config, recorder, texts

    async def _authorized(self, store: Store, address: str, token: str) -> ImprovementAction | None:
        try:
            action_id = int(token.removeprefix(ACTION_PREFIX))
        except ValueError:
            return None
        action = await store.action(action_id)
        if action is None or not allowed(address, Act.HANDLE_ACTION, action, self.config):
            return None
        return action

    async def on_button(self, store: Store, press: Press, ctx: Context) -> Outcome:
        t, value = ctx.t, press.value
        action = await self._authorized(store, press.address, press.token)
        if action is None:
            log.warning("action_change_refused", value=value)
            return Outcome([Outbound(t("case.not_allowed"))])
        step = procedure.action_step_named(value)
        if step is None or not step.available(action):
            return Outcome([Outbound(t("case.action_not_now"))])
        now = self.recorder.clock.now()
        if step.flow is not None:
            if press.busy:
                return Outcome([Outbound(t("case.busy"))])
            meta = DropActionMeta(action_id=action.id)
            started = engine.start(CASE_FLOWS[step.flow], ctx, meta)
            return Outcome([Outbound(action.description), *started.replies], state=started.state)
        if step.judges:
            action.effectiveness = step.name
            await store.cancel_nudges(now, [Deadline.EFFECTIVENESS], action_id=action.id)
            replies = [Outbound(t("case.effectiveness_noted", result=t(step.label)))]
            if step.name != "effective":
                # Partly or not effective: the report stays open and asks for a follow-up.
                replies += await self._follow_up(store, press.address, action, t)
            return Outcome(replies)
        if step.name != "done":
            return Outcome([Outbound(t("case.action_not_now"))])
        tz = self.config.organisation.tz
        action.status, action.done_at = "done", now
        months = self.config.policy.effectiveness_check_months
        # months on, and on a working day (not a Sunday or a holiday)
        check_on = add_months(now.astimezone(tz).date(), months)
        action.effectiveness_due = working_day_from(check_on)
        await store.cancel_nudges(now, [Deadline.ACTION], action_id=action.id)
        due = Due(Deadline.EFFECTIVENESS, end_of(action.effectiveness_due, tz))
        await self.recorder.open_action(action, [due])
        when = t.day(action.effectiveness_due)
        return Outcome([Outbound(t("case.action_done", description=action.description, when=when))])

    async def _follow_up(
        self, store: Store, address: str, action: ImprovementAction, t: Translator
    ) -> list[Outbound]:
        replies = []
        for reference in await store.references_of_action(action.id):
            report = await store.report_by_reference(reference)
            if report is not None and allowed(address, Act.HANDLE_REPORT, report, self.config):
                replies.append(Outbound(t("case.follow_up_needed", reference=reference)))
                replies.append(self.texts.next_step_message(address, report, t))
        return replies

    async def complete_drop(
        self, store: Store, address: str, token: str, reason: str, t: Translator
    ) -> Outcome:
        """The conversation to drop the action of ``token`` for ``reason`` was confirmed."""
        action = await self._authorized(store, address, token)
        if action is None:
            return Outcome([Outbound(t("case.not_allowed"))])
        drop = procedure.action_step_named("drop")
        if drop is not None and drop.available(action):
            action.status, action.reason = "not_doing", reason
            now = self.recorder.clock.now()
            await store.cancel_nudges(now, [Deadline.ACTION], action_id=action.id)
        return Outcome([Outbound(t("case.action_dropped", description=action.description))])
