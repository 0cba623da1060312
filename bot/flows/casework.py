"""The conversations of the people who handle reports, declared as data like the report flow.

Each ends in a review (confirm / change / cancel). What the flow needs to know about the
report travels in the state's ``meta`` (reference, options for owners, risk hints), so a
turn stays a pure function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.dates import DateError, parse_day
from bot.domain.lifecycle import (
    CAUSE_CLASSES,
    CONSEQUENCES,
    FREQUENCIES,
    Triage,
    risk_score,
    suggests_investigation,
)
from bot.flows.engine import Action, Choice, Flow, Invalid, Kind, Step, View
from bot.flows.state import ActionMeta, AnalysisMeta, CaseMeta, DropActionMeta, TriageMeta

LESSON_MAX = 500
FEEDBACK_MAX = 2000


def _choices(prefix: str, values: Sequence[str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, f"{prefix}.{value}") for value in values)


def _review(prompt: str) -> Step:
    return Step(
        "review",
        Kind.REVIEW,
        prompt,
        (
            Choice("confirm", "case.confirm", Action.COMPLETE, aliases=("ja", "ok", "opslaan")),
            Choice("change", "summary.change", Action.CHANGE),
            Choice("cancel", "summary.cancel", Action.CANCEL),
        ),
    )


def _day(future: bool) -> Any:
    def read(text: str, view: View) -> str:
        try:
            return parse_day(text, view.ctx.now_local.date(), future).isoformat()
        except DateError as problem:
            raise Invalid(problem.key) from problem

    return read


def _today(value: str, view: View) -> str:
    return view.ctx.now_local.date().isoformat()


def _show_day(value: Any, view: View) -> str:
    from datetime import date

    return view.ctx.t.day(date.fromisoformat(str(value)))


# ---- triage ---------------------------------------------------------------------------------


def _score_line(value: Any, view: View) -> str:
    t = view.ctx.t
    frequency = view.answers.get("frequency")
    label = t(f"risk.{value}")
    if frequency not in FREQUENCIES or value not in CONSEQUENCES:
        return label
    score = risk_score(str(frequency), str(value))
    line = f"{label}\n{t('case.risk_score', score=score)}"
    suggest = suggests_investigation(
        score,
        bool(view.meta.get("near_miss")),
        str(value),
        int(view.meta.get("same_category_this_month", 0)),
        int(view.meta.get("category_threshold", 5)),
    )
    if suggest and view.answers.get("outcome") == Triage.INTERNAL:
        line += "\n" + t("case.suggest_investigation")
    return line


TRIAGE_FLOW = Flow(
    "triage",
    completes="case",
    meta_type=TriageMeta,
    steps=(
        Step(
            "outcome",
            Kind.CHOICE,
            "case.triage.prompt",
            _choices("triage", list(Triage)),
            field="field.triage",
        ),
        Step(
            "reason",
            Kind.TEXT,
            "case.triage.reason",
            field="field.reason",
            when=lambda v: v.answers.get("outcome") == Triage.NOT_VIM,
            max_length=500,
        ),
        Step(
            "frequency",
            Kind.CHOICE,
            "case.risk.frequency",
            _choices("risk", FREQUENCIES),
            field="field.frequency",
            when=lambda v: v.answers.get("outcome") != Triage.NOT_VIM,
        ),
        Step(
            "consequence",
            Kind.CHOICE,
            "case.risk.consequence",
            _choices("risk", CONSEQUENCES),
            field="field.consequence",
            show=_score_line,
            when=lambda v: v.answers.get("outcome") != Triage.NOT_VIM,
        ),
        _review("case.review"),
    ),
)

# ---- analysis: 5× waarom, cause classes -------------------------------------------------------


def _why(number: int) -> Step:
    previous = f"why{number - 1}"
    return Step(
        f"why{number}",
        Kind.TEXT,
        "case.why.first" if number == 1 else "case.why.next",
        field=f"field.why{number}",
        skippable=True,
        max_length=500,
        when=None if number == 1 else (lambda v, p=previous: bool(v.answers.get(p))),  # type: ignore[misc]
    )


# The analysis as §6.6 describes it, for an investigation or a possible calamity (each
# optional): the direct and the underlying causes, a timeline, who took part.
ANALYSIS_PARTS = ("direct_cause", "underlying_cause", "timeline", "participants")


def _part(name: str) -> Step:
    return Step(
        name,
        Kind.TEXT,
        f"case.analysis.{name}",
        field=f"field.{name}",
        skippable=True,
        max_length=1000,
        when=lambda v: bool(v.meta.get("investigation")),
    )


ANALYSIS_FLOW = Flow(
    "analysis",
    completes="case",
    meta_type=AnalysisMeta,
    steps=(
        *(_why(n) for n in range(1, 6)),
        Step(
            "causes",
            Kind.MULTI,
            "case.causes",
            _choices("cause", CAUSE_CLASSES),
            field="field.causes",
        ),
        *(_part(name) for name in ANALYSIS_PARTS),
        _review("case.review"),
    ),
)

# ---- improvement action ---------------------------------------------------------------------


ACTION_KINDS = ("immediate", "structural")


def _owners(view: View) -> Sequence[Choice]:
    owners: Sequence[Sequence[str]] = view.meta.get("owners", ())
    return tuple(Choice(address, label, literal=True) for address, label in owners)


ACTION_FLOW = Flow(
    "action",
    completes="case",
    meta_type=ActionMeta,
    steps=(
        Step(
            "description",
            Kind.TEXT,
            "case.action.description",
            field="field.action",
            max_length=500,
        ),
        Step(  # §6.7: an immediate measure, or a structural one for the register
            "kind",
            Kind.CHOICE,
            "case.action.kind",
            _choices("action_kind", ACTION_KINDS),
            field="field.action_kind",
            skippable=True,
        ),
        Step("owner", Kind.CHOICE, "case.action.owner", _owners, field="field.owner"),
        Step(
            "deadline",
            Kind.DATE,
            "case.action.deadline",
            field="field.deadline",
            parse=_day(future=True),
            show=_show_day,
            max_length=100,
        ),
        _review("case.review"),
    ),
)

# ---- feedback to the reporter ---------------------------------------------------------------

FEEDBACK_FLOW = Flow(
    "feedback",
    completes="case",
    meta_type=CaseMeta,
    steps=(
        Step(
            "text", Kind.TEXT, "case.feedback.text", field="field.feedback", max_length=FEEDBACK_MAX
        ),
        Step(
            "lesson",
            Kind.TEXT,
            "case.feedback.lesson",
            field="field.lesson",
            skippable=True,
            max_length=LESSON_MAX,
        ),
        _review("case.review"),
    ),
)

# ---- calamity: established, reported to the IGJ; dropping an action --------------------------

_TODAY = (Choice("today", "case.today", aliases=("vandaag", "today")),)


def _on_a_day(name: str) -> Flow:
    """One question — on which day (today, or a date typed) — and a review."""
    date = Step(
        "date",
        Kind.CHOICE,
        f"case.{name}.date",
        _TODAY,
        field=f"field.{name}",
        parse=_day(future=False),
        convert=_today,
        show=_show_day,
        max_length=100,
    )
    return Flow(name, (date, _review("case.review")), completes="case", meta_type=CaseMeta)


ESTABLISHED_FLOW = _on_a_day("established")
IGJ_FLOW = _on_a_day("igj")
ARBEIDSINSPECTIE_FLOW = _on_a_day("arbeidsinspectie")


def _one_text(name: str, step: str, prompt: str, field: str, max_length: int, meta: type) -> Flow:
    """One typed text — a reason, a question, a message — and a review."""
    text = Step(step, Kind.TEXT, prompt, field=field, max_length=max_length)
    return Flow(name, (text, _review("case.review")), completes="case", meta_type=meta)


DROP_ACTION_FLOW = _one_text(
    "drop_action", "reason", "case.action.drop_reason", "field.reason", 500, DropActionMeta
)
QUESTION_FLOW = _one_text(
    "question", "text", "case.question.text", "field.question", 1000, CaseMeta
)
CLOSE_REASON_FLOW = _one_text(
    "close_reason", "reason", "case.close_reason.text", "field.reason", 500, CaseMeta
)
# The confidential adviser writes to the reporter (who may be anonymous: read with the code).
ADVISER_FLOW = _one_text(
    "adviser_message", "text", "case.adviser.text", "field.message", 1000, CaseMeta
)
# A progress report under stricter follow-up (§14).
PROGRESS_REPORT_FLOW = _one_text(
    "progress_report", "text", "case.progress_report.text", "field.progress_report", 1000, CaseMeta
)

# ---- what was done after the report: aftercare for the reporter ------------------------------

AFTERCARE = ("offered", "given", "declined")

AFTERCARE_FLOW = Flow(
    "aftercare",
    (
        Step(
            "outcome",
            Kind.CHOICE,
            "case.aftercare.prompt",
            _choices("aftercare", AFTERCARE),
            field="field.aftercare",
        ),
        _review("case.review"),
    ),
    completes="case",
    meta_type=CaseMeta,
)

# ---- a retention hold: on which ground, and why -------------------------------------------

HOLD_GROUNDS = ("investigation", "complaint", "inspection")

RETENTION_HOLD_FLOW = Flow(
    "retention_hold",
    (
        Step(
            "ground",
            Kind.CHOICE,
            "case.retention_hold.ground",
            _choices("hold", HOLD_GROUNDS),
            field="field.hold_ground",
        ),
        Step(
            "reason", Kind.TEXT, "case.retention_hold.reason", field="field.reason", max_length=500
        ),
        _review("case.review"),
    ),
    completes="case",
    meta_type=CaseMeta,
)

CASE_FLOWS: Mapping[str, Flow] = {
    flow.name: flow
    for flow in (
        TRIAGE_FLOW,
        ANALYSIS_FLOW,
        ACTION_FLOW,
        FEEDBACK_FLOW,
        ESTABLISHED_FLOW,
        IGJ_FLOW,
        ARBEIDSINSPECTIE_FLOW,
        CLOSE_REASON_FLOW,
        DROP_ACTION_FLOW,
        QUESTION_FLOW,
        ADVISER_FLOW,
        AFTERCARE_FLOW,
        RETENTION_HOLD_FLOW,
        PROGRESS_REPORT_FLOW,
    )
}
