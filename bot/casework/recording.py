"""The bookkeeping every case step shares: what it leaves behind besides the report's own
fields. Each change appends an event (who, when) and an audit entry, closes the deadlines it
fulfils and opens the next ones, and tells a named reporter in one short line.

For an anonymous report every moment recorded here is kept no finer than the hour.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Config
from bot.domain.anonymity import coarse
from bot.domain.lifecycle import Deadline, Due, Status
from bot.drafts import DraftKind, draft_of
from bot.events import Outbound, payload_of, stored_due
from bot.i18n import Translator
from bot.nudges import nudge_rows, plan
from storage.models import ImprovementAction, Report
from storage.repository import Store

TOKENS = ("case:", "act:")
CASE_PREFIX, ACTION_PREFIX = TOKENS
ADVISER_KIND = "adviser"  # a message from the confidential adviser in the reporter's mailbox


def is_case_token(token: str | None) -> bool:
    return bool(token) and str(token).startswith(TOKENS)


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed on a case or an action message: by whom, on which message (its
    token), which button, and whether the chat is busy in a conversation (then no step
    that asks questions can start)."""

    address: str
    token: str
    value: str
    busy: bool
    name: str | None = None  # the presser's name in the messenger (recorded with a step)


def channel_of(address: str) -> str:
    return address.partition(":")[0] if ":" in address else "cli"


@dataclass(slots=True)
class Sent:
    """Messages a step queued for others (already in the outbox), for the caller to show."""

    messages: list[Outbound] = field(default_factory=list)


def notify_at(config: Config, clock: Clock, anonymous: bool) -> datetime:
    """When a message prompted by the reporter may go out: at once, or for an anonymous
    reporter after a random few minutes, so its arrival can't be matched to who was typing
    to the bot."""
    now = clock.now()
    if not anonymous:
        return now
    privacy = config.privacy
    low = privacy.anonymous_delay_min_minutes * 60
    high = max(low, privacy.anonymous_delay_max_minutes * 60)
    return now + timedelta(seconds=secrets.SystemRandom().randint(low, high))


class Recorder:
    """Writes a step's traces through the turn's store (one transaction)."""

    __slots__ = ("clock", "config", "store")

    def __init__(self, store: Store, config: Config, clock: Clock) -> None:
        self.store, self.config, self.clock = store, config, clock

    @property
    def tz(self) -> Any:
        return self.config.organisation.tz

    def now(self, report: Report) -> datetime:
        """The moment to record for a step of ``report``: for an anonymous report no finer
        than the hour, in every row and message about it (events, audit, nudges, outbox)."""
        now = self.clock.now()
        return coarse(now) if report.anonymous else now

    def notify_at(self, anonymous: bool) -> datetime:
        return notify_at(self.config, self.clock, anonymous)

    async def event(
        self,
        report: Report,
        kind: str,
        actor: str | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        now = self.now(report)
        await self.store.add_event(report.id, kind, now, actor, data or {})
        if actor is not None:
            await self.audit(actor, "change", report, {"event": kind, **(data or {})})

    async def audit(
        self, actor: str, action: str, report: Report, detail: dict[str, Any] | None = None
    ) -> None:
        """An entry in the audit log (NEN 7513): who, what, which report, when, how."""
        await self.store.add_audit(
            self.now(report), actor, action, report.reference, channel_of(actor), detail or {}
        )

    async def status(
        self,
        report: Report,
        status: Status,
        actor: str,
        sent: Sent,
        data: dict[str, Any] | None = None,
        tell_reporter: bool = True,
    ) -> None:
        """A new status, with its event; a named reporter hears of it in one line."""
        previous = report.status
        report.status = status.value
        await self.event(
            report, "status", actor, {"from": previous, "to": status.value, **(data or {})}
        )
        if tell_reporter:
            t = Translator(report.language)
            line = t(
                "reporter.status", reference=report.reference, status=t(f"status.{status.value}")
            )
            await self.to_reporter(report, "status", line, sent)

    async def close(self, report: Report, kinds: Iterable[Deadline]) -> None:
        values = [k.value for k in kinds]
        if values:
            await self.store.cancel_nudges(self.now(report), values, report_id=report.id)

    async def open(self, report: Report, dues: Sequence[Due]) -> None:
        await self._nudges(dues, report.team_id, self.now(report), report_id=report.id)

    async def open_action(self, action: ImprovementAction, dues: Sequence[Due]) -> None:
        await self._nudges(
            dues, action.team_id, self.clock.now(), owner=action.owner, action_id=action.id
        )

    async def _nudges(
        self,
        dues: Sequence[Due],
        team_id: str | None,
        now: datetime,
        owner: str | None = None,
        report_id: int | None = None,
        action_id: int | None = None,
    ) -> None:
        """The reminder and escalation rows of newly opened deadlines."""
        planned = [p for due in dues for p in plan(due, team_id, self.config, now, owner=owner)]
        rows = nudge_rows(planned, report_id, action_id)
        await self.store.add_nudges(rows)

    async def to_reporter(self, report: Report, kind: str, text: str, sent: Sent) -> None:
        """A named reporter gets a message; an anonymous one finds it in their mailbox."""
        await self.store.add_reporter_message(
            report.id, self.now(report), "to_reporter", kind, text
        )
        if not report.anonymous and report.reporter_address:
            await self.notify(report.reporter_address, Outbound(text), report, sent)

    async def notify(
        self,
        address: str,
        message: Outbound,
        report: Report,
        sent: Sent,
        due_at: datetime | None = None,
    ) -> None:
        payload = payload_of(message, coarse=report.anonymous)
        if due_at is not None:
            due_at = stored_due(payload, due_at)
        await self.store.enqueue(address, payload, self.now(report), report.id, due_at=due_at)
        sent.messages.append(
            Outbound(message.text, message.options, token=message.token, address=address)
        )

    async def draft(
        self,
        kind: DraftKind,
        report: Report,
        receivers: Iterable[str],
        sent: Sent,
        due_at: datetime | None = None,
    ) -> None:
        """The prefilled draft of a notification to an authority (``vimbot draft KIND``), in
        the chat of each receiver, to check and submit in the authority's own portal
        themselves (the bot never sends it there). Through the outbox like any notice: for an
        anonymous report kept to the hour, and held until ``due_at`` if given."""
        actions = (await self.store.actions_of_reports([report.id])).get(report.id, [])
        t = Translator(self.config.organisation.language)
        draft = draft_of(kind, report, actions, self.config, t)
        note = t("draft.sent_note", kind=kind, reference=report.reference)
        message = Outbound(f"{draft.text()}\n\n{note}")
        for address in dict.fromkeys(receivers):
            await self.notify(address, message, report, sent, due_at)
