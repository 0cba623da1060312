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


class Act(StrEnum):
    VIEW_REPORT = "view_report"  # details, including the text
    HANDLE_REPORT = "handle_report"  # contact, triage, analysis, feedback, close, …
    VIEW_AGGREGATES = "view_aggregates"  # anonymised counts: reviews and analyses
    ADVISE = "advise"  # write to the reporter as the confidential adviser (their mailbox)


class Rule(StrEnum):
    ALWAYS = "always"
    NEVER = "never"
    OWN = "own"  # the reporter's own (named) reports
    OWN_TEAM = "own_team"  # reports of the teams they lead
    CALAMITY = "calamity"  # possible calamities only
    ASKED_FOR = "asked_for"  # reports whose reporter asked for them (named or anonymous)


PERMISSIONS: dict[Role, dict[Act, Rule]] = {
    Role.REPORTER: {
        Act.VIEW_REPORT: Rule.OWN,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.NEVER,
        Act.ADVISE: Rule.NEVER,
    },
    Role.TEAM_LEADER: {
        Act.VIEW_REPORT: Rule.OWN_TEAM,
        Act.HANDLE_REPORT: Rule.OWN_TEAM,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
    },
    Role.COORDINATOR: {
        Act.VIEW_REPORT: Rule.ALWAYS,
        Act.HANDLE_REPORT: Rule.ALWAYS,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
    },
    Role.BOARD: {
        Act.VIEW_REPORT: Rule.CALAMITY,
        Act.HANDLE_REPORT: Rule.CALAMITY,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
    },
    Role.CONFIDENTIAL_ADVISER: {
        Act.VIEW_REPORT: Rule.ASKED_FOR,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.NEVER,
        Act.ADVISE: Rule.ASKED_FOR,
    },
    Role.COMMITTEE: {
        Act.VIEW_REPORT: Rule.NEVER,
        Act.HANDLE_REPORT: Rule.NEVER,
        Act.VIEW_AGGREGATES: Rule.ALWAYS,
        Act.ADVISE: Rule.NEVER,
    },
}


class ReportFacts(Protocol):
    """What the rules look at (a storage Report satisfies it)."""

    team_id: str | None
    possible_calamity: bool
    contact_wish: str
    anonymous: bool
    reporter_address: str | None


def roles_of(address: str, config: Config) -> set[Role]:
    roles = {Role.REPORTER}
    if any(address in team.leaders for team in config.teams):
        roles.add(Role.TEAM_LEADER)
    for role, addresses in (
        (Role.COORDINATOR, config.roles.coordinator),
        (Role.BOARD, config.roles.board),
        (Role.CONFIDENTIAL_ADVISER, config.roles.confidential_adviser),
        (Role.COMMITTEE, config.roles.committee),
    ):
        if address in addresses:
            roles.add(role)
    return roles


def _holds(rule: Rule, address: str, report: ReportFacts | None, config: Config) -> bool:
    if rule is Rule.ALWAYS:
        return True
    if rule is Rule.NEVER or report is None:
        return False
    if rule is Rule.OWN:
        return not report.anonymous and report.reporter_address == address
    if rule is Rule.OWN_TEAM:
        team = config.team(report.team_id)
        return team is not None and address in team.leaders
    if rule is Rule.CALAMITY:
        return report.possible_calamity
    if rule is Rule.ASKED_FOR:
        # An anonymous reporter's request reaches the adviser too, without any identity.
        return report.contact_wish == "confidential_adviser"
    return False


def allowed(address: str, act: Act, report: ReportFacts | None, config: Config) -> bool:
    """Whether ``address`` may do ``act`` (on ``report``, where it concerns one)."""
    return any(
        _holds(PERMISSIONS[role][act], address, report, config)
        for role in roles_of(address, config)
    )


def handles_reports(address: str, config: Config) -> bool:
    """Whether someone has any role that handles reports (for /open and /acties)."""
    return bool(roles_of(address, config) & {Role.TEAM_LEADER, Role.COORDINATOR, Role.BOARD})
