"""The weekly review's conclusions (issue 15): under each weekly review a button
"Conclusies vastleggen" lets a leader of the team write down what the team concluded; the
next weekly review shows it at its top. Stored per team and week (``weekly_conclusions``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from typing_extensions import TypedDict

from bot.config import Config
from bot.events import Option, Outbound
from bot.flows import engine
from bot.flows.engine import Action, Choice, Flow, Kind, Step
from bot.i18n import Translator
from bot.outcome import Outcome
from bot.turn import Turn

PREFIX = "week:"  # the weekly review's token: week:<team id>/<week key>
BUTTON = "conclusions"
MAX_LENGTH = 1000


class ConclusionsMeta(TypedDict):
    team: str
    week: str  # 2026-W47


CONCLUSIONS_FLOW = Flow(
    "conclusions",
    (
        Step("text", Kind.TEXT, "conclusions.prompt", field="field.conclusions", max_length=1000),
        Step(
            "review",
            Kind.REVIEW,
            "case.review",
            (
                Choice("confirm", "case.confirm", Action.COMPLETE, aliases=("ja", "ok", "opslaan")),
                Choice("change", "summary.change", Action.CHANGE),
                Choice("cancel", "summary.cancel", Action.CANCEL),
            ),
        ),
    ),
    completes="conclusions",
    meta_type=ConclusionsMeta,
)


def token(team_id: str, week: str) -> str:
    return f"{PREFIX}{team_id}/{week}"


def is_token(value: str | None) -> bool:
    return bool(value) and str(value).startswith(PREFIX)


def button(t: Translator) -> tuple[Option, ...]:
    """The button under a weekly review."""
    return (Option(BUTTON, t("digest.button.conclusions")),)


def week_number(week: str) -> str:
    return week.split("-W")[-1]


class Conclusions:
    def __init__(self, config: Config) -> None:
        self.config = config

    def _may(self, address: str, team_id: str) -> bool:
        """Only a leader of the team records its conclusions."""
        team = self.config.team(team_id)
        return team is not None and address in team.leaders

    async def on_button(self, turn: Turn) -> Outcome:
        t = turn.ctx.t
        team_id, _, week = str(turn.event.token).removeprefix(PREFIX).partition("/")
        if turn.choice != BUTTON or not self._may(turn.event.address, team_id) or not week:
            return Outcome([Outbound(t("conclusions.not_allowed"))])
        if turn.state is not None:
            return Outcome([Outbound(t("case.busy"))])
        meta: dict[str, Any] = {"team": team_id, "week": week}
        intro = Outbound(t("conclusions.start", week=week_number(week)))
        started = engine.start(CONCLUSIONS_FLOW, turn.ctx, meta)
        return Outcome([intro, *started.replies], state=started.state)

    async def complete(self, turn: Turn, meta: Mapping[str, Any], text: str) -> Outcome:
        """Confirmed: check again that the person leads the team, store (replacing an earlier
        recording of the same week) and audit who recorded it."""
        t = turn.ctx.t
        team_id, week = str(meta["team"]), str(meta["week"])
        if not self._may(turn.event.address, team_id):
            return Outcome([Outbound(t("conclusions.not_allowed"))])
        await turn.store.save_conclusion(team_id, week, text.strip(), turn.now)
        detail = {"team": team_id, "week": week}
        await turn.store.add_audit(
            turn.now, turn.event.address, "conclusions", None, turn.event.platform, detail
        )
        return Outcome([Outbound(t("conclusions.saved", week=week_number(week)))])
