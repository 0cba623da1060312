"""The VIM procedure as one table (seeds/002, sections 5–7).

Each :class:`CaseStep` row says what a handler can do with a report: who may (the act the
permission table must allow), when (statuses, calamities only, not yet done), how (at once,
or through a conversation that collects what it records), which deadlines it closes and
which it opens. Each :class:`DeadlineRule` says who is reminded of a deadline, whether it
is urgent, and which steps its nudge offers; :class:`ActionStep` rows do the same for the
improvement register.

Nothing else encodes the process: the buttons after each step, the notification's buttons,
the permission check before a step, the lifecycle guard and the nudges all read these rows.
Adding a step is a row here, a conversation in ``bot/flows/casework.py`` when it asks
something, and (when it records something of its own) a completion handler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.config import Policy
from bot.domain.lifecycle import (
    OPEN_STATUSES,
    Deadline,
    Due,
    Status,
    Triage,
    arbeidsinspectie_duty,
    concerns_client,
    contactable,
    deadline_on_establishment,
    deadlines_on_triage,
    suggests_police,
)
from bot.domain.permissions import Act


class CaseFacts(Protocol):
    """What the rows look at (a storage Report satisfies it)."""

    status: str
    triage_outcome: str | None
    established_on: Any
    client_informed_at: Any
    igj_reported_on: Any
    created_at: datetime
    triaged_at: datetime | None


Opens = Callable[[Any, datetime, Policy, ZoneInfo], list[Due]]


@dataclass(frozen=True, slots=True)
class CaseStep:
    name: str  # the button's value and the step's name in events
    act: Act  # what the permission table must allow the person
    statuses: frozenset[str]  # the report's statuses in which it can be taken
    flow: str | None = None  # the conversation that collects its answers; None: at once
    calamity: bool = False  # only for a report triaged as a possible calamity
    on_alert: bool = False  # offered on the possible calamity's alert (calamity steps are)
    pending: Callable[[Any], bool] | None = None  # False once it has been done
    closes: frozenset[Deadline] = frozenset()
    opens: Opens | None = None  # deadlines that start when it is taken
    on_notice: bool = False  # offered on the new report's notification
    in_menu: bool = True  # offered among the next steps after each step

    @property
    def label(self) -> str:
        return f"case.button.{self.name}"

    def available(self, report: CaseFacts) -> bool:
        """Whether the step fits the report now (the lifecycle guard)."""
        if report.status not in self.statuses:
            return False
        if self.calamity and report.triage_outcome != Triage.CALAMITY:
            return False
        return self.pending is None or bool(self.pending(report))


def recorded(report: Any, step: str) -> str | None:
    """The last value recorded for an after-report ``step`` (None: not recorded)."""
    values = [r.get("value") for r in report.after_report or () if r.get("step") == step]
    return str(values[-1]) if values else None


def _on_triage(report: Any, at: datetime, policy: Policy, tz: ZoneInfo) -> list[Due]:
    outcome = Triage(report.triage_outcome)
    client = concerns_client(report)
    return deadlines_on_triage(outcome, at, report.created_at, policy, tz, client=client)


def _on_establishment(report: Any, at: datetime, policy: Policy, tz: ZoneInfo) -> list[Due]:
    return [deadline_on_establishment(at, policy, tz)]


def _next_progress_report(report: Any, at: datetime, policy: Policy, tz: ZoneInfo) -> list[Due]:
    return [Due(Deadline.STRICT_FOLLOWUP, at + timedelta(weeks=policy.strict_followup_weeks))]


OPEN = frozenset(s.value for s in OPEN_STATUSES)
# What was done after the report is recorded once the report has been triaged.
AFTER_TRIAGE = frozenset({Status.TRIAGED, Status.ANALYSED, Status.FEEDBACK_GIVEN})
ANY_STATUS = frozenset(s.value for s in Status)
EVERY_DEADLINE = frozenset(Deadline)

STEPS: tuple[CaseStep, ...] = (
    # First contact: while it is not made, in any open status (triage may come first); an
    # anonymous reporter, or one who wants none, is not chased.
    CaseStep(
        "contact",
        Act.HANDLE_REPORT,
        OPEN,
        pending=lambda r: contactable(r) and r.contacted_at is None,
        closes=frozenset({Deadline.CONTACT}),
        on_notice=True,
    ),
    CaseStep(
        "triage",
        Act.HANDLE_REPORT,
        frozenset({Status.NEW, Status.CONTACTED}),
        flow="triage",
        closes=frozenset({Deadline.TRIAGE}),
        opens=_on_triage,
        on_notice=True,
    ),
    CaseStep(
        "explored",
        Act.HANDLE_REPORT,
        OPEN,
        pending=lambda r: (
            r.triage_outcome in (Triage.INVESTIGATE, Triage.CALAMITY) and r.explored_at is None
        ),
        closes=frozenset({Deadline.EXPLORATION}),
    ),
    CaseStep(
        "analyse",
        Act.HANDLE_REPORT,
        frozenset({Status.TRIAGED}),
        flow="analysis",
        closes=frozenset({Deadline.ANALYSIS, Deadline.EXPLORATION}),
    ),
    CaseStep(
        "action",
        Act.HANDLE_REPORT,
        frozenset({Status.ANALYSED, Status.FEEDBACK_GIVEN}),
        flow="action",
    ),
    CaseStep("feedback", Act.HANDLE_REPORT, frozenset({Status.ANALYSED}), flow="feedback"),
    CaseStep("close", Act.HANDLE_REPORT, frozenset({Status.FEEDBACK_GIVEN}), closes=EVERY_DEADLINE),
    # The coordinator may close a report whose checks are not all done, with a reason.
    CaseStep(
        "close_with_reason",
        Act.CLOSE_WITH_REASON,
        OPEN,
        flow="close_reason",
        closes=EVERY_DEADLINE,
    ),
    CaseStep("question", Act.HANDLE_REPORT, OPEN, flow="question"),
    CaseStep(
        "established",
        Act.HANDLE_REPORT,
        OPEN,
        flow="established",
        calamity=True,
        pending=lambda r: r.established_on is None,
        closes=frozenset({Deadline.IGJ_DOUBT}),
        opens=_on_establishment,
    ),
    # The client (or their representative) is informed of every report that affected them;
    # after a possible calamity within its own deadline.
    CaseStep(
        "client_informed",
        Act.HANDLE_REPORT,
        AFTER_TRIAGE,
        on_alert=True,
        pending=lambda r: r.client_informed_at is None and concerns_client(r),
        closes=frozenset({Deadline.CLIENT_INFORMED}),
    ),
    CaseStep(
        "igj",
        Act.HANDLE_REPORT,
        OPEN,
        flow="igj",
        calamity=True,
        pending=lambda r: r.igj_reported_on is None,
        closes=frozenset({Deadline.IGJ, Deadline.IGJ_DOUBT}),
    ),
    CaseStep(
        "arbeidsinspectie",
        Act.HANDLE_REPORT,
        OPEN,
        flow="arbeidsinspectie",
        pending=lambda r: r.arbeidsinspectie_reported_on is None and arbeidsinspectie_duty(r),
        closes=frozenset({Deadline.ARBEIDSINSPECTIE}),
    ),
    # What was done after the report (§6.8; seeds/003 §3 counts these), each recorded with
    # who and when in ``after_report`` (the client informed too, above).
    # Aftercare for the reporter: offered, then given or declined.
    CaseStep(
        "aftercare",
        Act.HANDLE_REPORT,
        AFTER_TRIAGE,
        flow="aftercare",
        pending=lambda r: not r.anonymous and recorded(r, "aftercare") in (None, "offered"),
    ),
    CaseStep(  # a conversation with the client about the incident ("ordegesprek")
        "client_talk",
        Act.HANDLE_REPORT,
        AFTER_TRIAGE,
        pending=lambda r: concerns_client(r) and recorded(r, "client_talk") is None,
    ),
    CaseStep(
        "care_ended",
        Act.HANDLE_REPORT,
        AFTER_TRIAGE,
        pending=lambda r: concerns_client(r) and recorded(r, "care_ended") is None,
    ),
    CaseStep(  # suggested after physical aggression, threats, burglary or damage
        "police_report",
        Act.HANDLE_REPORT,
        AFTER_TRIAGE,
        pending=lambda r: suggests_police(r) and recorded(r, "police_report") is None,
    ),
    CaseStep("adviser_message", Act.ADVISE, OPEN, flow="adviser_message", on_notice=True),
    # The confidential adviser's own record of a request (§5), whatever the report's status;
    # nothing of it reaches the leaders (their permission table has no ADVISE).
    CaseStep(
        "adviser_contacted",
        Act.ADVISE,
        ANY_STATUS,
        pending=lambda r: r.adviser_contacted_at is None and r.adviser_closed_at is None,
        on_notice=True,
    ),
    CaseStep(
        "adviser_closed", Act.ADVISE, ANY_STATUS, pending=lambda r: r.adviser_closed_at is None
    ),
    # A retention hold (§13): a report under investigation, a complaint or an inspection is
    # kept past the retention period until the coordinator releases it.
    CaseStep(
        "retention_hold",
        Act.HOLD_RETENTION,
        ANY_STATUS,
        flow="retention_hold",
        pending=lambda r: r.retention_held_at is None and r.personal_data_removed_at is None,
    ),
    CaseStep(
        "retention_release",
        Act.HOLD_RETENTION,
        ANY_STATUS,
        pending=lambda r: r.retention_held_at is not None,
    ),
    # Stricter follow-up after an IGJ measure (§14): the coordinator (or the board, on a
    # possible calamity) puts the report under it; progress reports are due every
    # ``strict_followup_weeks``, each one opening the next, until the measure is lifted.
    CaseStep(
        "strict_followup",
        Act.STRICT_FOLLOWUP,
        OPEN,
        pending=lambda r: r.strict_followup_at is None,
        opens=_next_progress_report,
    ),
    CaseStep(
        "progress_report",
        Act.HANDLE_REPORT,
        OPEN,
        flow="progress_report",
        pending=lambda r: r.strict_followup_at is not None,
        closes=frozenset({Deadline.STRICT_FOLLOWUP}),
        opens=_next_progress_report,
    ),
    CaseStep(
        "strict_followup_end",
        Act.STRICT_FOLLOWUP,
        OPEN,
        pending=lambda r: r.strict_followup_at is not None,
        closes=frozenset({Deadline.STRICT_FOLLOWUP}),
    ),
    CaseStep("details", Act.VIEW_REPORT, ANY_STATUS, in_menu=False),
)


def step_named(name: str) -> CaseStep | None:
    """The row of a step (read from ``STEPS`` each time, so the table is the one truth)."""
    return next((step for step in STEPS if step.name == name), None)


def step_for_flow(flow: str) -> CaseStep | None:
    """The step whose conversation ``flow`` is."""
    return next((step for step in STEPS if step.flow == flow), None)


def calamity_steps() -> tuple[CaseStep, ...]:
    """The steps on a possible calamity's alert."""
    return tuple(step for step in STEPS if step.calamity or step.on_alert)


# The steps whose records make up "what was done after the report" (details and export).
AFTER_REPORT_STEPS = ("client_informed", "aftercare", "client_talk", "care_ended", "police_report")


# A triage that finds no VIM report closes the report, and with it every deadline.
NOT_VIM_CLOSES = EVERY_DEADLINE


@dataclass(frozen=True, slots=True)
class ActionStep:
    """What can be done with an improvement action (token ``act:<id>``)."""

    name: str
    label: str
    statuses: frozenset[str]  # the action's statuses in which it can be taken
    flow: str | None = None
    judges: bool = False  # an answer to "did it work?" (once)

    def available(self, action: Any) -> bool:
        if action.status not in self.statuses:
            return False
        return not self.judges or action.effectiveness is None


ACTION_STEPS: tuple[ActionStep, ...] = (
    ActionStep("done", "case.button.done", frozenset({"open"})),
    ActionStep("drop", "case.button.drop", frozenset({"open"}), flow="drop_action"),
    ActionStep("effective", "effect.effective", frozenset({"done"}), judges=True),
    ActionStep("partly", "effect.partly", frozenset({"done"}), judges=True),
    ActionStep("not", "effect.not", frozenset({"done"}), judges=True),
)


def action_step_named(name: str) -> ActionStep | None:
    return next((step for step in ACTION_STEPS if step.name == name), None)


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """Who is reminded of a deadline, and what their nudge offers."""

    kind: Deadline
    buttons: tuple[str, ...]  # case steps (or, for an action, action steps) on the nudge
    # Groups of people, in order: the first group with anyone in it is responsible.
    # Names: "leaders" (of the report's team), "coordinator", "board", "hr", "owner" (an
    # action's).
    responsible: tuple[tuple[str, ...], ...]
    urgent: bool = False  # sent day and night (quiet hours do not hold it back); a deadline
    # can also be urgent for one report only (``Due.urgent``: a possible calamity's triage)
    of_action: bool = False  # about an improvement action, not a report
    of_board: bool = False  # the board's own, about no report and no action


_LEADERS_FIRST = (("leaders",), ("coordinator",))
_BOARD_AND_COORDINATOR = (("board", "coordinator"),)
_OWNER_FIRST = (("owner",), ("leaders",))

DEADLINES: Mapping[Deadline, DeadlineRule] = {
    rule.kind: rule
    for rule in (
        DeadlineRule(Deadline.CONTACT, ("contact", "triage"), _LEADERS_FIRST),
        DeadlineRule(Deadline.TRIAGE, ("triage",), _LEADERS_FIRST),
        DeadlineRule(Deadline.EXPLORATION, ("analyse",), (("coordinator",), ("leaders",))),
        DeadlineRule(Deadline.ANALYSIS, ("analyse",), _LEADERS_FIRST),
        DeadlineRule(
            Deadline.CLIENT_INFORMED, ("client_informed",), _BOARD_AND_COORDINATOR, urgent=True
        ),
        DeadlineRule(Deadline.IGJ, ("igj",), _BOARD_AND_COORDINATOR, urgent=True),
        DeadlineRule(
            Deadline.IGJ_DOUBT, ("established", "igj"), _BOARD_AND_COORDINATOR, urgent=True
        ),
        DeadlineRule(
            Deadline.ARBEIDSINSPECTIE,
            ("arbeidsinspectie",),
            (("board", "hr", "coordinator"),),
            urgent=True,
        ),
        DeadlineRule(Deadline.ACTION, ("done", "drop"), _OWNER_FIRST, of_action=True),
        DeadlineRule(
            Deadline.EFFECTIVENESS, ("effective", "partly", "not"), _OWNER_FIRST, of_action=True
        ),
        # A progress report under stricter follow-up (§14): the team's leaders write it.
        DeadlineRule(Deadline.STRICT_FOLLOWUP, ("progress_report",), _LEADERS_FIRST),
        # The board's own deadline (no report, no action): recorded with /beleid.
        DeadlineRule(Deadline.POLICY_REVIEW, (), (("board",), ("coordinator",)), of_board=True),
    )
}
