"""Planning nudges: who is reminded before a deadline, and to whom it escalates (pure).

Each open deadline becomes rows: a reminder to the responsible people some hours before it
(on working time, and never after the deadline: outside working hours it moves earlier), an
escalation to the coordinator when it passes, and one to the board a while later (outside
working hours these wait for the morning: the sweep holds them; urgent ones go at once). The
responsible people per deadline come from the procedure table (``bot/casework/procedure.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.casework import procedure
from bot.config import Config
from bot.domain.lifecycle import Deadline, Due
from bot.domain.workdays import reminder_time
from storage.models import Nudge


@dataclass(frozen=True, slots=True)
class PlannedNudge:
    kind: Deadline
    stage: str  # reminder, escalation, board
    recipient: str
    due_at: datetime
    send_at: datetime
    urgent: bool


def responsible(
    kind: Deadline, team_id: str | None, config: Config, owner: str | None = None
) -> list[str]:
    """Who must act before this deadline: the first group of the procedure table's rule that
    has anyone in it."""
    team = config.team(team_id)
    roles = config.roles
    people = {
        "leaders": list(team.leaders) if team else [],
        "coordinator": list(roles.coordinator),
        "board": list(roles.board),
        "hr": list(roles.hr),
        "owner": [owner] if owner else [],
    }
    for group in procedure.DEADLINES[kind].responsible:
        found = [address for name in group for address in people[name]]
        if found:
            return list(dict.fromkeys(found))
    return []


def plan(
    due: Due, team_id: str | None, config: Config, now: datetime, owner: str | None = None
) -> list[PlannedNudge]:
    """The reminder and escalation rows for one deadline."""
    policy = config.policy
    urgent = procedure.DEADLINES[due.kind].urgent or due.urgent
    first = responsible(due.kind, team_id, config, owner)
    before = timedelta(hours=policy.remind_hours_before)
    if urgent:  # day and night
        remind_at = max(now, due.at - before)
    else:  # on working time, and before the deadline (earlier rather than after it)
        tz = config.organisation.tz
        remind_at = reminder_time(due.at, before, now, tz, policy.working_start, policy.working_end)
    stages: list[tuple[str, list[str], datetime]] = [("reminder", first, remind_at)]
    coordinator = [a for a in config.roles.coordinator if a not in first]
    board = [a for a in config.roles.board if a not in first]
    stages.append(("escalation", coordinator or first, due.at))
    later = due.at + timedelta(hours=policy.escalate_to_board_after_hours)
    if board:
        stages.append(("board", board, later))
    return [
        PlannedNudge(due.kind, stage, recipient, due.at, send_at, urgent)
        for stage, recipients, send_at in stages
        for recipient in dict.fromkeys(recipients)
    ]


def nudge_rows(
    planned: Iterable[PlannedNudge], report_id: int | None = None, action_id: int | None = None
) -> list[Nudge]:
    """The planned nudges as rows of a report's (or an action's) deadlines."""
    return [
        Nudge(
            report_id=report_id,
            action_id=action_id,
            kind=p.kind.value,
            stage=p.stage,
            recipient=p.recipient,
            due_at=p.due_at,
            send_at=p.send_at,
            urgent=p.urgent,
        )
        for p in planned
    ]
