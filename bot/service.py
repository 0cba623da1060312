"""The application core: one inbound event in, the replies out, everything stored in between.

A turn is load → decide → commit, in one database transaction:

- **load** — the person, the chat's conversation and the claim on the platform's update id
  (a redelivered update is recognised and skipped);
- **decide** — the router (``bot/router.py``) picks the handler: a case button, the open
  conversation (the flow engine, pure), a command, or the welcome; the handler decides and
  queues what it records;
- **commit** — the conversation's new state, the report, its events, nudges, outbox and
  audit entries are committed together, so a crash between two messages loses at most the
  message in flight.

Turns of one chat run in order; turns of different chats run concurrently. On SQLite, whose
one writer takes them one at a time, the turns that wait for it at the same moment share one
transaction (``bot/batching.py``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog

from bot import rate_limit
from bot.batching import TurnBatches
from bot.casework.service import Casework
from bot.clock import Clock, SystemClock
from bot.commands import Command
from bot.commands import find as find_command
from bot.conclusions import CONCLUSIONS_FLOW
from bot.config import Config
from bot.core import Form, FormAnswers
from bot.domain.text import clean_text
from bot.events import (
    Inbound,
    InboundKind,
    Outbound,
    delivered_at,
    outbound_from_payload,
    payload_of,
    ready,
    settled,
)
from bot.flows import engine
from bot.flows.casework import CASE_FLOWS
from bot.flows.engine import Completed, View, command_argument, command_word
from bot.flows.report import REPLY_FLOW, REPORT_FLOW, personal_data_in
from bot.flows.state import FlowState, Unreadable
from bot.i18n import Translator, normalise_language
from bot.outcome import KEEP, Outcome
from bot.reporting import Reporting, reply_sent
from bot.router import Router, names_start
from bot.turn import Turn
from storage.db import Database, unavailable
from storage.models import Person
from storage.repository import Store, StoredConversation, TurnKey

log = structlog.get_logger("vimbot.service")

FLOWS = {
    REPORT_FLOW.name: REPORT_FLOW,
    REPLY_FLOW.name: REPLY_FLOW,
    **CASE_FLOWS,
    CONCLUSIONS_FLOW.name: CONCLUSIONS_FLOW,
}
ZERO = timedelta(0)

__all__ = ["FLOWS", "Outcome", "ReportService"]


def read_state(row: StoredConversation | None, platform: str) -> FlowState | None:
    """A stored conversation's state, checked against its flow; None when there is none or
    when its flow cannot go on with it (logged by the part that failed, never its content)."""
    if row is None:
        return None
    flow = FLOWS.get(row.flow)
    try:
        if flow is None:
            raise Unreadable("flow")
        return engine.load(flow, row.state)
    except Unreadable as problem:
        log.warning("draft_unreadable", platform=platform, part=problem.part)
        return None


# What an event says: the command word typed, what follows it, the command they name.
Said = tuple[str, str, Command | None]


def _said(event: Inbound) -> Said:
    word = command_word(event.text) if event.kind is not InboundKind.CHOICE else ""
    argument = command_argument(event.text) if event.kind is InboundKind.COMMAND else ""
    return word, argument, find_command(word, argument) if word else None


class KeyedLocks:
    """One asyncio lock per chat, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[Any, asyncio.Lock] = {}
        self._users: defaultdict[Any, int] = defaultdict(int)

    def hold(self, key: Any) -> _Held:
        return _Held(self, key)


class _Held:
    __slots__ = ("_key", "_owner")

    def __init__(self, owner: KeyedLocks, key: Any) -> None:
        self._owner, self._key = owner, key

    async def __aenter__(self) -> None:
        owner = self._owner
        owner._users[self._key] += 1
        lock = owner._locks.setdefault(self._key, asyncio.Lock())
        await lock.acquire()

    async def __aexit__(self, *exc: object) -> None:
        owner = self._owner
        owner._locks[self._key].release()
        owner._users[self._key] -= 1
        if owner._users[self._key] == 0:
            del owner._users[self._key]
            del owner._locks[self._key]


class ReportService:
    """Turns inbound events into replies, reports and notifications (the adapters see it as
    ``bot.core.Core``)."""

    # Pauses before a turn is tried again when the database failed (connection lost or
    # refused); after the last one the turn is given up and the update left unacknowledged.
    turn_retry_pauses: tuple[float, ...] = (0.05, 0.25)

    def __init__(self, config: Config, db: Database, clock: Clock | None = None) -> None:
        self.config = config
        self.db = db
        self.clock = clock or SystemClock()
        self._locks = KeyedLocks()
        self.casework = Casework(config, self.clock)
        self.reporting = Reporting(config, self.clock, self.casework)
        self.router = Router(FLOWS, self.casework, self.reporting)
        # SQLite's one writer: the turns that wait for it go in together
        self._batches = TurnBatches(self._handle_together) if db.is_sqlite else None

    @property
    def language(self) -> str:
        """The organisation's language, for texts an adapter writes itself."""
        return self.config.organisation.language

    async def handle(self, event: Inbound) -> Outcome:
        """Never raises for what a person sends: a failure becomes a friendly message and the
        transaction is rolled back, so the stored draft stays as it was before this turn.

        A failing database (``storage.db.unavailable``) is tried again briefly; if it still
        fails the outcome is marked ``unavailable`` (the update's claim was rolled back too,
        so its redelivery is processed). Any other error is a bug: logged, not retried."""
        async with self._locks.hold(event.chat_key):
            pauses = self.turn_retry_pauses
            if self._batches is not None:  # SQLite: with the turns waiting beside it
                together = await self._batches.handle(event)
                if isinstance(together, Outcome):
                    return together
                if together.error is not None and unavailable(together.error):
                    # the batch was this turn's first try
                    await asyncio.sleep(pauses[0] if pauses else 0)
                    pauses = pauses[1:]
            reason = None
            for pause in (*pauses, None):
                try:
                    async with self.db.transaction() as store:
                        return await self._handle(store, event)
                except Exception as error:
                    reason = unavailable(error)
                    if reason is None:
                        log.exception("turn_failed", platform=event.platform, kind=str(event.kind))
                        break
                    log.warning("turn_database_unavailable", platform=event.platform, reason=reason)
                    if pause is not None:
                        await asyncio.sleep(pause)
            t = Translator(event.language or self.config.organisation.language)
            return Outcome([Outbound(t("error.internal"))], unavailable=reason is not None)

    async def resume(self, platform: str, chat_id: str, address: str) -> list[Outbound]:
        """The current question of a draft in progress (with a line saying so), or nothing."""
        async with self.db.transaction() as store:
            row = await store.load_conversation(platform, chat_id)
            state = read_state(row, platform)
            if state is None:
                return []  # nothing to go on with (an unreadable draft ends at the next turn)
            person = await store.get_person(address)
            ctx = self.reporting.context(person, None)
            result = engine.resume(FLOWS[state.flow], state, ctx)
            if result.state is not None and result.state != state:  # repaired: kept as asked
                now = self.clock.now()
                await store.save_conversation(
                    platform, chat_id, state.flow, result.state.to_json(), now
                )
            return [Outbound(ctx.t("engine.resumed")), *result.replies]

    async def welcome(self, address: str, language: str | None = None) -> list[Outbound]:
        """The welcome (its buttons: report, anonymous, help), in the person's language."""
        async with self.db.transaction() as store:
            person = await store.get_person(address)
        return self.reporting.welcome(self.reporting.context(person, language))

    async def inbox(self, address: str) -> list[Outbound]:
        """Deliver queued messages for an address that reads them in this process (the shell)."""
        async with self.db.transaction() as store:
            now = self.clock.now()
            messages = [
                m
                for m in await store.pending_for(address)
                if m.due_at <= now and ready(m.payload, now)
            ]
            for message in messages:
                sent_at = delivered_at(message.payload, now)
                message.payload = settled(message.payload) or message.payload
                message.status, message.sent_at = "sent", sent_at
                message.due_at = min(message.due_at, sent_at)
                message.attempts += 1
            return [outbound_from_payload(m.payload, m.address) for m in messages]

    async def form_context(self, address: str, language: str | None = None) -> Form:
        """The report form for this person now: the report flow's steps, in their language,
        with the organisation's local time and without the team question when their team
        is known (someone who never wrote before has no stored row: their membership counts)."""
        async with self.db.transaction() as store:
            person = await store.get_person(address)
        ctx = self.reporting.context(person or Person(address=address), language)
        return Form(REPORT_FLOW, View({}, ctx, {}))

    async def submit_form(
        self, person: Inbound, raw: FormAnswers, anonymous: bool
    ) -> tuple[dict[str, str], Outcome]:
        """A report sent as one form (a Slack modal): the conversation's rules, all at once.

        Returns the problems per step id (nothing stored) or, when there are none, the outcome
        of sending, exactly as at the end of the conversation. A text that seems to hold
        personal data is refused first, on its own (the form asks to leave it out, where the
        conversation offers to).
        """
        async with self._locks.hold(person.chat_key), self.db.transaction() as store:
            now = self.clock.now()
            language = normalise_language(person.language) if person.language else None
            who = await store.person_for_turn(person.address, now, person.user_name, language)
            ctx = self.reporting.context(who, person.language)
            personal = personal_data_in(raw)
            if personal is not None:
                return {personal: ctx.t("form.personal_data")}, Outcome()
            known = self.reporting.known_team(who)
            answers, errors = engine.validate_form(
                REPORT_FLOW, raw, ctx, {"anonymous": anonymous}, {"team": known} if known else {}
            )
            outcome = Outcome()
            if not errors:
                completed = Completed(answers, anonymous)
                outcome = await self.reporting.send(store, person, who, completed, ctx)
            return errors, outcome

    async def status_of(self, address: str, language: str | None = None) -> Outbound:
        """The person's own reports (for an overview such as Slack's App Home)."""
        async with self.db.transaction() as store:
            person = await store.get_person(address)
            t = self.reporting.context(person, language).t
            return await self.reporting.own_reports(store, address, t)

    async def queue(self, address: str, message: Outbound, delay: timedelta | None = None) -> None:
        """Put a message in the outbox (a reply that could not be delivered right away)."""
        now = self.clock.now()
        async with self.db.transaction() as store:
            await store.enqueue(address, payload_of(message), now, due_at=now + (delay or ZERO))

    async def status_by_code(
        self, address: str, typed: str, language: str | None = None
    ) -> str | None:
        """The status text for a code or own reference (no conversation: Slack's ephemeral
        answer), or None when it does not match."""
        async with self.db.transaction() as store:
            report = await self.reporting.find_own(store, address, typed)
            if report is None:
                return None
            return await self.reporting.status_text(
                store, report, self.reporting.context(None, language).t
            )

    async def reply_by_code(self, address: str, typed: str, text: str) -> Outcome | None:
        """Relay a reporter's answer given with their code (Slack's reply form)."""
        async with self.db.transaction() as store:
            report = await self.reporting.find_own(store, address, typed)
            if report is None:
                return None
            t = self.reporting.context(None, None).t
            clean = clean_text(text)
            if not clean:
                return Outcome([Outbound(t("reply.nothing"))])
            notifications = await self.casework.relay_reply(store, report, clean)
            return Outcome([Outbound(t(reply_sent(report)))], notifications)

    # ---- one turn: load → decide → commit ---------------------------------------------

    async def _handle_together(self, events: Sequence[Inbound]) -> list[Outcome]:
        """Turns of different chats in one transaction (see ``bot/batching.py``)."""
        async with self.db.transaction() as store:
            outcomes = await self._turns(store, events)
            if len(outcomes) != len(events):  # checked before the COMMIT, not after
                raise AssertionError("an outcome for every turn")
            return outcomes

    async def _handle(self, store: Store, event: Inbound) -> Outcome:
        return (await self._turns(store, [event]))[0]

    async def _turns(self, store: Store, events: Sequence[Inbound]) -> list[Outcome]:
        """Each turn loaded (all at once), decided and written, in order."""
        now = self.clock.now()
        said = [_said(event) for event in events]
        keys = [self._key(event, words) for event, words in zip(events, said, strict=True)]
        loaded = await store.load_turns(keys, now, rate_limit.counted_since(now))
        outcomes = []
        for event, words, found in zip(events, said, loaded, strict=True):
            if found is None:
                log.info("duplicate_update_skipped", platform=event.platform)
                outcomes.append(Outcome(duplicate=True))
                continue
            turn = self._turn(store, event, words, now, *found)
            outcome = await self.router.route(turn)
            await self._commit(turn, outcome)
            outcomes.append(outcome)
        return outcomes

    @staticmethod
    def _key(event: Inbound, words: Said) -> TurnKey:
        language = normalise_language(event.language) if event.language else None
        return TurnKey(
            event.platform,
            event.chat_id,
            event.address,
            event.dedupe_key,
            event.user_name,
            language,
            # a report may start: its flood count is read with the rest
            rate_limit.counted_as(event.address) if names_start(event.choice, words[2]) else None,
        )

    def _turn(
        self,
        store: Store,
        event: Inbound,
        words: Said,
        now: datetime,
        person: Person,
        conversation: StoredConversation | None,
    ) -> Turn:
        """Everything a turn needs, from what was read for it."""
        word, argument, command = words
        ctx = self.reporting.context(person, event.language)
        state = read_state(conversation, event.platform)
        return Turn(store, event, person, ctx, now, conversation, word, argument, command, state)

    async def _commit(self, turn: Turn, outcome: Outcome) -> None:
        """The chat's conversation as the handler left it (the rest is already queued)."""
        event, state = turn.event, outcome.state
        if state is KEEP:
            return
        if state is None:
            if turn.conversation is not None:
                await turn.store.end_conversation(event.platform, event.chat_id)
            return
        await turn.store.finish_conversation(
            event.platform, event.chat_id, state.flow, state.to_json(), turn.now
        )
