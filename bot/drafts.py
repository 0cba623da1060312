"""Drafts of the notifications the organisation makes to the authorities: the IGJ calamity
notification (Wkkgz art. 11, within ``igj_working_days`` working days of establishing it)
and the Arbeidsinspectie report of a serious work accident (Arbowet art. 9, "direct").

Pure: a report (and its improvement actions) in, the fields the authority's form asks out,
prefilled. A draft is only ever a draft: the organisation checks it and submits it through
the authority's own portal; the bot never sends it anywhere. It carries no reporter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.config import Config
from bot.domain.workdays import add_working_days
from bot.i18n import Translator
from bot.terms import worded_terms
from storage.models import ImprovementAction, Report

DraftKind = Literal["igj", "arbeidsinspectie"]
DRAFT_KINDS: tuple[DraftKind, ...] = ("igj", "arbeidsinspectie")

# The fields of each form, in the form's order (the keys of draft.<kind>.<field>).
IGJ_FIELDS = (
    "organisation",
    "kvk",
    "reference",
    "occurred",
    "discovered",
    "established",
    "deadline",
    "what_happened",
    "consequences",
    "measures",
    "client_informed",
)
ARBEIDSINSPECTIE_FIELDS = (
    "organisation",
    "kvk",
    "reference",
    "occurred",
    "location",
    "what_happened",
    "injury",
    "first_aid",
    "measures",
    "deadline",
    "victim",
)


@dataclass(frozen=True, slots=True)
class DraftField:
    key: str
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Draft:
    kind: DraftKind
    reference: str
    title: str
    notice: str  # "a draft: check it and submit it through the portal; not sent"
    fields: tuple[DraftField, ...]

    def value(self, key: str) -> str:
        return next(f.value for f in self.fields if f.key == key)

    def text(self) -> str:
        lines = [self.title, self.notice, ""]
        lines += [f"{f.label}: {f.value}" for f in self.fields]
        return "\n".join(lines)


def _local(moment: datetime, config: Config) -> datetime:
    return moment.astimezone(config.organisation.tz)


def _occurred(report: Report, config: Config, t: Translator) -> str:
    if report.occurred_at is not None:
        return f"{t.day(report.occurred_on)} {_local(report.occurred_at, config):%H:%M}"
    return t.day(report.occurred_on)


def _kvk(config: Config, t: Translator) -> str:
    return config.organisation.vestigingsnummer or t("draft.kvk_missing")


def _text(value: str | None, t: Translator) -> str:
    return value.strip() if value and value.strip() else t("draft.unknown")


def _measures(report: Report, actions: Sequence[ImprovementAction], t: Translator) -> str:
    parts = []
    if report.measures and report.measures.strip():
        parts.append(t("draft.measures_right_away", text=report.measures.strip()))
    parts += [
        t("draft.measures_action", description=a.description, deadline=t.day(a.deadline))
        for a in actions
        if a.status != "not_doing"
    ]
    return "; ".join(parts) if parts else t("draft.measures_none")


def _draft(kind: DraftKind, report: Report, values: dict[str, str], t: Translator) -> Draft:
    order = IGJ_FIELDS if kind == "igj" else ARBEIDSINSPECTIE_FIELDS
    return Draft(
        kind=kind,
        reference=report.reference,
        title=t(f"draft.{kind}.title", reference=report.reference),
        notice=t(f"draft.{kind}.notice"),
        fields=tuple(DraftField(k, t(f"draft.{kind}.{k}"), values[k]) for k in order),
    )


def igj_deadline(established_on: date, config: Config) -> date:
    """The last day to notify the IGJ: ``igj_working_days`` working days after the day the
    calamity was established (counted from the end of that day's office hours at the latest)."""
    start = datetime.combine(established_on, time(12), tzinfo=config.organisation.tz)
    due = add_working_days(start, config.policy.igj_working_days, config.organisation.tz)
    return _local(due, config).date()


def igj_draft(
    report: Report, actions: Sequence[ImprovementAction], config: Config, t: Translator
) -> Draft:
    """The IGJ calamity notification, prefilled from the report."""
    terms = worded_terms(config, t)
    discovered = report.discovered_at or report.created_at
    if report.established_on is not None:
        established = t.day(report.established_on)
        deadline = t(
            "draft.igj.deadline_value",
            day=t.day(igj_deadline(report.established_on, config)),
            **terms,
        )
    else:
        established = t("draft.igj.not_established")
        deadline = t("draft.igj.deadline_pending", **terms)
    affected = t.join([t(f"affected.{a}") for a in report.affected]) if report.affected else ""
    consequences = t("draft.igj.consequences_value", harm=t(f"harm.{report.harm}"))
    if affected:
        consequences += f" ({affected})"
    informed = (
        t("draft.igj.informed_on", day=t.day(_local(report.client_informed_at, config).date()))
        if report.client_informed_at is not None
        else t("draft.igj.not_informed")
    )
    values = {
        "organisation": config.organisation.name,
        "kvk": _kvk(config, t),
        "reference": report.reference,
        "occurred": _occurred(report, config, t),
        "discovered": t.day(_local(discovered, config).date()),
        "established": established,
        "deadline": deadline,
        "what_happened": _text(report.description, t),
        "consequences": consequences,
        "measures": _measures(report, actions, t),
        "client_informed": informed,
    }
    return _draft("igj", report, values, t)


def arbeidsinspectie_draft(
    report: Report, actions: Sequence[ImprovementAction], config: Config, t: Translator
) -> Draft:
    """The Arbeidsinspectie report of a serious work accident, prefilled from the report."""
    team = next((tm.name for tm in config.teams if tm.id == report.team_id), None)
    due = report.created_at + timedelta(hours=config.policy.arbeidsinspectie_hours)
    local_due = _local(due, config)
    values = {
        "organisation": config.organisation.name,
        "kvk": _kvk(config, t),
        "reference": report.reference,
        "occurred": _occurred(report, config, t),
        "location": team or t("draft.unknown"),
        "what_happened": _text(report.description, t),
        "injury": t(f"harm.{report.harm}"),
        "first_aid": t(f"first_aid.{report.first_aid}") if report.first_aid else t("draft.unknown"),
        "measures": _measures(report, actions, t),
        "deadline": t(
            "draft.arbeidsinspectie.deadline_value",
            day=t.day(local_due.date()),
            time=f"{local_due:%H:%M}",
        ),
        "victim": t("draft.arbeidsinspectie.victim_value"),
    }
    return _draft("arbeidsinspectie", report, values, t)


def draft_of(
    kind: DraftKind,
    report: Report,
    actions: Sequence[ImprovementAction],
    config: Config,
    t: Translator,
) -> Draft:
    build = igj_draft if kind == "igj" else arbeidsinspectie_draft
    return build(report, actions, config, t)
