"""The life of a report after it is sent: statuses, what leaders may do when, the NHG risk
matrix, and which deadlines open and close with each step (seeds/002, sections 6 and 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
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
    ARBEIDSINSPECTIE = "arbeidsinspectie"  # a serious work accident (MIM), reported "direct"
    POLICY_REVIEW = "policy_review"  # the board's yearly review of the policy (§16)
    STRICT_FOLLOWUP = "strict_followup"  # a progress report under stricter follow-up (§14)


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
    urgent: bool = False  # this one goes day and night, whatever its kind usually does


class Harm(Protocol):
    """What the harm rules look at (a storage Report and a ReportDraft both have it)."""

    @property
    def harm(self) -> str: ...
    @property
    def categories(self) -> list[str]: ...
    @property
    def affected(self) -> list[str]: ...
    @property
    def possible_calamity(self) -> bool: ...


class ReportFacts(Harm, Protocol):
    """What the deadline rules look at (a storage Report satisfies it)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def anonymous(self) -> bool: ...
    @property
    def contact_wish(self) -> str: ...
    @property
    def report_type(self) -> str: ...


AGGRESSION = frozenset({"verbal_aggression", "nonverbal_aggression", "physical_aggression"})
SERIOUS_HARM = frozenset({"serious", "death"})


def wants_contact(anonymous: bool, contact_wish: str) -> bool:
    """A named reporter who wants contact: an anonymous one can't be reached, and one who
    said "Nee, dank je" is not chased."""
    return not anonymous and contact_wish != "none"


def contactable(report: ReportFacts) -> bool:
    return wants_contact(report.anonymous, report.contact_wish)


def contact_is_urgent(report: Harm) -> bool:
    """First contact and care within hours, day and night (§7): aggression against staff,
    serious harm, a possible calamity."""
    against_staff = "employee" in report.affected and bool(AGGRESSION & set(report.categories))
    return against_staff or report.possible_calamity or report.harm in SERIOUS_HARM


def concerns_client(report: ReportFacts) -> bool:
    """A MIC report: a client was affected (a MIM report never gets a client step)."""
    return "MIC" in report.report_type.split("+")


# A police report ("aangifte") is suggested after physical aggression and threats (with a
# weapon); burglary and damage are suggested too once the taxonomy has such categories.
POLICE_SUGGESTED = frozenset({"physical_aggression", "threat", "burglary", "damage"})


def suggests_police(report: Harm) -> bool:
    """Whether the bot suggests reporting it to the police (§6.5: criminal offences)."""
    return bool(POLICE_SUGGESTED & set(report.categories))


def arbeidsinspectie_duty(report: Harm) -> bool:
    """A work accident with death, permanent injury or hospital admission: the employer
    reports it to the Arbeidsinspectie (Arbowet art. 9)."""
    return "employee" in report.affected and report.harm in SERIOUS_HARM


def deadlines_on_report(report: ReportFacts, policy: Policy, tz: ZoneInfo) -> list[Due]:
    """What opens when a report arrives: contact with the reporter (where possible and
    wanted), triage, and for a serious work accident the Arbeidsinspectie."""
    created = report.created_at
    due: list[Due] = []
    if contactable(report):
        if contact_is_urgent(report):
            at = created + timedelta(hours=policy.contact_urgent_hours)
            due.append(Due(Deadline.CONTACT, at, urgent=True))
        else:
            at = add_working_days(created, policy.contact_working_days, tz)
            due.append(Due(Deadline.CONTACT, at))
    triage_at = created + timedelta(hours=policy.triage_hours)
    due.append(Due(Deadline.TRIAGE, triage_at, urgent=report.possible_calamity))
    if arbeidsinspectie_duty(report):
        at = created + timedelta(hours=policy.arbeidsinspectie_hours)
        due.append(Due(Deadline.ARBEIDSINSPECTIE, at, urgent=True))
    return due


def deadlines_on_triage(
    outcome: Triage,
    at: datetime,
    created: datetime,
    policy: Policy,
    tz: ZoneInfo,
    client: bool = True,
) -> list[Due]:
    """Triage opens the analysis (14 days from the report) and, where needed, the exploratory
    investigation; a possible calamity also opens the 6-week window and, when a client was
    affected, the client's 24 hours."""
    if outcome is Triage.NOT_VIM:
        return []
    due = [Due(Deadline.ANALYSIS, created + timedelta(days=policy.analysis_days))]
    if outcome in (Triage.INVESTIGATE, Triage.CALAMITY):
        due.append(
            Due(Deadline.EXPLORATION, add_working_days(at, policy.exploration_working_days, tz))
        )
    if outcome is Triage.CALAMITY:
        if client:
            due.append(
                Due(Deadline.CLIENT_INFORMED, at + timedelta(hours=policy.client_informed_hours))
            )
        due.append(Due(Deadline.IGJ_DOUBT, created + timedelta(weeks=policy.doubt_window_weeks)))
    return due


def deadline_on_establishment(established: datetime, policy: Policy, tz: ZoneInfo) -> Due:
    """Once a calamity is established, the IGJ must have it within 3 working days."""
    return Due(Deadline.IGJ, add_working_days(established, policy.igj_working_days, tz))
