"""What handlers read: a report's details, the next steps as buttons, the nudges. Pure: no
storage access; the buttons come from the procedure table and the permission table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.casework import procedure
from bot.casework.procedure import CaseStep
from bot.casework.recording import ACTION_PREFIX, CASE_PREFIX
from bot.config import Config
from bot.domain.lifecycle import OPEN_STATUSES, Deadline, suggests_police
from bot.domain.permissions import allowed
from bot.domain.workdays import in_working_hours
from bot.events import Option, Outbound
from bot.i18n import Translator
from bot.terms import worded_terms
from storage.models import ImprovementAction, Nudge, Report


@dataclass(frozen=True, slots=True)
class CaseView:
    """What ``/melding`` shows besides the report's own fields, read from the store: its
    improvement actions, its open deadlines (kind → moment), the stored names of the people
    it mentions (address → name), and the moment it is read."""

    now: datetime | None = None
    actions: Sequence[ImprovementAction] = ()
    deadlines: Mapping[str, datetime] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)


class Texts:
    """The texts and buttons of case work, in one organisation's configuration."""

    __slots__ = ("config",)

    def __init__(self, config: Config) -> None:
        self.config = config

    # ---- buttons from the procedure table -----------------------------------------------

    def steps_for(self, address: str, report: Report) -> list[CaseStep]:
        """The steps this person may take on the report now (menu order)."""
        return [
            step
            for step in procedure.STEPS
            if step.in_menu
            and step.available(report)
            and allowed(address, step.act, report, self.config)
        ]

    @staticmethod
    def options(t: Translator, steps: Sequence[CaseStep]) -> tuple[Option, ...]:
        return tuple(Option(step.name, t(step.label)) for step in steps)

    def notice_buttons(self, t: Translator, address: str, report: Report) -> tuple[Option, ...]:
        """The buttons on a new report's notification, by what the receiver may do."""
        steps = [s for s in self.steps_for(address, report) if s.on_notice]
        return self.options(t, steps)

    def calamity_buttons(self, t: Translator) -> tuple[Option, ...]:
        return self.options(t, procedure.calamity_steps())

    def next_step_message(self, address: str, report: Report, t: Translator) -> Outbound:
        steps = self.steps_for(address, report)
        if not steps:
            return Outbound(t("case.nothing_left", reference=report.reference))
        return Outbound(
            t("case.next", reference=report.reference),
            self.options(t, steps),
            token=f"{CASE_PREFIX}{report.reference}",
        )

    @staticmethod
    def action_buttons(t: Translator, action: ImprovementAction) -> tuple[Option, ...]:
        steps = [s for s in procedure.ACTION_STEPS if not s.judges and s.available(action)]
        return tuple(Option(s.name, t(s.label)) for s in steps)

    # ---- texts -------------------------------------------------------------------------

    def details(self, report: Report, t: Translator, view: CaseView | None = None) -> Outbound:
        """A report's details and what was done after it (who by name, when)."""
        view = view or CaseView()
        reporter = (
            t("notify.anonymous_reporter") if report.anonymous else (report.reporter_name or "?")
        )
        lines = [
            t(
                "case.details_header",
                reference=report.reference,
                types=report.report_type,
                team=self.team_name(report.team_id, t),
                status=t(f"status.{report.status}"),
            ),
            f"{t('field.categories')}: " + ", ".join(t(f"category.{c}") for c in report.categories),
            f"{t('field.harm')}: {t(f'harm.{report.harm}')}",
            f"{t('case.occurred')}: {self.occurred(report, t)}",
            f"{t('case.reported_at')}: {self.when(report.created_at, t)}",
            f"{t('field.contact')}: {t(f'contact.{report.contact_wish}')}",
            f"{t('notify.reporter')}: {reporter}",
            "",
            report.description,
        ]
        if report.risk_score is not None:
            lines.insert(3, t("case.risk_score", score=report.risk_score))
        lines += self.right_away_lines(report, t)
        lines += self.analysis_lines(report, t)
        lines += self.actions_lines(view, t)
        if report.feedback:
            when = self.when(report.feedback_at, t) if report.feedback_at else ""
            lines += ["", t("case.feedback_line", feedback=report.feedback, when=when)]
        lines += self.after_report_lines(report, t)
        lines += self.hold_lines(report, t)
        lines += self.strict_followup_lines(report, t, view)
        lines += self.deadline_lines(report, view, t)
        return Outbound("\n".join(lines))

    def occurred(self, report: Report, t: Translator) -> str:
        """When it happened: the day, and the time of day when the reporter gave one."""
        if report.occurred_at is not None:
            return self.when(report.occurred_at, t)
        return t.day(report.occurred_on)

    @staticmethod
    def right_away_lines(report: Report, t: Translator) -> list[str]:
        """What was done right away: first aid, and the measures the reporter took."""
        lines = []
        if report.first_aid:
            lines.append(f"{t('field.first_aid')}: {t(f'first_aid.{report.first_aid}')}")
        if report.measures:
            lines.append(f"{t('field.measures')}: {report.measures}")
        return ["", *lines] if lines else []

    def actions_lines(self, view: CaseView, t: Translator) -> list[str]:
        """The improvement actions: what, the owner by name, the deadline, the state."""
        if not view.actions:
            return []
        today = self._today(view)
        lines = ["", t("case.actions_of_report")]
        for action in view.actions:
            line = t(
                "case.action_line",
                description=action.description,
                owner=self.person(action.owner, t, view.names),
                deadline=t.day(action.deadline),
            )
            state = t(f"action_state.{action.status}")
            if action.effectiveness:
                state = f"{state}, {t(f'effect.{action.effectiveness}')}"
            if action.kind:
                state = f"{t(f'action_kind.{action.kind}')}, {state}"
            late = action.status == "open" and today is not None and action.deadline < today
            lines.append(f"{line} ({state}){t('case.overdue') if late else ''}")
        return lines

    def deadline_lines(self, report: Report, view: CaseView, t: Translator) -> list[str]:
        """The open deadlines of the report and of its open actions, each due or overdue."""
        if view.now is None:
            return []
        now = view.now
        moments = sorted(view.deadlines.items(), key=lambda kv: kv[1])
        lines = []
        for kind, at in moments:
            late = t("case.overdue") if at <= now else ""
            name, when = self.deadline_name(kind, t), self.deadline_when(at, t)
            lines.append(t("case.deadline_line", what=name, when=when) + late)
        today = self._today(view)
        for action in view.actions:
            if action.status != "open":
                continue
            late = t("case.overdue") if today is not None and action.deadline < today else ""
            what = f"{self.deadline_name('action', t)} ({action.description})"
            lines.append(t("case.deadline_line", what=what, when=t.day(action.deadline)) + late)
        return ["", t("case.deadlines_header"), *lines] if lines else []

    def _today(self, view: CaseView) -> date | None:
        if view.now is None:
            return None
        return view.now.astimezone(self.config.organisation.tz).date()

    def person(self, address: str | None, t: Translator, names: Mapping[str, str]) -> str:
        """Someone by name: their stored name, else the role or team they hold in the
        configuration ("teamleider Wijkteam Noord"), else their address."""
        if not address:
            return ""
        if names.get(address):
            return names[address]
        led = [team.name for team in self.config.teams if address in team.leaders]
        if led:
            return t("person.team_leader", team=", ".join(led))
        roles = self.config.roles
        for role in ("coordinator", "board", "confidential_adviser", "committee", "hr"):
            if address in getattr(roles, role):
                return t(f"person.{role}")
        return address

    def strict_followup_lines(self, report: Report, t: Translator, view: CaseView) -> list[str]:
        """Stricter follow-up (§14): since when and by whom, or when it was lifted; each
        progress report with who and when."""
        if report.strict_followup_at is None and report.strict_followup_ended_at is None:
            return []
        who = self.person(report.strict_followup_by, t, view.names)
        if report.strict_followup_at is not None:
            since = self.when(report.strict_followup_at, t)
            header = t(
                "case.strict_followup_line", when=since, who=who, **worded_terms(self.config, t)
            )
        else:
            assert report.strict_followup_ended_at is not None
            header = t(
                "case.strict_followup_ended_line",
                when=self.when(report.strict_followup_ended_at, t),
            )
        lines = ["", header]
        for record in report.progress_reports or ():
            when = self.when(datetime.fromisoformat(str(record["at"])), t)
            name = str(record.get("by_name") or record.get("by") or "")
            lines.append(t("case.progress_report_line", text=record["text"], who=name, when=when))
        return lines

    @staticmethod
    def analysis_lines(report: Report, t: Translator) -> list[str]:
        """The analysis: 5× waarom, the kinds of causes, and (§6.6) the direct and
        underlying causes, the timeline and who took part."""
        if report.analysed_at is None:
            return []
        lines = ["", t("case.analysis_header")]
        if report.why_chain:
            lines.append(f"{t('case.analysis_whys')}: " + " → ".join(report.why_chain))
        if report.causes:
            causes = ", ".join(t(f"cause.{c}") for c in report.causes)
            lines.append(f"{t('field.causes')}: {causes}")
        for name, value in (report.analysis or {}).items():
            lines.append(f"{t(f'field.{name}')}: {value}")
        return lines

    def hold_lines(self, report: Report, t: Translator) -> list[str]:
        """A retention hold: on which ground, why, by whom and since when."""
        if report.retention_held_at is None:
            return []
        line = t(
            "case.retention_held_line",
            ground=t(f"hold.{report.retention_hold_ground}"),
            reason=report.retention_hold_reason or "",
            who=report.retention_held_by or "",
            when=self.when(report.retention_held_at, t),
        )
        return ["", line]

    def after_report_lines(self, report: Report, t: Translator) -> list[str]:
        """What was done after the report, each with who and when; a police report that is
        suggested and not yet made."""
        lines = []
        for record in report.after_report or ():
            what = t(f"after.{record['step']}")
            value = str(record.get("value", "done"))
            if value != "done":
                what = f"{what}: {t(f'aftercare.{value}')}"
            who = str(record.get("by_name") or record.get("by") or "")
            when = self.when(datetime.fromisoformat(str(record["at"])), t)
            lines.append(t("case.after_report_line", what=what, who=who, when=when))
        if lines:
            lines.insert(0, t("case.after_report_header"))
        suggested = suggests_police(report) and report.status in OPEN_STATUSES
        if suggested and procedure.recorded(report, "police_report") is None:
            lines.append(t("case.police_suggested"))
        return ["", *lines] if lines else []

    @staticmethod
    def one_line(report: Report, t: Translator) -> str:
        categories = ", ".join(t(f"category.{c}") for c in report.categories)
        return f"{categories} · {t(f'harm.{report.harm}')}"

    def team_name(self, team_id: str | None, t: Translator) -> str:
        team = self.config.team(team_id)
        return team.name if team else t("notify.no_team")

    def when(self, moment: datetime, t: Translator) -> str:
        local = moment.astimezone(self.config.organisation.tz)
        return t.when(local.date(), local.time())

    def deadline_when(self, moment: datetime, t: Translator) -> str:
        """A deadline's moment, "(buiten werktijd)" when it ends outside working hours."""
        policy, tz = self.config.policy, self.config.organisation.tz
        when = self.when(moment, t)
        start, end = policy.working_start, policy.working_end
        if in_working_hours(moment, tz, start, end, end_included=True):
            return when
        return t("when.outside_working_hours", when=when)

    def deadline_name(self, kind: str, t: Translator) -> str:
        """A deadline's name (some state their term: "IGJ (6 weken na ontdekking)")."""
        return t(f"deadline.{kind}", **worded_terms(self.config, t))

    def action_line(
        self,
        action: ImprovementAction,
        today: date,
        t: Translator,
        names: Mapping[str, str] | None = None,
    ) -> Outbound:
        late = t("case.overdue") if action.deadline < today else ""
        text = t(
            "case.action_line",
            description=action.description,
            owner=self.person(action.owner, t, names or {}),
            deadline=t.day(action.deadline),
        )
        return Outbound(
            text + late, self.action_buttons(t, action), token=f"{ACTION_PREFIX}{action.id}"
        )

    # ---- nudges ------------------------------------------------------------------------

    def nudge(
        self,
        nudge: Nudge,
        report: Report | None,
        action: ImprovementAction | None,
        t: Translator,
    ) -> Outbound | None:
        """The message of a due nudge, with the buttons its deadline offers; None when its
        report is closed or its action has nothing left to do (the nudge is dropped)."""
        rule = procedure.DEADLINES[Deadline(nudge.kind)]
        if rule.of_board:  # the board's own deadline: its command says what to do
            last = nudge.due_at - timedelta(seconds=1)  # the deadline is the end of that day
            due = t.day(last.astimezone(self.config.organisation.tz).date())
            return Outbound(t(f"nudge.{nudge.kind}.{nudge.stage}", due=due))

        def text(reference: str, team_id: str | None) -> str:
            what, team = self.deadline_name(nudge.kind, t), self.team_name(team_id, t)
            due = self.deadline_when(nudge.due_at, t)
            return t(f"nudge.{nudge.stage}", what=what, reference=reference, team=team, due=due)

        if rule.of_action:
            if action is None:
                return None
            steps = [s for s in procedure.ACTION_STEPS if s.name in rule.buttons]
            if not any(step.available(action) for step in steps):
                return None
            options = tuple(Option(s.name, t(s.label)) for s in steps)
            token = f"{ACTION_PREFIX}{action.id}"
            if nudge.kind == Deadline.EFFECTIVENESS:
                line = t("nudge.effectiveness", description=action.description)
            else:
                line = text(action.description, action.team_id)
            return Outbound(line, options, token=token)
        if report is None or report.status not in OPEN_STATUSES:
            return None
        options = self.options(t, [s for s in procedure.STEPS if s.name in rule.buttons])
        line = text(report.reference, report.team_id)
        return Outbound(line, options, token=f"{CASE_PREFIX}{report.reference}")
