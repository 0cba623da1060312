"""The corpus of typed answers (answers.yaml) read by the real report flow, one turn each.

Every answer is typed at its question; the reading is what the flow stored (or, for a
multi-choice, ticked; for the summary, what it did). Counted:

- understood: read as expected;
- asked back: nothing stored, the question (or a narrower one) asked again;
- misread: something stored that the person did not mean — must never happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.events import Inbound, InboundKind
from bot.flows.engine import Completed, Context, Kind, turn
from bot.flows.report import REPORT_FLOW
from bot.flows.state import FlowState, Mode
from bot.i18n import Translator
from tests.corpus import SUMMARY
from tests.helpers import AMS

CORPUS = Path(__file__).with_name("answers.yaml")
ASK = "ASK"


@dataclass(frozen=True)
class Case:
    step: str
    text: str
    expected: str


def load_corpus() -> tuple[datetime, list[tuple[str, str]], list[Case]]:
    data = yaml.load(CORPUS.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    now = datetime.fromisoformat(data["now"]).replace(tzinfo=AMS)
    teams = [(team_id, name) for team_id, name in data["teams"]]
    cases = [
        Case(step, text, expected)
        for step, entries in data["answers"].items()
        for text, expected in entries
    ]
    return now, teams, cases


def _shown(value: Any) -> str:
    if isinstance(value, dict):  # a stored When
        return f"{value['date']} {value['time']}" if value.get("time") else str(value["date"])
    if isinstance(value, list):
        return "+".join(sorted(value))  # ticked in the options' order: compared as a set
    return "_skip" if value is None else str(value)


def reading(case: Case, ctx: Context) -> str | None:
    """What the flow made of the typed answer; None when it asked back."""
    step = REPORT_FLOW.step(case.step)
    multi = step.kind is Kind.MULTI
    state = FlowState(
        "report", step=case.step, history=[case.step], seq=1, selection=[] if multi else None
    )
    event = Inbound("corpus", "c", "c", InboundKind.TEXT, text=case.text)
    result = turn(REPORT_FLOW, state, event, ctx)
    if step.kind is Kind.REVIEW:
        done = [e for e in result.effects if isinstance(e, Completed)]
        if done:
            return "send_anonymous" if done[0].anonymous else "send"
        assert result.state is not None
        return {Mode.CHANGE_PICK: "change", Mode.CONFIRM_CANCEL: "cancel"}.get(
            result.state.mode  # type: ignore[arg-type]
        )
    assert result.state is not None
    if multi:
        if result.state.step != case.step:
            return _shown(result.state.answers.get(case.step))
        return _shown(result.state.selection) if result.state.selection else None
    if case.step not in result.state.answers:
        return None
    return _shown(result.state.answers[case.step])


def _expected(case: Case, now: datetime) -> str:
    if case.expected == "now":  # the "Net" button: this very minute
        return now.strftime("%Y-%m-%d %H:%M")
    return "+".join(sorted(case.expected.split("+")))


def test_corpus_is_understood_and_never_misread() -> None:
    now, teams, cases = load_corpus()
    ctx = Context(Translator("nl"), now, data={"teams": teams})
    understood, asked, misread, missed = 0, 0, [], []
    for case in cases:
        got, expected = reading(case, ctx), _expected(case, now)
        if got is None:
            asked += 1
            if expected != ASK:
                missed.append(f"{case.step}: {case.text!r} asked back, meant {expected}")
        elif got == expected:
            understood += 1
        else:
            misread.append(f"{case.step}: {case.text!r} read as {got}, meant {expected}")
    readable = sum(1 for case in cases if case.expected != ASK)
    figures = (
        f"corpus: {len(cases)} answers, {readable} with a reading: understood {understood} "
        f"({understood / readable:.1%}), asked back {asked} "
        f"({asked - len(missed)} as expected, {len(missed)} that had a reading), "
        f"misread {len(misread)}"
    )
    print("\n" + figures)
    SUMMARY.append(figures)
    for line in missed + misread:
        print("  " + line)
    assert not misread, misread
    assert understood >= 0.95 * readable, missed
