"""The organisation's figures for a period (year, half year, quarter): one engine for the
annual report, the quarterly and half-yearly reports and their formats. Pure: reports in,
figures out; no names, no reporters, no report texts except the "anders" words.

What is counted (at least seeds/003): the number of reports; every category (a report may
carry several); what was written under "anders"; the previous period; what was done after
reports (contact within the policy's term, triage, analysis, feedback; aftercare, talks
with clients, police reports, care ended, the client informed, as the procedure records
them); improvement actions
with their state and effectiveness; calamities and IGJ reports with their dates; MIC/MIM;
harm; per team; per month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config, Policy
from bot.digests import Period, _shift_months
from bot.domain.lifecycle import Status, contact_is_urgent, contactable
from bot.domain.taxonomy import CATEGORY_CODES, HARM_LEVELS, OTHER
from bot.domain.text import fold
from bot.domain.workdays import add_working_days
from bot.i18n import Translator
from storage.models import ImprovementAction, Report

# The order of an annual report's table (seeds/003), then the policy's examples, "anders" last.
ANNUAL_ORDER: tuple[str, ...] = (
    "near_accident",
    "verbal_aggression",
    "nonverbal_aggression",
    "physical_aggression",
    "transgressive_behaviour",
    "accident",
    "threat",
    "suicide_attempt",
    "medication_dispensing",
)
CATEGORY_ORDER: tuple[str, ...] = (
    *ANNUAL_ORDER,
    *(c for c in CATEGORY_CODES if c not in ANNUAL_ORDER and c != OTHER),
    OTHER,
)
ACTION_STATES = ("open", "done", "not_doing")
EFFECTIVENESS = ("effective", "partly", "not")
# The CSV contract's header (DESIGN.md section 3); other tools read it.
CSV_HEADER = ("section", "code", "label", "count")


# What the procedure records after a report, counted one by one (besides aftercare).
AFTER_REPORT_STEPS = ("client_talk", "police_report", "care_ended", "client_informed")


@dataclass(frozen=True, slots=True)
class Calamity:
    reference: str
    established_on: date | None
    client_informed_on: date | None
    igj_reported_on: date | None


@dataclass(frozen=True, slots=True)
class ActionLine:
    description: str
    owner: str
    deadline: date
    status: str
    effectiveness: str | None


@dataclass(slots=True)
class Figures:
    kind: str  # yearly, half, quarterly
    key: str  # 2024, 2026-H1, 2026-Q3
    start: date
    last_day: date
    organisation: str
    introduction: str
    team: str | None
    reports: int
    categories: dict[str, int]  # every category, in CATEGORY_ORDER
    other: list[tuple[str, int]]  # what was written under "anders", as typed, trimmed
    previous_key: str
    previous: dict[str, int] | None  # "reports" and each category; None: no data then
    report_types: dict[str, int]  # MIC, MIM (a report of both counts in both)
    harm: dict[str, int]
    teams: list[tuple[str, str, int]]  # id, name, count
    months: list[tuple[str, int]]  # 2024-01, count
    follow_up: dict[str, int]
    after_report: dict[str, int]  # what was done after reports (seeds/003 §3)
    in_time: dict[str, tuple[int, int]]  # contact, triage, analysis: (in time, applicable)
    calamities: list[Calamity]
    arbeidsinspectie: list[tuple[str, date]]
    actions: dict[str, int]
    effectiveness: dict[str, int]
    action_lines: list[ActionLine] = field(default_factory=list)
    previous_months: list[tuple[str, int]] = field(default_factory=list)  # the period before
    contact_times: dict[str, int] = field(default_factory=dict)  # CONTACT_BUCKETS: count

    @property
    def ticks(self) -> int:
        return sum(self.categories.values())


def _local_day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return moment.astimezone(tz).date() if moment is not None else None


def contact_due(report: Report, policy: Policy, tz: ZoneInfo) -> datetime:
    """When first contact with the reporter was due: within the urgent term in hours (day
    and night) for an urgent report, else within the term in working days."""
    if contact_is_urgent(report):
        return report.created_at + timedelta(hours=policy.contact_urgent_hours)
    return add_working_days(report.created_at, policy.contact_working_days, tz)


def _contact_in_time(report: Report, policy: Policy, tz: ZoneInfo) -> bool:
    due = contact_due(report, policy, tz)
    return report.contacted_at is not None and report.contacted_at <= due


def _recorded(report: Report, step: str) -> list[str]:
    """The values recorded for an after-report step, in order."""
    return [str(r.get("value")) for r in report.after_report or () if r.get("step") == step]


def _in_time(reports: Sequence[Report], policy: Policy, tz: ZoneInfo) -> dict[str, tuple[int, int]]:
    """Per step, (done within the policy's term, reports it applies to): first contact (the
    reporters who can and want to be contacted), triage and analysis (every VIM report)."""
    vim = [r for r in reports if r.status != Status.NOT_VIM]
    expected = [r for r in vim if contactable(r)]
    triage = timedelta(hours=policy.triage_hours)
    analysis = timedelta(days=policy.analysis_days)
    return {
        "contact": (sum(1 for r in expected if _contact_in_time(r, policy, tz)), len(expected)),
        "triage": (
            sum(
                1 for r in vim if r.triaged_at is not None and r.triaged_at <= r.created_at + triage
            ),
            len(vim),
        ),
        "analysis": (
            sum(
                1
                for r in vim
                if r.analysed_at is not None and r.analysed_at <= r.created_at + analysis
            ),
            len(vim),
        ),
    }


def _after_report(reports: Sequence[Report], policy: Policy, tz: ZoneInfo) -> dict[str, int]:
    """What was done after the reports, as far as the procedure records it: first contact
    within the term (of the reporters who can and want to be contacted), aftercare for the
    reporter (offered at all; given or declined in the end), a conversation with the client,
    a police report, care ended, the client informed (each counted once per report)."""
    expected = [r for r in reports if r.status != Status.NOT_VIM and contactable(r)]
    in_time = sum(1 for r in expected if _contact_in_time(r, policy, tz))
    aftercare = [values for r in reports if (values := _recorded(r, "aftercare"))]
    return {
        "contact_expected": len(expected),
        "contact_in_time": in_time,
        "contact_in_time_percent": round(100 * in_time / len(expected)) if expected else 0,
        "aftercare_offered": len(aftercare),
        "aftercare_given": sum(1 for values in aftercare if values[-1] == "given"),
        "aftercare_declined": sum(1 for values in aftercare if values[-1] == "declined"),
        **{
            step: sum(1 for r in reports if _recorded(r, step))
            for step in ("client_talk", "police_report", "care_ended")
        },
        "client_informed": sum(1 for r in reports if r.client_informed_at is not None),
    }


def _other_texts(reports: Sequence[Report]) -> list[tuple[str, int]]:
    """Distinct "anders" texts (the same words in any case or accents are one), as first
    typed, trimmed; the most frequent first, then in order of appearance."""
    shown: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for report in reports:
        text = (report.category_other or "").strip()
        if OTHER not in report.categories or not text:
            continue
        key = fold(text)
        shown.setdefault(key, text)
        counts[key] += 1
    order = list(shown)
    return [
        (shown[k], counts[k]) for k in sorted(order, key=lambda k: (-counts[k], order.index(k)))
    ]


def _months(period: Period, reports: Sequence[Report], tz: ZoneInfo) -> list[tuple[str, int]]:
    counts = Counter(r.created_at.astimezone(tz).strftime("%Y-%m") for r in reports)
    result, month = [], period.start
    while month < period.end:
        key = month.strftime("%Y-%m")
        result.append((key, counts.get(key, 0)))
        month = _shift_months(month, 1)
    return result


# Time from the report to the first contact with the reporter (of those contacted), and the
# reports whose reporter could and wanted to be contacted but was not (yet).
CONTACT_BUCKETS: tuple[tuple[str, float], ...] = (
    ("within_4h", 4),
    ("within_24h", 24),
    ("within_72h", 72),
    ("later", float("inf")),
)


def _contact_times(reports: Sequence[Report]) -> dict[str, int]:
    counts = dict.fromkeys([name for name, _ in CONTACT_BUCKETS] + ["not_contacted"], 0)
    for report in reports:
        if report.status == Status.NOT_VIM:
            continue
        if report.contacted_at is None:
            if contactable(report):
                counts["not_contacted"] += 1
            continue
        hours = (report.contacted_at - report.created_at).total_seconds() / 3600
        name = next(name for name, limit in CONTACT_BUCKETS if hours <= limit)
        counts[name] += 1
    return counts


def compute(
    config: Config,
    period: Period,
    previous_period: Period,
    reports: Sequence[Report],
    earlier: Sequence[Report],
    actions: Sequence[ImprovementAction],
    team_id: str | None = None,
) -> Figures:
    """The figures of ``period`` from its reports, the previous period's and the actions."""
    tz = config.organisation.tz
    policy = config.policy
    ticks = Counter(c for r in reports for c in r.categories)
    before = Counter(c for r in earlier for c in r.categories)
    previous = None
    if earlier:
        previous = {"reports": len(earlier), **{c: before.get(c, 0) for c in CATEGORY_ORDER}}
    types = Counter(t for r in reports for t in r.report_type.split("+"))
    per_team = Counter(r.team_id for r in reports)
    teams = [(t.id, t.name, per_team.get(t.id, 0)) for t in config.teams]
    if team_id is not None:
        teams = [row for row in teams if row[0] == team_id]
    elif per_team.get(None):
        teams.append(("", "", per_team[None]))
    vim = [r for r in reports if r.status != Status.NOT_VIM]
    follow_up = {
        "contact_in_time": sum(1 for r in vim if _contact_in_time(r, policy, tz)),
        "contact_recorded": sum(1 for r in vim if r.contacted_at is not None),
        "triaged": sum(1 for r in reports if r.triaged_at is not None),
        "not_vim": len(reports) - len(vim),
        "investigated": sum(1 for r in reports if r.triage_outcome == "investigate"),
        "analysed": sum(1 for r in reports if r.analysed_at is not None),
        "feedback_given": sum(1 for r in reports if r.feedback_at is not None),
        "closed": sum(1 for r in reports if r.status == Status.CLOSED),
    }
    calamities = [
        Calamity(
            r.reference,
            r.established_on,
            _local_day(r.client_informed_at, tz),
            r.igj_reported_on,
        )
        for r in reports
        if r.possible_calamity or r.triage_outcome == "calamity" or r.igj_reported_on
    ]
    arbeidsinspectie = [
        (r.reference, r.arbeidsinspectie_reported_on)
        for r in reports
        if r.arbeidsinspectie_reported_on is not None
    ]
    states = Counter(a.status for a in actions)
    judged = Counter(a.effectiveness for a in actions if a.effectiveness)
    return Figures(
        kind=period.kind,
        key=period.key,
        start=period.start,
        last_day=period.end - timedelta(days=1),
        organisation=config.reports.organisation_name or config.organisation.name,
        introduction=config.reports.introduction.strip(),
        team=team_id,
        reports=len(reports),
        categories={c: ticks.get(c, 0) for c in CATEGORY_ORDER},
        other=_other_texts(reports),
        previous_key=previous_period.key,
        previous=previous,
        report_types={t: types.get(t, 0) for t in ("MIC", "MIM")},
        harm={h: sum(1 for r in reports if r.harm == h) for h in HARM_LEVELS},
        teams=teams,
        months=_months(period, reports, tz),
        follow_up=follow_up,
        after_report=_after_report(reports, policy, tz),
        in_time=_in_time(reports, policy, tz),
        calamities=calamities,
        arbeidsinspectie=arbeidsinspectie,
        actions={s: states.get(s, 0) for s in ACTION_STATES},
        effectiveness={e: judged.get(e, 0) for e in EFFECTIVENESS},
        action_lines=[
            ActionLine(a.description, a.owner, a.deadline, a.status, a.effectiveness)
            for a in actions
        ],
        previous_months=_months(previous_period, earlier, tz),
        contact_times=_contact_times(reports),
    )


# ---- the formats ------------------------------------------------------------------------


def rows(figures: Figures) -> list[tuple[str, str, str, int]]:
    """The figures as rows ``section, code, label, count`` (CSV and XLSX), labels in Dutch."""
    t = Translator("nl")
    out: list[tuple[str, str, str, int]] = [
        ("totals", "reports", t("figures.reports"), figures.reports),
        ("totals", "category_ticks", t("figures.ticks"), figures.ticks),
    ]
    out += [("categories", c, t(f"category.{c}"), n) for c, n in figures.categories.items()]
    out += [("other", "", text, n) for text, n in figures.other]
    if figures.previous is not None:
        out.append(("previous", "reports", t("figures.reports"), figures.previous["reports"]))
        out += [("previous", c, t(f"category.{c}"), figures.previous[c]) for c in CATEGORY_ORDER]
    out += [("report_types", k, k, n) for k, n in figures.report_types.items()]
    out += [("harm", k, t(f"figures.harm.{k}"), n) for k, n in figures.harm.items()]
    out += [("teams", i, name or t("notify.no_team"), n) for i, name, n in figures.teams]
    out += [("months", m, m, n) for m, n in figures.months]
    out += [("follow_up", k, t(f"figures.follow_up.{k}"), n) for k, n in figures.follow_up.items()]
    out += [("after_report", k, _after_label(k, t), n) for k, n in figures.after_report.items()]
    out += [
        ("calamities", "possible", t("figures.calamities"), len(figures.calamities)),
        (
            "calamities",
            "igj_reported",
            t("figures.igj_reported"),
            sum(1 for c in figures.calamities if c.igj_reported_on),
        ),
        (
            "calamities",
            "arbeidsinspectie_reported",
            t("figures.arbeidsinspectie"),
            len(figures.arbeidsinspectie),
        ),
    ]
    out += [("actions", k, t(f"figures.action.{k}"), n) for k, n in figures.actions.items()]
    out += [
        ("effectiveness", k, t(f"figures.effectiveness.{k}"), n)
        for k, n in figures.effectiveness.items()
    ]
    return out


def _after_label(key: str, t: Translator) -> str:
    if key in AFTER_REPORT_STEPS:
        return t(f"after.{key}")
    if key == "contact_in_time":
        return t("figures.follow_up.contact_in_time")
    return t(f"figures.after.{key}")


def as_json(figures: Figures) -> dict[str, Any]:
    """The same figures as JSON."""
    return {
        "period": {
            "kind": figures.kind,
            "key": figures.key,
            "start": figures.start.isoformat(),
            "end": figures.last_day.isoformat(),
        },
        "organisation": figures.organisation,
        "team": figures.team,
        "reports": figures.reports,
        "category_ticks": figures.ticks,
        "categories": figures.categories,
        "other": [{"text": text, "count": n} for text, n in figures.other],
        "previous": (
            None
            if figures.previous is None
            else {
                "key": figures.previous_key,
                "reports": figures.previous["reports"],
                "categories": {c: figures.previous[c] for c in CATEGORY_ORDER},
            }
        ),
        "report_types": figures.report_types,
        "harm": figures.harm,
        "teams": [{"id": i or None, "name": name, "count": n} for i, name, n in figures.teams],
        "months": dict(figures.months),
        "follow_up": figures.follow_up,
        "after_report": figures.after_report,
        "calamities": [
            {
                "reference": c.reference,
                "established_on": _iso(c.established_on),
                "client_informed_on": _iso(c.client_informed_on),
                "igj_reported_on": _iso(c.igj_reported_on),
            }
            for c in figures.calamities
        ],
        "arbeidsinspectie": [
            {"reference": ref, "reported_on": day.isoformat()}
            for ref, day in figures.arbeidsinspectie
        ],
        "actions": figures.actions,
        "effectiveness": figures.effectiveness,
        "action_list": [
            {
                "description": a.description,
                "owner": a.owner,
                "deadline": a.deadline.isoformat(),
                "status": a.status,
                "effectiveness": a.effectiveness,
            }
            for a in figures.action_lines
        ],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _change(now: int, before: int) -> str:
    return f"{now - before:+d}"


def after_report_items(figures: Figures, t: Translator, contact: bool = False) -> list[str]:
    """What was done after reports, one line each (the report, the chat digest and the
    document word it alike); ``contact``: starting with the share contacted in time."""
    after = figures.after_report
    items = []
    if contact:
        items.append(
            t(
                "figures.after.contact_share",
                done=after["contact_in_time"],
                total=after["contact_expected"],
                share=after["contact_in_time_percent"],
            )
        )
    items.append(
        t(
            "figures.after.aftercare",
            offered=after["aftercare_offered"],
            given=after["aftercare_given"],
            declined=after["aftercare_declined"],
        )
    )
    items += [f"{t(f'after.{k}')}: {after[k]}" for k in AFTER_REPORT_STEPS]
    return items


def markdown(figures: Figures, t: Translator) -> str:
    """The report as Markdown, in the organisation's language (seed 003's structure)."""
    title_key = {
        "yearly": "figures.title_yearly",
        "half": "figures.title_half",
        "quarterly": "figures.title_quarterly",
    }[figures.kind]
    lines = [
        f"# {t(title_key, period=figures.key)} — {figures.organisation}",
        "",
        t("figures.covers", start=t.day(figures.start), end=t.day(figures.last_day)),
    ]
    if figures.team is not None:
        lines.append(t("figures.team_only", team=figures.team))
    if figures.introduction:
        lines += ["", f"## {t('figures.introduction')}", "", figures.introduction]
    lines += ["", f"## {t('figures.reports_heading')}", ""]
    lines.append(t("figures.total", count=figures.reports))
    if figures.ticks > figures.reports:
        lines.append(t("figures.several_kinds", ticks=figures.ticks, count=figures.reports))
    before = figures.previous
    lines += ["", f"| {t('figures.kind')} | {t('figures.count')} |"]
    header_extra = ""
    if before is not None:
        lines[-1] = (
            f"| {t('figures.kind')} | {t('figures.count')} | {figures.previous_key} "
            f"| {t('figures.change')} |"
        )
        header_extra = "---:|---:|"
    lines.append("|---|---:|" + header_extra)
    for code, n in figures.categories.items():
        row = f"| {t(f'category.{code}')} | {n} |"
        if before is not None:
            row += f" {before[code]} | {_change(n, before[code])} |"
        lines.append(row)
    if before is not None:
        lines.append("")
        lines.append(
            t(
                "figures.compared",
                previous=figures.previous_key,
                before=before["reports"],
                change=_change(figures.reports, before["reports"]),
            )
        )
    if figures.other:
        lines += ["", t("figures.other_heading")]
        lines += [f"- {text} ({n})" for text, n in figures.other]
    lines += ["", f"## {t('figures.split_heading')}", ""]
    lines += [f"- {k}: {n}" for k, n in figures.report_types.items()]
    lines += [f"- {t(f'figures.harm.{k}')}: {n}" for k, n in figures.harm.items() if n]
    lines += ["", f"### {t('figures.per_team')}", ""]
    lines += [f"- {name or t('notify.no_team')}: {n}" for _, name, n in figures.teams]
    lines += ["", f"### {t('figures.per_month')}", ""]
    lines += [f"- {m}: {n}" for m, n in figures.months]
    lines += ["", f"## {t('figures.after_heading')}", ""]
    lines += [f"- {t(f'figures.follow_up.{k}')}: {n}" for k, n in figures.follow_up.items()]
    lines += ["", *(f"- {item}" for item in after_report_items(figures, t, contact=True))]
    lines.append(t("figures.not_recorded"))
    lines += ["", f"## {t('figures.calamities_heading')}", ""]
    if not figures.calamities and not figures.arbeidsinspectie:
        lines.append(t("figures.none"))
    for c in figures.calamities:
        lines.append(
            t(
                "figures.calamity_line",
                reference=c.reference,
                established=_iso(c.established_on) or "—",
                informed=_iso(c.client_informed_on) or "—",
                igj=_iso(c.igj_reported_on) or "—",
            )
        )
    for reference, day in figures.arbeidsinspectie:
        lines.append(t("figures.arbeidsinspectie_line", reference=reference, day=day.isoformat()))
    lines += ["", f"## {t('figures.actions_heading')}", ""]
    lines += [f"- {t(f'figures.action.{k}')}: {n}" for k, n in figures.actions.items()]
    lines += [f"- {t(f'figures.effectiveness.{k}')}: {n}" for k, n in figures.effectiveness.items()]
    for a in figures.action_lines:
        judged = f", {t(f'figures.effectiveness.{a.effectiveness}')}" if a.effectiveness else ""
        lines.append(
            f"  - {a.description} — {a.owner}, {a.deadline.isoformat()}, "
            f"{t(f'figures.action.{a.status}')}{judged}"
        )
    return "\n".join(lines) + "\n"


# ---- the chat digest: a short version of the same figures ---------------------------------

REPORT_COMMAND = {
    "yearly": "annual --year",
    "half": "half --half",
    "quarterly": "quarterly --quarter",
}


def chat_text(
    figures: Figures, t: Translator, title_key: str, today: date, terms: dict[str, str]
) -> str:
    """The quarterly analysis (committee) or the half-yearly summary (board) in a chat: the
    figures' numbers, shortened (no names, no reporters, no report texts). ``terms``: the
    organisation's worded terms (a deadline's name can state one)."""
    lines = [
        t(
            title_key,
            period=figures.key,
            start=t.day(figures.start),
            end=t.day(figures.last_day),
        )
    ]
    before = figures.previous or {}
    earlier = before.get("reports", 0)
    lines.append(
        t(
            "digest.total",
            count=figures.reports,
            previous=earlier,
            trend=_change(figures.reports, earlier),
        )
    )
    lines.append(t("digest.by_category"))
    counted = sorted(
        ((c, n) for c, n in figures.categories.items() if n), key=lambda item: -item[1]
    )
    lines += [f"  • {t(f'category.{c}')}: {n} ({_change(n, before.get(c, 0))})" for c, n in counted]
    lines.append(t("digest.by_team"))
    teams = sorted((row for row in figures.teams if row[2]), key=lambda row: -row[2])
    lines += [f"  • {name or t('notify.no_team')}: {n}" for _, name, n in teams]
    lines.append(t("digest.by_harm"))
    lines += [f"  • {t(f'harm.{k}')}: {n}" for k, n in figures.harm.items() if n]
    lines.append(t("digest.calamities", count=len(figures.calamities)))
    lines.append(t("digest.in_time"))
    for step, (done, total) in figures.in_time.items():
        share = f"{round(100 * done / total)}%" if total else "—"
        lines.append(f"  • {t(f'deadline.{step}', **terms)}: {share} ({done}/{total})")
    lines.append(t("digest.after_report"))
    lines += [f"  • {item}" for item in after_report_items(figures, t)]
    open_actions = [a for a in figures.action_lines if a.status == "open"]
    lines.append(
        t(
            "digest.actions",
            done=figures.actions["done"],
            open=len(open_actions),
            overdue=sum(1 for a in open_actions if a.deadline < today),
        )
    )
    lines.append(
        t("digest.full", command=f"vimbot report {REPORT_COMMAND[figures.kind]} {figures.key}")
    )
    return "\n".join(lines)
