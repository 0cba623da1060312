"""The life of a report after it is sent: statuses, what leaders may do when, the NHG risk
matrix, and which deadlines open and close with each step (seeds/002, sections 6 and 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.config import Policy
from bot.domain.workdays import add_working_days


class Status(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    TRIAGED = "triaged"
    ANALYSED = "analysed"
    FEEDBACK_GIVEN = "feedback_given"
    CLOSED = "closed"
    NOT_VIM = "not_vim"  # complication or accepted risk: closed at triage, with a reason


OPEN_STATUSES = frozenset(s for s in Status if s not in (Status.CLOSED, Status.NOT_VIM))


class Triage(StrEnum):
    INTERNAL = "internal"  # handled within the team
    INVESTIGATE = "investigate"  # further investigation
    CALAMITY = "calamity"  # possible calamity
    NOT_VIM = "not_vim"


class Deadline(StrEnum):
    """Kinds of deadline; each becomes nudges (reminder, escalations) while it is open."""

    CONTACT = "contact"
    TRIAGE = "triage"
    EXPLORATION = "exploration"
    ANALYSIS = "analysis"
    CLIENT_INFORMED = "client_informed"
    IGJ = "igj"
    IGJ_DOUBT = "igj_doubt"  # 6 weeks from discovery when in doubt
    ACTION = "action"
    EFFECTIVENESS = "effectiveness"


URGENT = frozenset({Deadline.CLIENT_INFORMED, Deadline.IGJ, Deadline.IGJ_DOUBT})

FREQUENCIES = ("weekly", "monthly", "yearly", "rarely")
CONSEQUENCES = ("catastrophic", "major", "moderate", "minor")
# NHG "Safety Assessment Code": frequency × consequence → 1–4 (DESIGN.md).
RISK_MATRIX: dict[str, tuple[int, int, int, int]] = {
    "weekly": (4, 3, 3, 2),
    "monthly": (4, 3, 2, 1),
    "yearly": (4, 2, 1, 1),
    "rarely": (3, 2, 1, 1),
}
CAUSE_CLASSES = ("technical", "organisational", "human", "client")


def risk_score(frequency: str, consequence: str) -> int:
    return RISK_MATRIX[frequency][CONSEQUENCES.index(consequence)]


def suggests_investigation(
    score: int, near_miss: bool, consequence: str, same_category_this_month: int, threshold: int
) -> bool:
    """Score ≥ 3, a near miss that would have caused serious harm, or a cluster of reports."""
    serious_near_miss = near_miss and consequence in ("catastrophic", "major")
    return score >= 3 or serious_near_miss or same_category_this_month > threshold


@dataclass(frozen=True, slots=True)
class Due:
    kind: Deadline
    at: datetime


def deadlines_on_report(created: datetime, policy: Policy, tz: ZoneInfo) -> list[Due]:
    """What opens when a report arrives: contact (1 working day) and triage (24 hours)."""
    return [
        Due(Deadline.CONTACT, add_working_days(created, policy.contact_working_days, tz)),
        Due(Deadline.TRIAGE, created + timedelta(hours=policy.triage_hours)),
    ]


def deadlines_on_triage(
    outcome: Triage, at: datetime, created: datetime, policy: Policy, tz: ZoneInfo
) -> list[Due]:
    """Triage opens the analysis (14 days from the report) and, where needed, the exploratory
    investigation; a possible calamity also opens the client's 24 hours and the 6-week window."""
    if outcome is Triage.NOT_VIM:
        return []
    due = [Due(Deadline.ANALYSIS, created + timedelta(days=policy.analysis_days))]
    if outcome in (Triage.INVESTIGATE, Triage.CALAMITY):
        due.append(
            Due(Deadline.EXPLORATION, add_working_days(at, policy.exploration_working_days, tz))
        )
    if outcome is Triage.CALAMITY:
        due.append(
            Due(Deadline.CLIENT_INFORMED, at + timedelta(hours=policy.client_informed_hours))
        )
        due.append(Due(Deadline.IGJ_DOUBT, created + timedelta(weeks=policy.doubt_window_weeks)))
    return due


def deadline_on_establishment(established: datetime, policy: Policy, tz: ZoneInfo) -> Due:
    """Once a calamity is established, the IGJ must have it within 3 working days."""
    return Due(Deadline.IGJ, add_working_days(established, policy.igj_working_days, tz))


# Which open deadlines a step closes.
CLOSES: dict[str, frozenset[Deadline]] = {
    "contacted": frozenset({Deadline.CONTACT}),
    "triaged": frozenset({Deadline.TRIAGE}),
    "explored": frozenset({Deadline.EXPLORATION}),
    "analysed": frozenset({Deadline.ANALYSIS, Deadline.EXPLORATION}),
    "client_informed": frozenset({Deadline.CLIENT_INFORMED}),
    "established": frozenset({Deadline.IGJ_DOUBT}),
    "igj_reported": frozenset({Deadline.IGJ, Deadline.IGJ_DOUBT}),
    "not_vim": frozenset(Deadline),
    "closed": frozenset(Deadline),
}


def may(action: str, status: str) -> bool:
    """Whether a leader action fits the report's status (the buttons show only these)."""
    allowed = {
        "contact": {Status.NEW},
        "triage": {Status.NEW, Status.CONTACTED},
        "analyse": {Status.TRIAGED},
        "feedback": {Status.ANALYSED},
        "close": {Status.FEEDBACK_GIVEN},
    }
    return status in allowed.get(action, set())
