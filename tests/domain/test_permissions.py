"""The permission table, case by case: every role × act × kind of report.

Each person below holds one role (and, like everyone, the reporter's); the expected answers
are written out here independently of bot/domain/permissions.py, so a change to the table
shows up as the cases it changes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain.permissions import PERMISSIONS, Act, Role, allowed, roles_of
from tests.helpers import make_config

CONFIG = make_config(
    roles={
        "coordinator": ["shell:coord"],
        "board": ["shell:board"],
        "confidential_adviser": ["shell:vp"],
        "committee": ["shell:committee"],
        "hr": ["shell:hr"],
    }
)


@dataclass(frozen=True)
class Facts:
    team_id: str | None
    possible_calamity: bool = False
    contact_wish: str = "none"
    anonymous: bool = False
    reporter_address: str | None = "shell:omar"
    owner: str | None = None  # an improvement action's owner
    affected: tuple[str, ...] = ("client",)


# The kinds of report a rule can tell apart (None: no report, e.g. the reviews and analyses).
REPORTS: dict[str, Facts | None] = {
    "own": Facts("noord", reporter_address="shell:nina", contact_wish="team_leader"),
    "anonymous_noord": Facts("noord", anonymous=True, reporter_address=None),
    "named_zuid": Facts("zuid"),
    "calamity_zuid": Facts("zuid", possible_calamity=True),
    "adviser_asked_zuid": Facts("zuid", contact_wish="confidential_adviser"),
    "anonymous_adviser_asked": Facts(
        "zuid", contact_wish="confidential_adviser", anonymous=True, reporter_address=None
    ),
    "about_employee_zuid": Facts("zuid", affected=("employee",)),  # MIM
    "action_noord": Facts("noord", owner="shell:omar"),  # an improvement action
    "own_action": Facts("zuid", owner="shell:nina"),
    "none": None,
}
ALL = set(REPORTS)

PEOPLE: dict[Role, str] = {
    Role.REPORTER: "shell:nina",
    Role.TEAM_LEADER: "shell:lead-noord",
    Role.COORDINATOR: "shell:coord",
    Role.BOARD: "shell:board",
    Role.CONFIDENTIAL_ADVISER: "shell:vp",
    Role.COMMITTEE: "shell:committee",
    Role.HR: "shell:hr",
}

NOORD = {"own", "anonymous_noord", "action_noord"}  # what the team's leader leads

# role → act → the kinds of report it is allowed on
EXPECTED: dict[Role, dict[Act, set[str]]] = {
    Role.REPORTER: {
        Act.VIEW_REPORT: {"own"},
        Act.HANDLE_REPORT: set(),
        Act.VIEW_AGGREGATES: set(),
        Act.ADVISE: set(),
        Act.REPLY_AS_REPORTER: {"own"},
        Act.HANDLE_ACTION: {"own_action"},
        Act.VIEW_ACTION: {"own_action"},
        Act.CLOSE_WITH_REASON: set(),
        Act.HOLD_RETENTION: set(),
        Act.RECORD_EVALUATION: set(),
        Act.STRICT_FOLLOWUP: set(),
    },
    Role.TEAM_LEADER: {
        Act.VIEW_REPORT: NOORD,
        Act.HANDLE_REPORT: NOORD,
        Act.VIEW_AGGREGATES: ALL,
        Act.ADVISE: set(),
        Act.REPLY_AS_REPORTER: set(),
        Act.HANDLE_ACTION: NOORD,
        Act.VIEW_ACTION: NOORD,
        Act.CLOSE_WITH_REASON: set(),
        Act.HOLD_RETENTION: set(),
        Act.RECORD_EVALUATION: set(),
        Act.STRICT_FOLLOWUP: set(),
    },
    Role.COORDINATOR: {
        Act.VIEW_REPORT: ALL,
        Act.HANDLE_REPORT: ALL,
        Act.VIEW_AGGREGATES: ALL,
        Act.ADVISE: set(),
        Act.REPLY_AS_REPORTER: set(),
        Act.HANDLE_ACTION: ALL,
        Act.VIEW_ACTION: ALL,
        Act.CLOSE_WITH_REASON: ALL,
        Act.HOLD_RETENTION: ALL,
        Act.RECORD_EVALUATION: set(),
        Act.STRICT_FOLLOWUP: ALL,
    },
    Role.BOARD: {
        Act.VIEW_REPORT: {"calamity_zuid"},
        Act.HANDLE_REPORT: {"calamity_zuid"},
        Act.VIEW_AGGREGATES: ALL,
        Act.ADVISE: set(),
        Act.REPLY_AS_REPORTER: set(),
        Act.HANDLE_ACTION: set(),
        Act.VIEW_ACTION: ALL,
        Act.CLOSE_WITH_REASON: set(),
        Act.HOLD_RETENTION: set(),
        Act.RECORD_EVALUATION: ALL,
        Act.STRICT_FOLLOWUP: {"calamity_zuid"},
    },
    Role.CONFIDENTIAL_ADVISER: {
        Act.VIEW_REPORT: {"adviser_asked_zuid", "anonymous_adviser_asked"},
        Act.HANDLE_REPORT: set(),
        Act.VIEW_AGGREGATES: set(),
        Act.ADVISE: {"adviser_asked_zuid", "anonymous_adviser_asked"},
        Act.REPLY_AS_REPORTER: set(),
        Act.HANDLE_ACTION: set(),
        Act.VIEW_ACTION: set(),
        Act.CLOSE_WITH_REASON: set(),
        Act.HOLD_RETENTION: set(),
        Act.RECORD_EVALUATION: set(),
        Act.STRICT_FOLLOWUP: set(),
    },
    Role.COMMITTEE: {
        Act.VIEW_REPORT: set(),
        Act.HANDLE_REPORT: set(),
        Act.VIEW_AGGREGATES: ALL,
        Act.ADVISE: set(),
        Act.REPLY_AS_REPORTER: set(),
        Act.HANDLE_ACTION: set(),
        Act.VIEW_ACTION: ALL,
        Act.CLOSE_WITH_REASON: set(),
        Act.HOLD_RETENTION: set(),
        Act.RECORD_EVALUATION: set(),
        Act.STRICT_FOLLOWUP: set(),
    },
    Role.HR: {
        Act.VIEW_REPORT: {"about_employee_zuid"},
        Act.HANDLE_REPORT: set(),
        Act.VIEW_AGGREGATES: set(),
        Act.ADVISE: set(),
        Act.REPLY_AS_REPORTER: set(),
        Act.HANDLE_ACTION: set(),
        Act.VIEW_ACTION: set(),
        Act.CLOSE_WITH_REASON: set(),
        Act.HOLD_RETENTION: set(),
        Act.RECORD_EVALUATION: set(),
        Act.STRICT_FOLLOWUP: set(),
    },
}

CASES = [
    pytest.param(role, act, kind, kind in EXPECTED[role][act], id=f"{role}-{act}-{kind}")
    for role in Role
    for act in Act
    for kind in REPORTS
]


def test_the_table_and_these_cases_cover_every_role_and_act() -> None:
    assert set(PERMISSIONS) == set(Role) == set(EXPECTED) == set(PEOPLE)
    for role in Role:
        assert set(PERMISSIONS[role]) == set(Act) == set(EXPECTED[role])


@pytest.mark.parametrize("role", list(Role))
def test_each_person_holds_their_role_and_the_reporters(role: Role) -> None:
    assert roles_of(PEOPLE[role], CONFIG) == {Role.REPORTER, role}


@pytest.mark.parametrize(("role", "act", "kind", "expected"), CASES)
def test_permission(role: Role, act: Act, kind: str, expected: bool) -> None:
    assert allowed(PEOPLE[role], act, REPORTS[kind], CONFIG) is expected
