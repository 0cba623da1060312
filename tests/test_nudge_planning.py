"""Nudge planning as tables: who is responsible for each deadline, and which reminder and
escalations each deadline becomes (bot/nudges.py, pure)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.config import Config
from bot.domain.lifecycle import URGENT, Deadline, Due
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


Stages = list[tuple[str, str, datetime]]


def _stages(reminded: str, escalated: str) -> Stages:
    """The usual three: a reminder before the deadline, the escalation at it, the board after."""
    return [("reminder", reminded, REMIND), ("escalation", escalated, AT), ("board", BOARD, LATER)]


def _plan(
    kind: Deadline,
    expected: Stages,
    id: str,
    team: str | None = "noord",
    owner: str | None = None,
    config: Config = CONFIG,
    due: datetime = DUE,
) -> Any:
    """A row of PLANS: team Noord, no owner, the usual configuration, due in two days, unless
    the row says otherwise."""
    return pytest.param(kind, team, owner, config, due, expected, id=id)


# (deadline, team, owner, configuration, due) → [(stage, recipient, send at)]
PLANS = [
    _plan(Deadline.CONTACT, _stages(LEAD, COORD), "leader-then-coordinator-then-board"),
    _plan(
        Deadline.TRIAGE,
        _stages(COORD, COORD),
        "no-team-the-coordinator-escalates-to-themself",
        team=None,
    ),
    _plan(Deadline.EXPLORATION, _stages(COORD, COORD), "exploration-is-the-coordinators"),
    _plan(
        Deadline.CLIENT_INFORMED,
        [
            ("reminder", BOARD, REMIND),
            ("reminder", COORD, REMIND),
            ("escalation", BOARD, AT),
            ("escalation", COORD, AT),
        ],
        "urgent-board-and-coordinator-no-separate-board-stage",
    ),
    _plan(Deadline.ACTION, _stages(OWNER, COORD), "action-owner", owner=OWNER),
    _plan(
        Deadline.CONTACT,
        _stages(LEAD, LEAD),
        "no-coordinator-escalates-to-the-responsible",
        config=NO_COORDINATOR,
    ),
    _plan(
        Deadline.CONTACT,
        [("reminder", LEAD, NOW), ("escalation", COORD, NOW + H), ("board", BOARD, NOW + 25 * H)],
        "due-within-the-reminder-window-reminds-now",
        due=NOW + H,
    ),
]


@pytest.mark.parametrize(("kind", "team", "owner", "config", "due", "expected"), PLANS)
def test_plan(kind, team, owner, config, due, expected) -> None:
    planned = plan(Due(kind, due), team, config, NOW, owner)
    assert [(p.stage, p.recipient, p.send_at) for p in planned] == expected
    assert {(p.kind, p.due_at, p.urgent) for p in planned} == {(kind, due, kind in URGENT)}
