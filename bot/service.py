"""The application core: one inbound event in, the replies out, everything stored in between.

Each turn runs in one database transaction: the conversation state, a sent report, its
event log and the notifications to others (outbox) are committed together, so a crash
between two messages loses at most the message in flight. Turns of one chat run in order;
turns of different chats run concurrently.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import structlog

from bot import rate_limit
from bot.casework import ADVISER_KIND, Casework, is_case_token
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.domain.anonymity import coarse, hash_code, new_code, normalise_code, verify_code
from bot.domain.report import REFERENCE_PREFIX, format_reference
from bot.domain.text import clean_text
from bot.events import (
    Inbound,
    InboundKind,
    Option,
    Outbound,
    delivered_at,
    outbound_from_payload,
    payload_of,
)
from bot.flows import engine
from bot.flows.casework import CASE_FLOWS
from bot.flows.engine import Cancelled, Completed, Context, command_argument, command_word
from bot.flows.report import REPLY_FLOW, REPORT_FLOW, draft_from_answers
from bot.i18n import Translator, normalise_language
from bot.notifications import Notice, new_report_notifications, receivers_configured
from storage import crypto
from storage.db import Database, unavailable
from storage.models import Person, Report
from storage.repository import Store

log = structlog.get_logger("vimbot.service")

FLOWS = {REPORT_FLOW.name: REPORT_FLOW, REPLY_FLOW.name: REPLY_FLOW, **CASE_FLOWS}
CASE_WORDS = frozenset({"open", "melding", "acties", "actions"})

START_WORDS = frozenset({"start", "melden", "melding", "nieuw", "report", "new"})
ANONYMOUS_WORDS = frozenset({"anoniem", "anonymous"})
STATUS_WORDS = frozenset({"status"})
IDLE_TOKEN = "idle"
STATUS_LIMIT = 10
ZERO = timedelta(0)


@dataclass(slots=True)
class Outcome:
    """What a turn produced: replies to the person, and messages queued for others."""

    replies: list[Outbound] = field(default_factory=list)
    notifications: list[Outbound] = field(default_factory=list)
    reference: str | None = None
    duplicate: bool = False  # the platform delivered this update before; nothing was done
    anonymous: bool = False  # an anonymous report was sent in this turn
    # The database failed (connection lost or refused) and nothing was stored: the replies
    # say sorry, and the adapter leaves the update unacknowledged so it is delivered again.
    unavailable: bool = False


@dataclass(slots=True)
class _Replied:
    replies: list[Outbound]
    notifications: list[Outbound] = field(default_factory=list)
    state: dict[str, Any] | None = None  # the conversation goes on (the code asked again)


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
    """Turns inbound events into replies, reports and notifications."""

    def __init__(self, config: Config, db: Database, clock: Clock | None = None) -> None:
        self.config = config
        self.db = db
        self.clock = clock or SystemClock()
        self._locks = KeyedLocks()
        self.casework = Casework(config, self.clock)

    # Pauses before running a turn again when the database connection failed (a dropped
    # connection is replaced by the pool on the next try).
    turn_retry_pauses: tuple[float, ...] = (0.05, 0.25)

    async def handle(self, event: Inbound) -> Outcome:
        """Never raises for what a person sends: a failure becomes a friendly message and the
        transaction is rolled back, so the stored draft stays as it was before this turn.

        A failing database (``storage.db.unavailable``) is tried again briefly; if it still
        fails the outcome is marked ``unavailable`` (the update's claim was rolled back too,
        so its redelivery is processed). Any other error is a bug: logged, not retried."""
        async with self._locks.hold(event.chat_key):
            for pause in (*self.turn_retry_pauses, None):
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
            if row is None:
                return []
            person = await store.get_person(address)
            ctx = self._context(person, None)
            flow = FLOWS[row.flow]
            return [Outbound(ctx.t("engine.resumed")), *engine.resume(flow, row.state, ctx)]

    async def inbox(self, address: str) -> list[Outbound]:
        """Deliver queued messages for an address that reads them in this process (the shell)."""
        async with self.db.transaction() as store:
            messages = await store.pending_for(address)
            now = self.clock.now()
            for message in messages:
                sent_at = delivered_at(message.payload, now)
                message.status, message.sent_at = "sent", sent_at
                message.due_at = min(message.due_at, sent_at)
                message.attempts += 1
            return [outbound_from_payload(m.payload, m.address) for m in messages]

    async def submit_form(
        self, person: Inbound, raw: Mapping[str, str | list[str] | None], anonymous: bool
    ) -> tuple[dict[str, str], Outcome]:
        """A report sent as one form (a Slack modal): the conversation's rules, all at once.

        Returns the problems per step id (nothing stored) or, when there are none, the outcome
        of sending, exactly as at the end of the conversation.
        """
        async with self._locks.hold(person.chat_key), self.db.transaction() as store:
            now = self.clock.now()
            language = normalise_language(person.language) if person.language else None
            who = await store.person_for_turn(person.address, now, person.user_name, language)
            ctx = self._context(who, person.language)
            known = self._known_team(who)
            answers, errors = engine.validate_form(
                REPORT_FLOW, raw, ctx, {"anonymous": anonymous}, {"team": known} if known else {}
            )
            outcome = Outcome()
            if not errors:
                await self._complete(
                    store, person, who, Completed(answers, anonymous), ctx, outcome
                )
            return errors, outcome

    async def known_team_of(self, address: str) -> str | None:
        async with self.db.transaction() as store:
            person = await store.get_person(address)
        if person is None:
            person = Person(address=address)
        return self._known_team(person)

    async def status_of(self, address: str, language: str | None = None) -> Outbound:
        """The person's own reports (for an overview such as Slack's App Home)."""
        async with self.db.transaction() as store:
            person = await store.get_person(address)
            t = self._context(person, language).t
            return await self._status(store, address, t)

    async def queue(self, address: str, message: Outbound, delay: timedelta | None = None) -> None:
        """Put a message in the outbox (a reply that could not be delivered right away)."""
        now = self.clock.now()
        async with self.db.transaction() as store:
            await store.enqueue(address, payload_of(message), now, due_at=now + (delay or ZERO))

    async def _status(self, store: Store, address: str, t: Translator) -> Outbound:
        """The person's own (named) reports, newest first."""
        reports = await store.reports_of(address, STATUS_LIMIT)
        if not reports:
            return Outbound(t("status.none"))
        tz = self.config.organisation.tz
        lines = [t("status.header")]
        for report in reports:
            day = t.day(report.created_at.astimezone(tz).date())
            lines.append(f"{report.reference} · {day} · {t(f'status.{report.status}')}")
        return Outbound("\n".join(lines))

    # ---- one turn -------------------------------------------------------------------------

    async def _handle(self, store: Store, event: Inbound) -> Outcome:
        now = self.clock.now()
        language = normalise_language(event.language) if event.language else None
        person = await store.person_for_turn(event.address, now, event.user_name, language)
        ctx = self._context(person, event.language)
        row = await store.load_conversation(event.platform, event.chat_id)
        word = command_word(event.text) if event.kind is not InboundKind.CHOICE else ""
        if event.dedupe_key and not await store.claim_update(event.dedupe_key, now):
            log.info("duplicate_update_skipped", platform=event.platform)
            return Outcome(duplicate=True)

        if event.kind is InboundKind.CHOICE and is_case_token(event.token):
            return await self._case_button(store, event, ctx, row is not None, now)
        if row is None and word in CASE_WORDS:
            words = {"actions": "acties"}
            replies = await self.casework.command(
                store, event.address, words.get(word, word), command_argument(event.text), ctx.t
            )
            return Outcome(replies)

        if row is None:
            argument = command_argument(event.text) if event.kind is InboundKind.COMMAND else ""
            if word in STATUS_WORDS and argument:
                return await self._status_of_one(store, event, argument, ctx, now)
            if word in STATUS_WORDS:
                return Outcome([await self._status(store, event.address, ctx.t)])
            result = await self._idle(store, event, word, ctx, person)
            if result is None:
                return Outcome(self._welcome(ctx, event))
        elif event.kind is InboundKind.COMMAND and word in START_WORDS | ANONYMOUS_WORDS:
            flow = FLOWS[row.flow]
            return Outcome(
                [Outbound(ctx.t("engine.resumed")), *engine.resume(flow, row.state, ctx)]
            )
        else:
            result = engine.turn(FLOWS[row.flow], row.state, event, ctx)

        outcome = Outcome(list(result.replies))
        for effect in result.effects:
            if isinstance(effect, Completed) and row is not None and row.flow in CASE_FLOWS:
                done = await self.casework.complete(
                    store,
                    row.flow,
                    row.state.get("meta", {}),
                    effect.answers,
                    event.address,
                    ctx.t,
                )
                outcome.replies.extend(done.replies)
                outcome.notifications.extend(done.notifications)
            elif isinstance(effect, Completed) and row is not None and row.flow == REPLY_FLOW.name:
                again = await self._reply_completed(store, event, row.state, effect.answers, ctx)
                outcome.replies.extend(again.replies)
                outcome.notifications.extend(again.notifications)
                if again.state is not None:
                    result = engine.TurnResult(again.state, result.replies)
            elif isinstance(effect, Completed):
                await self._complete(store, event, person, effect, ctx, outcome)
            elif isinstance(effect, Cancelled):
                log.info("draft_cancelled", platform=event.platform)
        if result.state is None:
            await store.delete_conversation(event.platform, event.chat_id)
        else:
            await store.save_conversation(
                event.platform, event.chat_id, result.state["flow"], result.state, now
            )
        return outcome

    async def _case_button(
        self, store: Store, event: Inbound, ctx: Context, busy: bool, now: datetime
    ) -> Outcome:
        """A button on a notification, a nudge or a case message (leaders, coordinator)."""
        value = event.choices[0] if event.choices else ""
        result = await self.casework.on_button(
            store, event.address, str(event.token), value, ctx.t, ctx, busy
        )
        replies = list(result.replies)
        if result.start is not None and result.start.state is not None:
            state = result.start.state
            await store.save_conversation(event.platform, event.chat_id, state["flow"], state, now)
            replies.extend(result.start.replies)
        return Outcome(replies, result.notifications)

    async def _may_start(self, store: Store, address: str) -> bool:
        """A flood can't bury real reports: at most N new reports per person per hour, counted
        in the database in this turn's transaction (see bot/rate_limit.py)."""
        limit = self.config.privacy.max_reports_per_hour
        return await rate_limit.may_start(store, address, self.clock.now(), limit)

    async def _find_own_report(self, store: Store, address: str, typed: str) -> Report | None:
        """A report by its private code (anonymous), or by reference for its named reporter."""
        typed = typed.strip()
        if typed.upper().startswith(REFERENCE_PREFIX):
            candidate = await store.report_by_reference(typed.upper())
            # Only the reporter themself: a handler who may view the report is no reporter of
            # it, and writes to the reporter through the case actions (which are audited).
            if (
                candidate is not None
                and not candidate.anonymous
                and candidate.reporter_address == address
            ):
                return candidate
            return None
        code = normalise_code(typed)
        candidate = await store.report_by_code(crypto.current().lookups(f"code:{code}"))
        if (
            candidate is not None
            and candidate.anonymous_code_hash
            and verify_code(code, candidate.anonymous_code_hash)
        ):
            return candidate
        return None

    async def _status_text(self, store: Store, report: Report, t: Translator) -> str:
        lines = [t("status.one", reference=report.reference, status=t(f"status.{report.status}"))]
        for message in await store.messages_of(report.id):
            if message.direction == "from_reporter":
                who = t("status.you")
            elif message.kind == ADVISER_KIND:
                who = t("status.adviser")
            else:
                who = t("status.handler")
            lines.append(f"— {who}: {message.text}")
        return "\n".join(lines)

    async def _status_of_one(
        self, store: Store, event: Inbound, argument: str, ctx: Context, now: datetime
    ) -> Outcome:
        """One report's status, feedback and questions — by its private code (anonymous) or,
        for a named reporter, by its reference — and the chance to answer.

        For a code, the answer's conversation keeps neither the reference nor the code: the
        person types the code again to send (see :meth:`_reply_completed`)."""
        report = await self._find_own_report(store, event.address, argument)
        if report is None:
            typed = argument.strip().upper()
            if typed.startswith(REFERENCE_PREFIX) and self.casework.handles(event.address):
                return Outcome([Outbound(ctx.t("status.handler_hint", reference=typed))])
            return Outcome([Outbound(ctx.t("status.unknown_code"))])
        text = await self._status_text(store, report, ctx.t)
        meta = {"by_code": True} if report.anonymous else {"report": report.reference}
        started = engine.start(REPLY_FLOW, ctx, meta)
        assert started.state is not None
        await store.save_conversation(
            event.platform, event.chat_id, REPLY_FLOW.name, started.state, now
        )
        return Outcome([Outbound(text), *started.replies])

    async def _reply_completed(
        self,
        store: Store,
        event: Inbound,
        state: Mapping[str, Any],
        answers: Mapping[str, Any],
        ctx: Context,
    ) -> _Replied:
        """The reporter's answer, relayed; a wrong code asks for the code again."""
        text = answers.get("text")
        meta = state.get("meta", {})
        if not text:
            return _Replied([Outbound(ctx.t("reply.nothing"))])
        if meta.get("by_code"):
            code = answers.get("code")
            if not code:
                return _Replied([Outbound(ctx.t("reply.not_sent"))])
            report = await self._find_own_report(store, event.address, str(code))
            if report is None:
                again = engine.start(REPLY_FLOW, ctx, meta, {"text": text}, at="code")
                hint = Outbound(ctx.t("status.unknown_code"))
                return _Replied([hint, *again.replies], state=again.state)
        else:
            report = await self._find_own_report(store, event.address, str(meta.get("report")))
            if report is None:
                return _Replied([Outbound(ctx.t("status.unknown_code"))])
        notifications = await self.casework.relay_reply(store, report, str(text))
        return _Replied([Outbound(ctx.t("reply.sent"))], notifications)

    async def status_by_code(
        self, address: str, typed: str, language: str | None = None
    ) -> str | None:
        """The status text for a code or own reference (no conversation: Slack's ephemeral
        answer), or None when it does not match."""
        async with self.db.transaction() as store:
            report = await self._find_own_report(store, address, typed)
            if report is None:
                return None
            return await self._status_text(store, report, self._context(None, language).t)

    async def reply_by_code(self, address: str, typed: str, text: str) -> Outcome | None:
        """Relay a reporter's answer given with their code (Slack's reply form)."""
        async with self.db.transaction() as store:
            report = await self._find_own_report(store, address, typed)
            if report is None:
                return None
            t = self._context(None, None).t
            clean = clean_text(text)
            if not clean:
                return Outcome([Outbound(t("reply.nothing"))])
            notifications = await self.casework.relay_reply(store, report, clean)
            return Outcome([Outbound(t("reply.sent"))], notifications)

    async def _idle(
        self, store: Store, event: Inbound, word: str, ctx: Context, person: Person
    ) -> engine.TurnResult | None:
        """No conversation yet: start one on a start word or button, else None (welcome)."""
        choice = event.choices[0] if event.kind is InboundKind.CHOICE and event.choices else None
        if choice == "help" or word in engine.HELP_WORDS:
            return engine.TurnResult(None, [Outbound(ctx.t("idle.help_text"))])
        if word in engine.CANCEL_WORDS:
            return engine.TurnResult(None, [Outbound(ctx.t("idle.nothing_to_stop"))])
        anonymous = choice == "anonymous" or word in ANONYMOUS_WORDS
        if not anonymous and choice != "report" and word not in START_WORDS:
            return None
        if not await self._may_start(store, person.address):
            return engine.TurnResult(None, [Outbound(ctx.t("rate.limited"))])
        known = self._known_team(person)
        prefill = {"team": known} if known else {}
        started = engine.start(REPORT_FLOW, ctx, {"anonymous": anonymous}, prefill)
        if not receivers_configured(self.config):
            # Said before the first question: the report is kept, but nobody is told.
            started.replies.insert(0, Outbound(ctx.t("report.no_receivers")))
        return started

    def _welcome(self, ctx: Context, event: Inbound) -> list[Outbound]:
        options = (
            Option("report", ctx.t("idle.report")),
            Option("anonymous", ctx.t("idle.anonymous")),
            Option("help", ctx.t("idle.help")),
        )
        return [Outbound(ctx.t("idle.welcome"), options, token=IDLE_TOKEN)]

    async def _complete(
        self,
        store: Store,
        event: Inbound,
        person: Person,
        effect: Completed,
        ctx: Context,
        outcome: Outcome,
    ) -> None:
        exact = self.clock.now()
        # An anonymous report keeps no moment finer than the hour — when it was sent, when it
        # happened ("Net" is the moment of sending), in every row and message about it — and
        # its notification waits a random few minutes, so nothing can be matched to who was
        # typing to the bot.
        now = coarse(exact) if effect.anonymous else exact
        notify_at = self.casework.notify_at(effect.anonymous)
        tz = self.config.organisation.tz
        draft = draft_from_answers(effect.answers, self._known_team(person))
        if effect.anonymous and draft.occurred.at is not None:
            hour = draft.occurred.at.replace(minute=0, second=0, microsecond=0)
            draft = replace(draft, occurred=replace(draft.occurred, at=hour))
        year = now.astimezone(tz).year
        reference = format_reference(year, await store.next_report_number(year))
        code = new_code() if effect.anonymous else None
        report = await store.add_report(
            Report(
                reference=reference,
                created_at=now,
                occurred_on=draft.occurred.day,
                occurred_at=draft.occurred_at(tz),
                description=draft.description,
                categories=draft.categories,
                category_other=draft.category_other,
                affected=draft.affected,
                report_type="+".join(draft.report_types),
                harm=draft.harm,
                first_aid=draft.first_aid,
                measures=draft.measures,
                possible_calamity=draft.possible_calamity,
                danger_at_start=draft.danger_at_start,
                team_id=draft.team_id,
                contact_wish=draft.contact_wish,
                status="new",
                anonymous=effect.anonymous,
                reporter_address=None if effect.anonymous else event.address,
                reporter_hash=None if effect.anonymous else crypto.current().lookup(event.address),
                reporter_name=None if effect.anonymous else person.name,
                anonymous_code_hash=hash_code(code) if code else None,
                code_lookup=crypto.current().lookup(f"code:{normalise_code(code)}")
                if code
                else None,
                language=ctx.t.language,
            )
        )
        actor = None if effect.anonymous else event.address
        await store.add_event(report.id, "created", now, actor, {"via": event.platform})
        if not effect.anonymous:
            # Only a named reporter is remembered (their team); an anonymous one leaves no row.
            if draft.team_id:
                person.team_id = draft.team_id  # the team question is asked once
            await store.keep_person(person)

        await self.casework.open_report(store, report)
        notice = new_report_notifications(
            self.config, draft, reference, person.name, effect.anonymous
        )
        notifications = [self._with_case_buttons(m, report) for m in notice.messages]
        for message in notifications:
            assert message.address is not None
            await store.enqueue(
                message.address,
                payload_of(message, coarse=effect.anonymous),
                now,
                report.id,
                due_at=notify_at,
            )
        await store.add_event(
            report.id,
            "notified",
            now,
            None,
            {
                "addresses": [m.address for m in notifications],
                "possible_calamity": draft.possible_calamity,
            },
        )
        outcome.notifications.extend(notifications)
        outcome.reference = reference
        outcome.anonymous = effect.anonymous
        outcome.replies.extend(
            self._confirmation(ctx.t, draft.contact_wish, reference, code, notice)
        )
        if effect.anonymous:
            log.info("report_sent", anonymous=True)  # no reference: nothing to match it with
        else:
            log.info("report_sent", reference=reference, possible_calamity=draft.possible_calamity)

    def _with_case_buttons(self, message: Outbound, report: Report) -> Outbound:
        """Those who handle the report (or advise its reporter) can act from the notice."""
        assert message.address is not None
        t = Translator(self.config.organisation.language)
        buttons = self.casework.new_report_buttons(t, message.address, report)
        if not buttons:
            return message
        return Outbound(
            message.text, buttons, token=f"case:{report.reference}", address=message.address
        )

    def _confirmation(
        self, t: Translator, contact_wish: str, reference: str, code: str | None, notice: Notice
    ) -> list[Outbound]:
        """What the reporter reads after sending: only what really happened and will happen."""
        told = notice.told
        if code is not None:
            lines = [
                t("done.anonymous", reference=reference),
                t("done.code", code=code),
                t("report.anonymity_limits"),
            ]
        else:
            lines = [t("done.sent", reference=reference)]
        if told:
            names = [t(f"done.role.{role}") for role in told]
            lines.append(t("done.told", who=t.join(names)))
        else:
            lines.append(t("done.told_nobody"))
        if contact_wish == "confidential_adviser":
            if "confidential_adviser" not in told:
                lines.append(t("done.no_adviser"))
            elif code is not None:
                lines.append(t("done.adviser_anonymous"))
            else:
                lines.append(t("done.next_confidential_adviser"))
        elif code is None and told:
            lines.append(t(f"done.next_{contact_wish}"))
        lines.append(t("done.care"))
        return [Outbound("\n\n".join(lines))]

    # ---- context ------------------------------------------------------------------------

    def _known_team(self, person: Person) -> str | None:
        """The person's team without asking: remembered, their only membership, or the only team."""
        teams = self.config.teams
        if person.team_id and self.config.team(person.team_id):
            return person.team_id
        memberships = self.config.teams_of(person.address)
        if len(memberships) == 1:
            return memberships[0].id
        if len(teams) == 1:
            return teams[0].id
        return None

    def _context(self, person: Person | None, platform_language: str | None) -> Context:
        language = (person.language if person else None) or platform_language
        language = language or self.config.organisation.language
        now_local = self.clock.now().astimezone(self.config.organisation.tz)
        data: Mapping[str, Any] = {
            "teams": [(team.id, team.name) for team in self.config.teams],
            "team_known": person is not None and self._known_team(person) is not None,
        }
        return Context(Translator(language), now_local, data, self.config.limits.max_text_length)
