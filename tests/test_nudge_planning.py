"""Nudge planning as tables: who is responsible for each deadline, and which reminder and
escalations each deadline becomes (bot/nudges.py, pure)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.domain.lifecycle import Deadline, Due
from bot.nudges import plan, responsible
from tests.helpers import AMS, NOW, make_config

CONFIG = make_config()  # noord: lead-noord; coordinator: coord; board: board
NO_COORDINATOR = make_config(roles={"board": ["shell:board"]})
LEAD, COORD, BOARD, OWNER = "shell:lead-noord", "shell:coord", "shell:board", "shell:nina"

# (deadline, team, owner, configuration) → who must act
RESPONSIBLE = [
    (Deadline.CONTACT, "noord", None, CONFIG, [LEAD]),
    (Deadline.CONTACT, None, None, CONFIG, [COORD]),  # no team: the coordinator
    (Deadline.TRIAGE, "noord", None, CONFIG, [LEAD]),
    (Deadline.TRIAGE, None, None, CONFIG, [COORD]),
    (Deadline.ANALYSIS, "noord", None, CONFIG, [LEAD]),
    (Deadline.ANALYSIS, None, None, CONFIG, [COORD]),
    (Deadline.EXPLORATION, "noord", None, CONFIG, [COORD]),
    (Deadline.EXPLORATION, "noord", None, NO_COORDINATOR, [LEAD]),  # else the leaders
    (Deadline.CLIENT_INFORMED, "noord", None, CONFIG, [BOARD, COORD]),
    (Deadline.IGJ, "noord", None, CONFIG, [BOARD, COORD]),
    (Deadline.IGJ_DOUBT, None, None, CONFIG, [BOARD, COORD]),
    (Deadline.ARBEIDSINSPECTIE, "noord", None, CONFIG, [BOARD, COORD]),  # (and HR, if any)
    (Deadline.ACTION, "noord", OWNER, CONFIG, [OWNER]),  # the action's owner
    (Deadline.ACTION, "noord", None, CONFIG, [LEAD]),
    (Deadline.EFFECTIVENESS, "noord", OWNER, CONFIG, [OWNER]),
    (Deadline.EFFECTIVENESS, "noord", None, CONFIG, [LEAD]),
    (Deadline.POLICY_REVIEW, None, None, CONFIG, [BOARD]),  # the board's own
    (Deadline.STRICT_FOLLOWUP, "noord", None, CONFIG, [LEAD]),  # a progress report (§14)
    (Deadline.STRICT_FOLLOWUP, None, None, CONFIG, [COORD]),
    (Deadline.POLICY_REVIEW, None, None, make_config(roles={"coordinator": [COORD]}), [COORD]),
]


def test_every_deadline_has_its_responsible_rows() -> None:
    assert {row[0] for row in RESPONSIBLE} == set(Deadline)


@pytest.mark.parametrize(("kind", "team", "owner", "config", "expected"), RESPONSIBLE)
def test_responsible(kind, team, owner, config, expected) -> None:
    assert responsible(kind, team, config, owner) == expected


DUE = NOW + timedelta(days=2)
H = timedelta(hours=1)
REMIND, AT, LATER = DUE - 4 * H, DUE, DUE + 24 * H  # the policy's defaults: 4 h, 24 h
# DUE is Friday 10:30, so REMIND is 06:30: urgent reminders go then, the others at the start
# of working hours (still before the deadline).
AT_WORK = DUE.replace(hour=8, minute=0)
# A deadline on Tuesday evening: the reminder moves earlier, into Tuesday's working hours
# (4 hours before they end); one on Tuesday morning early: into Monday's.
EVENING = datetime(2026, 11, 24, 22, 29, tzinfo=AMS)
EARLY = datetime(2026, 11, 24, 7, 0, tzinfo=AMS)

# (deadline, team, owner, configuration, due) → [(stage, recipient, send at)]
PLANS = [
    pytest.param(
        Deadline.CONTACT,
        "noord",
        None,
        CONFIG,
        DUE,
        [("reminder", LEAD, AT_WORK), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="leader-then-coordinator-then-board",
    ),
    pytest.param(
        Deadline.TRIAGE,
        None,
        None,
        CONFIG,
        DUE,
        [("reminder", COORD, AT_WORK), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="no-team-the-coordinator-escalates-to-themself",
    ),
    pytest.param(
        Deadline.EXPLORATION,
        "noord",
        None,
        CONFIG,
        DUE,
        [("reminder", COORD, AT_WORK), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="exploration-is-the-coordinators",
    ),
    pytest.param(
        Deadline.CLIENT_INFORMED,
        "noord",
        None,
        CONFIG,
        DUE,
        [
            ("reminder", BOARD, REMIND),
            ("reminder", COORD, REMIND),
            ("escalation", BOARD, AT),
            ("escalation", COORD, AT),
        ],
        id="urgent-board-and-coordinator-no-separate-board-stage",
    ),
    pytest.param(
        Deadline.ACTION,
        "noord",
        OWNER,
        CONFIG,
        DUE,
        [("reminder", OWNER, AT_WORK), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="action-owner",
    ),
    pytest.param(
        Deadline.CONTACT,
        "noord",
        None,
        NO_COORDINATOR,
        DUE,
        [("reminder", LEAD, AT_WORK), ("escalation", LEAD, AT), ("board", BOARD, LATER)],
        id="no-coordinator-escalates-to-the-responsible",
    ),
    pytest.param(
        Deadline.CONTACT,
        "noord",
        None,
        CONFIG,
        NOW + H,
        [("reminder", LEAD, NOW), ("escalation", COORD, NOW + H), ("board", BOARD, NOW + 25 * H)],
        id="due-within-the-reminder-window-reminds-now",
    ),
    pytest.param(
        Deadline.TRIAGE,
        "noord",
        None,
        CONFIG,
        EVENING,
        [
            ("reminder", LEAD, EVENING.replace(hour=14, minute=0)),
            ("escalation", COORD, EVENING),  # held by the sweep until working time
            ("board", BOARD, EVENING + 24 * H),
        ],
        id="evening-deadline-reminds-earlier-on-working-time",
    ),
    pytest.param(
        Deadline.CONTACT,
        "noord",
        None,
        CONFIG,
        EARLY,
        [
            ("reminder", LEAD, datetime(2026, 11, 23, 14, 0, tzinfo=AMS)),
            ("escalation", COORD, EARLY),
            ("board", BOARD, EARLY + 24 * H),
        ],
        id="early-morning-deadline-reminds-the-working-day-before",
    ),
    pytest.param(
        Deadline.CLIENT_INFORMED,
        None,
        None,
        make_config(roles={"coordinator": ["shell:coord"]}),
        EVENING,
        [("reminder", COORD, EVENING - 4 * H), ("escalation", COORD, EVENING)],
        id="urgent-reminds-day-and-night",
    ),
]


# Sent day and night, written out here apart from the procedure table.
URGENT = {
    Deadline.CLIENT_INFORMED,
    Deadline.IGJ,
    Deadline.IGJ_DOUBT,
    Deadline.ARBEIDSINSPECTIE,
}


@pytest.mark.parametrize(("kind", "team", "owner", "config", "due", "expected"), PLANS)
def test_plan(kind, team, owner, config, due, expected) -> None:
    planned = plan(Due(kind, due), team, config, NOW, owner)
    assert [(p.stage, p.recipient, p.send_at) for p in planned] == expected
    assert {(p.kind, p.due_at, p.urgent) for p in planned} == {(kind, due, kind in URGENT)}
    urgent = plan(Due(kind, due, urgent=True), team, config, NOW, owner)  # this report's
    assert all(p.urgent for p in urgent)
