"""The reporter's side of a turn: starting a report, sending it, and afterwards the status
of their own reports and their answers to the people who handle them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import structlog

from bot import rate_limit
from bot.casework.recording import ADVISER_KIND, CASE_PREFIX
from bot.casework.service import Casework
from bot.clock import Clock
from bot.config import Config
from bot.domain.anonymity import coarse, hash_code, new_code, normalise_code, verify_code
from bot.domain.lifecycle import contact_is_urgent
from bot.domain.permissions import Act, allowed
from bot.domain.report import REFERENCE_PREFIX, ReportDraft, format_reference
from bot.events import Inbound, Option, Outbound, payload_of, stored_due
from bot.flows import engine
from bot.flows.engine import Completed, Context
from bot.flows.report import REPLY_FLOW, REPORT_FLOW, draft_from_answers
from bot.i18n import Translator
from bot.notifications import Notice, new_report_notifications, receivers_configured
from bot.outcome import Outcome
from bot.terms import worded_terms
from bot.turn import Turn
from storage import crypto
from storage.models import Person, Report
from storage.repository import Store

log = structlog.get_logger("vimbot.service")

IDLE_TOKEN = "idle"
STATUS_LIMIT = 10


def reply_sent(report: Report) -> str:
    """What the reporter reads once their answer is passed on: "without your name" only
    when that is true."""
    return "reply.sent" if report.anonymous else "reply.sent_named"


class Reporting:
    __slots__ = ("casework", "clock", "config")

    def __init__(self, config: Config, clock: Clock, casework: Casework) -> None:
        self.config, self.clock, self.casework = config, clock, casework

    # ---- context ------------------------------------------------------------------------

    def known_team(self, person: Person) -> str | None:
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

    def context(self, person: Person | None, platform_language: str | None) -> Context:
        """What the flows may know: language, local time, the teams to choose from."""
        language = (person.language if person else None) or platform_language
        language = language or self.config.organisation.language
        now_local = self.clock.now().astimezone(self.config.organisation.tz)
        data: Mapping[str, Any] = {
            "teams": [(team.id, team.name) for team in self.config.teams],
            "team_known": person is not None and self.known_team(person) is not None,
        }
        return Context(Translator(language), now_local, data, self.config.limits.max_text_length)

    # ---- starting -----------------------------------------------------------------------

    def welcome(self, ctx: Context) -> list[Outbound]:
        options = (
            Option("report", ctx.t("idle.report")),
            Option("anonymous", ctx.t("idle.anonymous")),
            Option("help", ctx.t("idle.help")),
        )
        return [Outbound(ctx.t("idle.welcome"), options, token=IDLE_TOKEN)]

    async def start(self, turn: Turn, anonymous: bool) -> Outcome:
        """A new report's first question, unless the person started too many this hour (a
        flood can't bury real reports; counted in the database, see bot/rate_limit.py)."""
        limit = self.config.privacy.max_reports_per_hour
        if not await rate_limit.may_start(turn.store, turn.person.address, self.clock.now(), limit):
            return Outcome([Outbound(turn.ctx.t("rate.limited"))])
        known = self.known_team(turn.person)
        prefill = {"team": known} if known else {}
        started = engine.start(REPORT_FLOW, turn.ctx, {"anonymous": anonymous}, prefill)
        replies = list(started.replies)
        if not receivers_configured(self.config):
            # Said before the first question: the report is kept, but nobody is told.
            replies.insert(0, Outbound(turn.ctx.t("report.no_receivers")))
        return Outcome(replies, state=started.state)

    # ---- sending ------------------------------------------------------------------------

    async def send(
        self, store: Store, event: Inbound, person: Person, effect: Completed, ctx: Context
    ) -> Outcome:
        """Store the report, open its deadlines, tell who must know, and confirm."""
        exact = self.clock.now()
        # An anonymous report keeps no moment finer than the hour — when it was sent, when it
        # happened ("Net" is the moment of sending), in every row and message about it — and
        # its notification waits a random few minutes, so nothing can be matched to who was
        # typing to the bot.
        now = coarse(exact) if effect.anonymous else exact
        notify_at = self.casework.notify_at(effect.anonymous)
        tz = self.config.organisation.tz
        draft = draft_from_answers(effect.answers, self.known_team(person))
        if effect.anonymous and draft.occurred.at is not None:
            hour = draft.occurred.at.replace(minute=0, second=0, microsecond=0)
            draft = replace(draft, occurred=replace(draft.occurred, at=hour))
        year = now.astimezone(tz).year
        reference = format_reference(year, await store.next_report_number(year))
        code = new_code() if effect.anonymous else None
        cipher = crypto.current()
        report = Report(
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
            reporter_hash=None if effect.anonymous else cipher.lookup(event.address),
            reporter_name=None if effect.anonymous else person.name,
            anonymous_code_hash=hash_code(code) if code else None,
            code_lookup=cipher.lookup(f"code:{normalise_code(code)}") if code else None,
            language=ctx.t.language,
        )
        self.casework.opening(report)
        await store.add_report(report)
        actor = None if effect.anonymous else event.address
        await store.add_event(report.id, "created", now, actor, {"via": event.platform})
        if not effect.anonymous:
            # Only a named reporter is remembered (their team); an anonymous one leaves no row.
            if draft.team_id:
                person.team_id = draft.team_id  # the team question is asked once
            await store.keep_person(person)

        drafts = await self.casework.open_report(store, report, notify_at)
        notice = new_report_notifications(
            self.config, draft, reference, person.name, effect.anonymous
        )
        notifications = [self._with_buttons(m, report) for m in notice.messages]
        for message in notifications:
            assert message.address is not None
            payload = payload_of(message, coarse=effect.anonymous)
            due_at = stored_due(payload, notify_at)
            await store.enqueue(message.address, payload, now, report.id, due_at=due_at)
        data = {
            "addresses": [m.address for m in notifications],
            "possible_calamity": draft.possible_calamity,
        }
        await store.add_event(report.id, "notified", now, None, data)
        if effect.anonymous:
            log.info("report_sent", anonymous=True)  # no reference: nothing to match it with
        else:
            log.info("report_sent", reference=reference, possible_calamity=draft.possible_calamity)
        return Outcome(
            self._confirmation(ctx.t, draft, reference, code, notice),
            [*notifications, *drafts],
            reference=reference,
            anonymous=effect.anonymous,
        )

    def _with_buttons(self, message: Outbound, report: Report) -> Outbound:
        """Those who handle the report (or advise its reporter) can act from the notice."""
        assert message.address is not None
        t = Translator(self.config.organisation.language)
        buttons = self.casework.notice_buttons(t, message.address, report)
        if not buttons:
            return message
        token = f"{CASE_PREFIX}{report.reference}"
        return Outbound(message.text, buttons, token=token, address=message.address)

    def _confirmation(
        self, t: Translator, draft: ReportDraft, reference: str, code: str | None, notice: Notice
    ) -> list[Outbound]:
        """What the reporter reads after sending: only what really happened and will happen."""
        told, contact_wish = notice.told, draft.contact_wish
        sent = "sent" if told else "kept"  # a report nobody received is kept, not "sent"
        if code is not None:
            lines = [
                t(f"done.anonymous_{sent}", reference=reference),
                t("done.code", code=code),
                t("report.anonymity_limits"),
            ]
        else:
            lines = [t(f"done.{sent}", reference=reference)]
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
            # after aggression against staff or serious harm: within hours, day and night
            urgent = contact_wish == "team_leader" and contact_is_urgent(draft)
            key = "done.next_urgent" if urgent else f"done.next_{contact_wish}"
            lines.append(t(key, **worded_terms(self.config, t)))
        lines.append(t("done.care"))
        return [Outbound("\n\n".join(lines))]

    # ---- afterwards: status and answers -------------------------------------------------

    async def own_reports(self, store: Store, address: str, t: Translator) -> Outbound:
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

    async def find_own(self, store: Store, address: str, typed: str) -> Report | None:
        """A report by its private code (anonymous), or by reference for its named reporter
        — only the reporter themself (the permission table's ``REPLY_AS_REPORTER``): a
        handler who may view the report writes to the reporter through the case steps,
        which are audited."""
        typed = typed.strip()
        if typed.upper().startswith(REFERENCE_PREFIX):
            candidate = await store.report_by_reference(typed.upper())
            if candidate is not None and allowed(
                address, Act.REPLY_AS_REPORTER, candidate, self.config
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

    async def status_text(self, store: Store, report: Report, t: Translator) -> str:
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

    async def status_of_one(self, turn: Turn) -> Outcome:
        """One report's status, feedback and questions — by its private code (anonymous) or,
        for a named reporter, by its reference — and the chance to answer.

        For a code, the answer's conversation keeps neither the reference nor the code: the
        person types the code again to send (see :meth:`reply`)."""
        ctx = turn.ctx
        report = await self.find_own(turn.store, turn.event.address, turn.argument)
        if report is None:
            typed = turn.argument.strip().upper()
            if typed.startswith(REFERENCE_PREFIX):
                # Someone who may see the report (not as its reporter) is shown the way there.
                seen = await turn.store.report_by_reference(typed)
                if seen is not None and allowed(
                    turn.event.address, Act.VIEW_REPORT, seen, self.config
                ):
                    return Outcome([Outbound(ctx.t("status.handler_hint", reference=typed))])
            return Outcome([Outbound(ctx.t("status.unknown_code"))])
        text = await self.status_text(turn.store, report, ctx.t)
        meta = {"by_code": True} if report.anonymous else {"report": report.reference}
        started = engine.start(REPLY_FLOW, ctx, meta)
        return Outcome([Outbound(text), *started.replies], state=started.state)

    async def reply(self, turn: Turn, effect: Completed) -> Outcome:
        """The reporter's answer, relayed; a wrong code asks for the code again."""
        ctx, answers = turn.ctx, effect.answers
        assert turn.state is not None
        meta = turn.state.meta
        text = answers.get("text")
        if not text:
            return Outcome([Outbound(ctx.t("reply.nothing"))])
        if meta.get("by_code"):
            code = answers.get("code")
            if not code:
                return Outcome([Outbound(ctx.t("reply.not_sent"))])
            report = await self.find_own(turn.store, turn.event.address, str(code))
            if report is None:
                again = engine.start(REPLY_FLOW, ctx, meta, {"text": text}, at="code")
                hint = Outbound(ctx.t("status.unknown_code"))
                return Outcome([hint, *again.replies], state=again.state)
        else:
            report = await self.find_own(turn.store, turn.event.address, str(meta.get("report")))
            if report is None:
                return Outcome([Outbound(ctx.t("status.unknown_code"))])
        notifications = await self.casework.relay_reply(turn.store, report, str(text))
        return Outcome([Outbound(ctx.t(reply_sent(report)))], notifications)
