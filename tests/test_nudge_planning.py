"""Nudge planning as tables: who is responsible for each deadline, and which reminder and
escalations each deadline becomes (bot/nudges.py, pure)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.lifecycle import Deadline, Due
from bot.nudges import plan, responsible
from tests.helpers import NOW, make_config

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
]


def test_every_deadline_has_its_responsible_rows() -> None:
    assert {row[0] for row in RESPONSIBLE} == set(Deadline)


@pytest.mark.parametrize(("kind", "team", "owner", "config", "expected"), RESPONSIBLE)
def test_responsible(kind, team, owner, config, expected) -> None:
    assert responsible(kind, team, config, owner) == expected


DUE = NOW + timedelta(days=2)
H = timedelta(hours=1)
REMIND, AT, LATER = DUE - 4 * H, DUE, DUE + 24 * H  # the policy's defaults: 4 h, 24 h

# (deadline, team, owner, configuration, due) → [(stage, recipient, send at)]
PLANS = [
    pytest.param(
        Deadline.CONTACT,
        "noord",
        None,
        CONFIG,
        DUE,
        [("reminder", LEAD, REMIND), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="leader-then-coordinator-then-board",
    ),
    pytest.param(
        Deadline.TRIAGE,
        None,
        None,
        CONFIG,
        DUE,
        [("reminder", COORD, REMIND), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="no-team-the-coordinator-escalates-to-themself",
    ),
    pytest.param(
        Deadline.EXPLORATION,
        "noord",
        None,
        CONFIG,
        DUE,
        [("reminder", COORD, REMIND), ("escalation", COORD, AT), ("board", BOARD, LATER)],
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
        [("reminder", OWNER, REMIND), ("escalation", COORD, AT), ("board", BOARD, LATER)],
        id="action-owner",
    ),
    pytest.param(
        Deadline.CONTACT,
        "noord",
        None,
        NO_COORDINATOR,
        DUE,
        [("reminder", LEAD, REMIND), ("escalation", LEAD, AT), ("board", BOARD, LATER)],
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
