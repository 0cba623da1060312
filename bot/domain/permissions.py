"""Who may see or do what: one table (Wkkgz art. 9: personal data in the incident register
only for those who handle the reports; AVG: need to know).

A person can hold several roles; an action is allowed when any of their roles allows it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from bot.config import Config


class Role(StrEnum):
    REPORTER = "reporter"
    TEAM_LEADER = "team_leader"
    COORDINATOR = "coordinator"
    BOARD = "board"
    CONFIDENTIAL_ADVISER = "confidential_adviser"
    COMMITTEE = "committee"
    HR = "hr"  # P&O / arbo


class Act(StrEnum):
    VIEW_REPORT = "view_report"  # details, including the text
    HANDLE_REPORT = "handle_report"  # contact, triage, analysis, feedback, close, …
    VIEW_AGGREGATES = "view_aggregates"  # anonymised counts: reviews and analyses
    ADVISE = "advise"  # write to the reporter as the confidential adviser (their mailbox)
    REPLY_AS_REPORTER = "reply_as_reporter"  # answer in the reporter's own name (their mailbox)
    HANDLE_ACTION = "handle_action"  # mark an improvement action done, drop it, judge its effect
    VIEW_ACTION = "view_action"  # see an improvement action in /acties
    CLOSE_WITH_REASON = "close_with_reason"  # close although not every check is done
    HOLD_RETENTION = "hold_retention"  # keep a report past retention, and release it (§13)
    RECORD_EVALUATION = "record_evaluation"  # the board's half-yearly evaluation, policy review
    STRICT_FOLLOWUP = "strict_followup"  # put a report under stricter follow-up, lift it (§14)


class Rule(StrEnum):
    ALWAYS = "always"
    NEVER = "never"
    OWN = "own"  # the reporter's own (named) reports
    OWNER = "owner"  # improvement actions they own
    OWN_TEAM = "own_team"  # reports of the teams they lead
    CALAMITY = "calamity"  # possible calamities only
    ASKED_FOR = "asked_for"  # reports whose reporter asked for them (named or anonymous)
    ABOUT_EMPLOYEE = "about_employee"  # reports concerning an employee (MIM)


PERMISSIONS: dict[Role, dict[Act, Rule]] = {
    Role.REPORTER: {
        Act.VIEW_REPORT: Rule.OWN,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.NEVER,
        Act.ADVISE: Rule.NEVER,
        Act.REPLY_AS_REPORTER: Rule.OWN,
        Act.HANDLE_ACTION: Rule.OWNER,
        Act.VIEW_ACTION: Rule.OWNER,
        Act.CLOSE_WITH_REASON: Rule.NEVER,
        Act.HOLD_RETENTION: Rule.NEVER,
        Act.RECORD_EVALUATION: Rule.NEVER,
        Act.STRICT_FOLLOWUP: Rule.NEVER,
    },
    Role.TEAM_LEADER: {
        Act.VIEW_REPORT: Rule.OWN_TEAM,
        Act.HANDLE_REPORT: Rule.OWN_TEAM,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
        Act.REPLY_AS_REPORTER: Rule.NEVER,
        Act.HANDLE_ACTION: Rule.OWN_TEAM,
        Act.VIEW_ACTION: Rule.OWN_TEAM,
        Act.CLOSE_WITH_REASON: Rule.NEVER,
        Act.HOLD_RETENTION: Rule.NEVER,
        Act.RECORD_EVALUATION: Rule.NEVER,
        Act.STRICT_FOLLOWUP: Rule.NEVER,
    },
    Role.COORDINATOR: {
        Act.VIEW_REPORT: Rule.ALWAYS,
        Act.HANDLE_REPORT: Rule.ALWAYS,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
        Act.REPLY_AS_REPORTER: Rule.NEVER,
        Act.HANDLE_ACTION: Rule.ALWAYS,
        Act.VIEW_ACTION: Rule.ALWAYS,
        Act.CLOSE_WITH_REASON: Rule.ALWAYS,
        Act.HOLD_RETENTION: Rule.ALWAYS,
        Act.RECORD_EVALUATION: Rule.NEVER,
        Act.STRICT_FOLLOWUP: Rule.ALWAYS,
    },
    Role.BOARD: {
        Act.VIEW_REPORT: Rule.CALAMITY,
        Act.HANDLE_REPORT: Rule.CALAMITY,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
        Act.REPLY_AS_REPORTER: Rule.NEVER,
        Act.HANDLE_ACTION: Rule.NEVER,
        Act.VIEW_ACTION: Rule.ALWAYS,
        Act.CLOSE_WITH_REASON: Rule.NEVER,
        Act.HOLD_RETENTION: Rule.NEVER,
        Act.RECORD_EVALUATION: Rule.ALWAYS,
        Act.STRICT_FOLLOWUP: Rule.CALAMITY,
    },
    Role.CONFIDENTIAL_ADVISER: {
        Act.VIEW_REPORT: Rule.ASKED_FOR,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.NEVER,
        Act.ADVISE: Rule.ASKED_FOR,
        Act.REPLY_AS_REPORTER: Rule.NEVER,
        Act.HANDLE_ACTION: Rule.NEVER,
        Act.VIEW_ACTION: Rule.NEVER,
        Act.CLOSE_WITH_REASON: Rule.NEVER,
        Act.HOLD_RETENTION: Rule.NEVER,
        Act.RECORD_EVALUATION: Rule.NEVER,
        Act.STRICT_FOLLOWUP: Rule.NEVER,
    },
    Role.COMMITTEE: {
        Act.VIEW_REPORT: Rule.NEVER,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
        Act.REPLY_AS_REPORTER: Rule.NEVER,
        Act.HANDLE_ACTION: Rule.NEVER,
        Act.VIEW_ACTION: Rule.ALWAYS,  # it watches the improvement register (§5)
        Act.CLOSE_WITH_REASON: Rule.NEVER,
        Act.HOLD_RETENTION: Rule.NEVER,
        Act.RECORD_EVALUATION: Rule.NEVER,
        Act.STRICT_FOLLOWUP: Rule.NEVER,
    },
    Role.HR: {
        Act.VIEW_REPORT: Rule.ABOUT_EMPLOYEE,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.NEVER,
        Act.ADVISE: Rule.NEVER,
        Act.REPLY_AS_REPORTER: Rule.NEVER,
        Act.HANDLE_ACTION: Rule.NEVER,
        Act.VIEW_ACTION: Rule.NEVER,
        Act.CLOSE_WITH_REASON: Rule.NEVER,
        Act.HOLD_RETENTION: Rule.NEVER,
        Act.RECORD_EVALUATION: Rule.NEVER,
        Act.STRICT_FOLLOWUP: Rule.NEVER,
    },
}


class Subject(Protocol):
    """What the rules look at: a report (a storage Report satisfies it) or, for
    ``HANDLE_ACTION``, an improvement action (its team and owner)."""

    team_id: str | None


def roles_of(address: str, config: Config) -> set[Role]:
    roles = {Role.REPORTER}
    if any(address in team.leaders for team in config.teams):
        roles.add(Role.TEAM_LEADER)
    for role, addresses in (
        (Role.COORDINATOR, config.roles.coordinator),
        (Role.BOARD, config.roles.board),
        (Role.CONFIDENTIAL_ADVISER, config.roles.confidential_adviser),
        (Role.COMMITTEE, config.roles.committee),
        (Role.HR, config.roles.hr),
    ):
        if address in addresses:
            roles.add(role)
    return roles


def _holds(rule: Rule, address: str, subject: Subject | None, config: Config) -> bool:
    if rule is Rule.ALWAYS:
        return True
    if rule is Rule.NEVER or subject is None:
        return False
    if rule is Rule.OWN:
        named = not getattr(subject, "anonymous", True)
        return named and getattr(subject, "reporter_address", None) == address
    if rule is Rule.OWNER:
        return getattr(subject, "owner", None) == address
    if rule is Rule.OWN_TEAM:
        team = config.team(subject.team_id)
        return team is not None and address in team.leaders
    if rule is Rule.CALAMITY:
        return bool(getattr(subject, "possible_calamity", False))
    if rule is Rule.ABOUT_EMPLOYEE:
        return "employee" in (getattr(subject, "affected", None) or ())
    if rule is Rule.ASKED_FOR:
        # An anonymous reporter's request reaches the adviser too, without any identity.
        return getattr(subject, "contact_wish", None) == "confidential_adviser"
    return False


def allowed(address: str, act: Act, subject: Subject | None, config: Config) -> bool:
    """Whether ``address`` may do ``act`` (on ``subject``, where it concerns one)."""
    return any(
        _holds(PERMISSIONS[role][act], address, subject, config)
        for role in roles_of(address, config)
    )


def handles_reports(address: str, config: Config) -> bool:
    """Whether someone has a role that may handle some reports (for /open and /acties)."""
    return any(
        PERMISSIONS[role][Act.HANDLE_REPORT] is not Rule.NEVER for role in roles_of(address, config)
    )


def reads_register(address: str, config: Config) -> bool:
    """Whether someone may read the improvement register beyond their own actions (/acties)."""
    return any(
        PERMISSIONS[role][Act.VIEW_ACTION] in (Rule.ALWAYS, Rule.OWN_TEAM)
        for role in roles_of(address, config)
    )


def records_evaluations(address: str, config: Config) -> bool:
    """Whether someone records the board's evaluations and policy reviews."""
    rules = {PERMISSIONS[role][Act.RECORD_EVALUATION] for role in roles_of(address, config)}
    return Rule.ALWAYS in rules


def advises(address: str, config: Config) -> bool:
    """Whether someone has a role that may advise some reporters (their /open: requests)."""
    return any(
        PERMISSIONS[role][Act.ADVISE] is not Rule.NEVER for role in roles_of(address, config)
    )


def teams_in_scope(address: str, act: Act, config: Config) -> frozenset[str] | None:
    """The teams whose reports ``act`` may concern for this person, read from the table:
    None when no team limits it (a rule that holds across teams), else the teams they lead.
    Narrows a list before each report is checked with :func:`allowed`."""
    rules = {PERMISSIONS[role][act] for role in roles_of(address, config)}
    if rules & {Rule.ALWAYS, Rule.CALAMITY, Rule.ASKED_FOR, Rule.ABOUT_EMPLOYEE}:
        return None
    if Rule.OWN_TEAM in rules:
        return frozenset(team.id for team in config.teams if address in team.leaders)
    return frozenset()
