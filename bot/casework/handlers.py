"""What each case step records, registered by the step's name: quick steps (one tap) and the
completions of the steps that ask something first. The authorization step has run before
any of these: the report is loaded, the person may take the step, and it fits the report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.casework.messages import CaseView, Texts
from bot.casework.procedure import NOT_VIM_CLOSES, CaseStep
from bot.casework.recording import ACTION_PREFIX, ADVISER_KIND, CASE_PREFIX, Recorder, Sent
from bot.config import Config
from bot.domain.lifecycle import Deadline, Due, Status, Triage, risk_score
from bot.events import Outbound
from bot.flows.casework import ANALYSIS_PARTS
from bot.i18n import Translator
from bot.terms import worded_terms
from storage.models import ImprovementAction, Report
from storage.repository import Store


@dataclass(slots=True)
class CaseTurn:
    """One authorized step on one report, and what it answers."""

    store: Store
    config: Config
    recorder: Recorder
    texts: Texts
    address: str
    report: Report
    step: CaseStep
    t: Translator
    replies: list[Outbound] = field(default_factory=list)
    sent: Sent = field(default_factory=Sent)
    name: str | None = None  # the person's name in the messenger, recorded with their steps

    @property
    def now(self) -> datetime:
        return self.recorder.now(self.report)

    def say(self, key: str, **values: object) -> None:
        self.replies.append(Outbound(self.t(key, reference=self.report.reference, **values)))

    async def status(self, status: Status, data: dict[str, Any] | None = None) -> None:
        # Feedback carries its own message to the reporter; every other status is one line.
        tell = status is not Status.FEEDBACK_GIVEN
        await self.recorder.status(self.report, status, self.address, self.sent, data, tell)

    async def event(self, kind: str, data: dict[str, Any] | None = None) -> None:
        await self.recorder.event(self.report, kind, self.address, data)

    async def done(self, at: datetime | None = None) -> None:
        """Close the deadlines the step fulfils and open those it starts (procedure table)."""
        await self.recorder.close(self.report, self.step.closes)
        if self.step.opens is not None:
            policy, tz = self.config.policy, self.config.organisation.tz
            await self.recorder.open(
                self.report, self.step.opens(self.report, at or self.now, policy, tz)
            )


Quick = Callable[[CaseTurn], Awaitable[None]]
Completion = Callable[[CaseTurn, Mapping[str, Any]], Awaitable[None]]
MetaBuilder = Callable[[CaseTurn], Awaitable[dict[str, Any]]]

QUICK: dict[str, Quick] = {}
COMPLETIONS: dict[str, Completion] = {}
META: dict[str, MetaBuilder] = {}


def quick(name: str) -> Callable[[Quick], Quick]:
    def register(handler: Quick) -> Quick:
        QUICK[name] = handler
        return handler

    return register


def completes(name: str) -> Callable[[Completion], Completion]:
    def register(handler: Completion) -> Completion:
        COMPLETIONS[name] = handler
        return handler

    return register


def meta_for(name: str) -> Callable[[MetaBuilder], MetaBuilder]:
    def register(builder: MetaBuilder) -> MetaBuilder:
        META[name] = builder
        return builder

    return register


def how_to_answer(report: Report, t: Translator) -> str:
    """How the reporter answers: an anonymous one with the code, a named one by reference."""
    if report.anonymous:
        return t("reporter.answer_by_code")
    return t("reporter.answer_by_reference", reference=report.reference)


def end_of(day: date, tz: Any) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)


# ---- quick steps -------------------------------------------------------------------------


@quick("contact")
async def _contact(turn: CaseTurn) -> None:
    turn.report.contacted_at, turn.report.contacted_by = turn.now, turn.address
    if turn.report.status == Status.NEW:
        await turn.status(Status.CONTACTED)
    else:  # triaged first: the contact is recorded, the status stays where it is
        await turn.event("contacted")
    await turn.done()
    turn.say("case.contact_noted")


async def _stamp(turn: CaseTurn, field: str, event: str) -> None:
    """A one-tap step that records when it was done (and says so)."""
    setattr(turn.report, field, turn.now)
    await turn.event(event)
    await turn.done()
    turn.say(f"case.{event}_noted")


async def after_report(turn: CaseTurn, value: str = "done") -> None:
    """Record what was done after the report (the step's name, a value, who and when), with
    its event; the step's deadlines close."""
    record = {"step": turn.step.name, "value": value, "at": turn.now.isoformat()}
    record |= {"by": turn.address, "by_name": turn.name or turn.address}
    turn.report.after_report = [*(turn.report.after_report or []), record]
    await turn.event("after_report", {"step": turn.step.name, "value": value})
    await turn.done()
    what = turn.t(f"after.{turn.step.name}")
    if value != "done":
        what = f"{what}: {turn.t(f'aftercare.{value}')}"
    turn.say("case.after_report_noted", what=what)


@quick("client_informed")
async def _client_informed(turn: CaseTurn) -> None:
    turn.report.client_informed_at = turn.now
    await after_report(turn)


@quick("client_talk")
@quick("care_ended")
@quick("police_report")
async def _after_report_done(turn: CaseTurn) -> None:
    await after_report(turn)


def proved(action: ImprovementAction) -> bool:
    """Done and found effective, or dropped with a reason (§6.9: close after the measures
    are done *and* tested for effectiveness)."""
    return action.status == "not_doing" or (
        action.status == "done" and action.effectiveness == "effective"
    )


@quick("close")
async def _close(turn: CaseTurn) -> None:
    actions = await turn.store.actions_of_report(turn.report.id)
    unproved = [a for a in actions if not proved(a)]
    if unproved:
        turn.replies.append(Outbound(turn.t("case.close_blocked", count=len(unproved))))
        return
    turn.report.closed_at = turn.now
    await turn.status(Status.CLOSED)
    await turn.done()
    turn.say("case.closed_noted")


@quick("explored")
async def _explored(turn: CaseTurn) -> None:
    await _stamp(turn, "explored_at", "explored")


async def _adviser_stamp(turn: CaseTurn, field: str, event: str) -> None:
    """The adviser's own record: its event names nobody, its audit entry the adviser."""
    setattr(turn.report, field, turn.now)
    await turn.store.add_event(turn.report.id, event, turn.now, None, {})
    await turn.recorder.audit(turn.address, event, turn.report)
    turn.say(f"case.{event}_noted")


@quick("adviser_contacted")
async def _adviser_contacted(turn: CaseTurn) -> None:
    await _adviser_stamp(turn, "adviser_contacted_at", "adviser_contacted")


@quick("adviser_closed")
async def _adviser_closed(turn: CaseTurn) -> None:
    await _adviser_stamp(turn, "adviser_closed_at", "adviser_closed")


async def case_view(store: Store, config: Config, report: Report, now: datetime) -> CaseView:
    """What ``/melding`` shows besides the report itself: its actions, its open deadlines,
    and the stored names of the people it mentions."""
    actions = await store.actions_of_report(report.id)
    deadlines: dict[str, datetime] = {}
    for nudge in await store.open_nudges_of([report.id]):
        deadlines.setdefault(nudge.kind, nudge.due_at)
    names = await people_names(store, {report.strict_followup_by, *(a.owner for a in actions)})
    return CaseView(now=now, actions=actions, deadlines=deadlines, names=names)


async def people_names(store: Store, addresses: set[str | None]) -> dict[str, str]:
    """The stored names of these people (address → name; the unknown left out)."""
    names: dict[str, str] = {}
    for address in sorted(a for a in addresses if a):
        person = await store.get_person(address)
        if person is not None and person.name:
            names[address] = person.name
    return names


@quick("details")
async def _details(turn: CaseTurn) -> None:
    view = await case_view(turn.store, turn.config, turn.report, turn.recorder.clock.now())
    turn.replies.append(turn.texts.details(turn.report, turn.t, view))


# ---- what a conversation needs to know before it starts ---------------------------------


@meta_for("triage")
async def _triage_meta(turn: CaseTurn) -> dict[str, Any]:
    report = turn.report
    since = report.created_at - timedelta(days=30)
    counts = Counter(
        code
        for categories in await turn.store.categories_since(since)
        for code in categories or []
        if code in report.categories
    )
    return {
        "near_miss": report.harm == "near_miss",
        "same_category_this_month": max(counts.values(), default=0),
        "category_threshold": turn.config.policy.category_month_threshold,
    }


@meta_for("analyse")
async def _analysis_meta(turn: CaseTurn) -> dict[str, Any]:
    return {"investigation": turn.report.triage_outcome in (Triage.INVESTIGATE, Triage.CALAMITY)}


@meta_for("action")
async def _action_meta(turn: CaseTurn) -> dict[str, Any]:
    team = turn.config.team(turn.report.team_id)
    people = [(turn.address, turn.t("case.me"))]
    for candidate in [*(team.leaders if team else []), *turn.config.roles.coordinator]:
        if candidate != turn.address:
            people.append((candidate, turn.texts.person(candidate, turn.t, {})))
    return {"owners": list(dict.fromkeys(map(tuple, people)))}


# ---- completions -------------------------------------------------------------------------


@completes("triage")
async def _triage(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report, now = turn.report, turn.now
    outcome = Triage(answers["outcome"])
    report.triaged_at, report.triage_outcome = now, outcome.value
    report.triage_reason = answers.get("reason")
    if outcome is Triage.NOT_VIM:
        report.closed_at = now
        await turn.status(Status.NOT_VIM, {"reason": report.triage_reason})
        await turn.recorder.close(report, NOT_VIM_CLOSES)
    else:
        report.risk_frequency = answers["frequency"]
        report.risk_consequence = answers["consequence"]
        report.risk_score = risk_score(answers["frequency"], answers["consequence"])
        data = {"outcome": outcome.value, "risk_score": report.risk_score}
        await turn.status(Status.TRIAGED, data)
        await turn.done()
    if outcome is Triage.CALAMITY:
        report.possible_calamity = True
        alert = Outbound(
            turn.t(
                "case.calamity_alert",
                reference=report.reference,
                team=turn.texts.team_name(report.team_id, turn.t),
                **worded_terms(turn.config, turn.t),
            ),
            turn.texts.calamity_buttons(turn.t),
            token=f"{CASE_PREFIX}{report.reference}",
        )
        roles = turn.config.roles
        for to in dict.fromkeys([*roles.board, *roles.coordinator]):
            if to != turn.address:
                await turn.recorder.notify(to, alert, report, turn.sent)
    turn.say("case.triage_noted", outcome=turn.t(f"triage.{outcome.value}"))


@completes("analyse")
async def _analysis(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report = turn.report
    whys = [answers.get(f"why{n}") for n in range(1, 6)]
    report.why_chain = [w for w in whys if w]
    report.causes = list(answers["causes"])
    parts = {name: str(answers[name]) for name in ANALYSIS_PARTS if answers.get(name)}
    report.analysis = parts or None
    report.analysed_at = turn.now
    await turn.status(Status.ANALYSED, {"causes": report.causes})
    await turn.done()
    turn.say("case.analysis_noted")


@completes("action")
async def _action(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report, t = turn.report, turn.t
    action = ImprovementAction(
        description=str(answers["description"]),
        owner=str(answers["owner"]),
        deadline=date.fromisoformat(str(answers["deadline"])),
        status="open",
        team_id=report.team_id,
        created_at=turn.now,
        created_by=turn.address,
        kind=str(answers["kind"]) if answers.get("kind") else None,
    )
    await turn.store.add_action(action, [report.id])
    await turn.event("action_added", {"action_id": action.id})
    tz = turn.config.organisation.tz
    await turn.recorder.open_action(action, [Due(Deadline.ACTION, end_of(action.deadline, tz))])
    if action.owner != turn.address:
        note = Outbound(
            t(
                "case.action_owner",
                description=action.description,
                deadline=t.day(action.deadline),
                reference=report.reference,
            ),
            turn.texts.action_buttons(t, action),
            token=f"{ACTION_PREFIX}{action.id}",
        )
        await turn.recorder.notify(action.owner, note, report, turn.sent)
    turn.say("case.action_noted")


@completes("feedback")
async def _feedback(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report = turn.report
    report.feedback, report.feedback_at = str(answers["text"]), turn.now
    report.shareable_lesson = answers.get("lesson")
    await turn.status(Status.FEEDBACK_GIVEN)
    await turn.done()
    rt = Translator(report.language)
    line = rt("reporter.feedback", reference=report.reference, feedback=report.feedback)
    await turn.recorder.to_reporter(report, "feedback", line, turn.sent)
    turn.say("case.feedback_noted")


async def _dated(turn: CaseTurn, answers: Mapping[str, Any], event: str) -> date:
    """The date the conversation asked for, recorded as ``event``."""
    day = date.fromisoformat(str(answers["date"]))
    await turn.event(event, {"date": day.isoformat()})
    return day


@completes("established")
async def _established(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report = turn.report
    report.established_on = await _dated(turn, answers, "established")
    # The IGJ's term runs from the day it was established, at the time of day it is now.
    local_now = turn.now.astimezone(turn.config.organisation.tz)
    moment = datetime.combine(report.established_on, local_now.time(), tzinfo=local_now.tzinfo)
    await turn.done(at=min(moment, local_now))
    turn.say("case.established_noted", **worded_terms(turn.config, turn.t))
    await _send_igj_draft(turn)


async def _send_igj_draft(turn: CaseTurn) -> None:
    """The board and the coordinator get the IGJ notification's draft, prefilled, to check
    and submit in the IGJ's portal themselves (the bot never sends it to the IGJ)."""
    roles = turn.config.roles
    await turn.recorder.draft("igj", turn.report, [*roles.board, *roles.coordinator], turn.sent)


@completes("igj")
async def _igj(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    turn.report.igj_reported_on = await _dated(turn, answers, "igj_reported")
    await turn.done()
    turn.say("case.igj_noted")


@completes("arbeidsinspectie")
async def _arbeidsinspectie(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report = turn.report
    report.arbeidsinspectie_reported_on = date.fromisoformat(str(answers["date"]))
    day = report.arbeidsinspectie_reported_on.isoformat()
    await turn.event("arbeidsinspectie_reported", {"date": day})
    await turn.done()
    turn.say("case.arbeidsinspectie_noted")


@completes("aftercare")
async def _aftercare(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    await after_report(turn, str(answers["outcome"]))


@completes("retention_hold")
async def _retention_hold(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    """The coordinator keeps the report past the retention period (§13): ground, reason,
    who and since when."""
    report = turn.report
    report.retention_held_at, report.retention_held_by = turn.now, turn.address
    report.retention_hold_ground = str(answers["ground"])
    report.retention_hold_reason = str(answers["reason"])
    await turn.event("retention_held", {"ground": report.retention_hold_ground})
    await turn.done()
    turn.say("case.retention_held_noted")


@quick("retention_release")
async def _retention_release(turn: CaseTurn) -> None:
    report = turn.report
    ground = report.retention_hold_ground
    report.retention_held_at = report.retention_held_by = None
    report.retention_hold_ground = report.retention_hold_reason = None
    await turn.event("retention_released", {"ground": ground})
    await turn.done()
    turn.say("case.retention_released_noted")


@quick("strict_followup")
async def _strict_followup(turn: CaseTurn) -> None:
    """Stricter follow-up after an IGJ measure (§14): since when, by whom; the first
    progress report is due a rhythm from now."""
    report = turn.report
    report.strict_followup_at, report.strict_followup_by = turn.now, turn.address
    report.strict_followup_ended_at = None
    await turn.event("strict_followup_started")
    await turn.done()
    turn.say("case.strict_followup_noted", **worded_terms(turn.config, turn.t))


@completes("progress_report")
async def _progress_report(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    """A progress report (a short text, who and when) closes its deadline, opens the next."""
    report = turn.report
    record = {"text": str(answers["text"]), "at": turn.now.isoformat(), "by": turn.address}
    record["by_name"] = turn.name or turn.address
    report.progress_reports = [*(report.progress_reports or []), record]
    await turn.event("progress_reported")
    await turn.done()
    turn.say("case.progress_report_noted", **worded_terms(turn.config, turn.t))


@quick("strict_followup_end")
async def _strict_followup_end(turn: CaseTurn) -> None:
    report = turn.report
    report.strict_followup_at = None
    report.strict_followup_ended_at = turn.now
    await turn.event("strict_followup_ended")
    await turn.done()
    turn.say("case.strict_followup_ended_noted")


@completes("close_with_reason")
async def _close_with_reason(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    """The coordinator closes although not every check is done; the reason is recorded."""
    report = turn.report
    report.closed_at = turn.now
    await turn.status(Status.CLOSED, {"reason": str(answers["reason"])})
    await turn.done()
    turn.say("case.closed_noted")


@completes("question")
async def _question(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    report = turn.report
    await turn.event("question_asked")
    rt = Translator(report.language)
    question, how = str(answers["text"]), how_to_answer(report, rt)
    text = rt("reporter.question", reference=report.reference, question=question, how=how)
    await turn.recorder.to_reporter(report, "question", text, turn.sent)
    turn.say("case.question_noted")


@completes("adviser_message")
async def _adviser_message(turn: CaseTurn, answers: Mapping[str, Any]) -> None:
    """The confidential adviser writes to the reporter (an anonymous one reads it with their
    code). Nothing of it reaches the leaders."""
    report = turn.report
    rt = Translator(report.language)
    message, how = str(answers["text"]), how_to_answer(report, rt)
    text = rt("reporter.adviser", reference=report.reference, message=message, how=how)
    await turn.store.add_event(report.id, "adviser_wrote", turn.now, None, {})
    await turn.recorder.audit(turn.address, "adviser_message", report)
    await turn.recorder.to_reporter(report, ADVISER_KIND, text, turn.sent)
    turn.say("case.adviser_noted")
