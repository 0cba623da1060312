"""The report conversation, declared as data: one entry per question.

Order and wording follow the issue and the policy (seeds/002): safety first, then what,
when, what kind, who, harm, first aid, immediate measures, team, contact wish, summary.
A typical report takes one free text and taps for the rest.

Context data the caller provides (``Context.data``):
- ``teams``: a list of ``(team id, team name)`` from the configuration;
- ``team_known``: True when the person's team is known (one membership or remembered).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.domain.anonymity import looks_like_code, normalise_code
from bot.domain.dates import DateError, When, parse_when
from bot.domain.personal_data import found, redact
from bot.domain.report import ReportDraft
from bot.domain.taxonomy import (
    AFFECTED,
    CATEGORIES,
    CONTACT_WISHES,
    FIRST_AID,
    HARM_LEVELS,
    HARMED,
    NEAR_MISS,
    OTHER,
    suggest_affected,
    suggest_categories,
)
from bot.flows.engine import Action, Choice, Flow, Invalid, Kind, Step, View
from bot.flows.state import ReplyMeta, ReportMeta

YES = Choice("yes", "answer.yes", aliases=("ja", "j", "yes", "y"))
NO = Choice("no", "answer.no", aliases=("nee", "n", "no"))

CATEGORY_OTHER_MAX = 100


def _when_value(value: str, view: View) -> Any:
    now = view.ctx.now_local
    if value == "now":
        return When(now.date(), now.time().replace(second=0, microsecond=0)).to_json()
    if value == "today":
        return When(now.date()).to_json()
    if value == "yesterday":
        return When(now.date() - timedelta(days=1)).to_json()
    return value  # "other": the next question asks for the date


def _read_date(text: str, view: View) -> dict[str, str | None]:
    try:
        return parse_when(text, view.ctx.now_local).to_json()
    except DateError as problem:
        # Read two ways ("3 uur": night or afternoon): each reading a button, spelled out in
        # full so that the tap is read by the same rules, never guessed.
        offered = tuple(
            Choice(f"{w.day.isoformat()} {w.at:%H:%M}", view.ctx.t.when(w.day, w.at), literal=True)
            for w in problem.options
            if w.at is not None
        )
        raise Invalid(problem.key, offered) from problem


def _show_when(value: Any, view: View) -> str:
    if value == "other":  # typed at the next question: the summary shows what is stored
        value = view.answers.get("when_date")
    if not isinstance(value, dict):
        return view.ctx.t("when.other")
    when = When.from_json(value)
    return view.ctx.t.when(when.day, when.at)


def _harm(answers: Mapping[str, Any]) -> str | None:
    """The harm, once a near miss with injury was settled as a near miss after all."""
    if answers.get("near_miss_check") == "near":
        return "near_miss"
    return answers.get("harm")


def _near_miss_with_injury(view: View) -> bool:
    return NEAR_MISS in (view.answers.get("categories") or ()) and (
        view.answers.get("harm") in HARMED
    )


def _categories(answers: Mapping[str, Any]) -> list[str]:
    """The categories as stored: a harm answer "het ging net goed" is the category near miss;
    a near miss that turned out to hurt someone is not one."""
    categories = list(answers["categories"])
    harm = _harm(answers)
    if harm == "near_miss" and NEAR_MISS not in categories:
        categories.append(NEAR_MISS)
    if harm in HARMED and NEAR_MISS in categories:
        categories.remove(NEAR_MISS)
    return categories


# The typed texts of a report that are checked for personal data (a BSN, phone, e-mail).
PERSONAL_DATA_STEPS = ("description", "measures")


def personal_data_in(answers: Mapping[str, Any]) -> str | None:
    """The first typed text (its step id) that seems to hold personal data, or None. The
    conversation then asks whether to leave it out; the form refuses it."""
    for step_id in PERSONAL_DATA_STEPS:
        text = answers.get(step_id)
        if text and found(str(text)):
            return step_id
    return None


def _has_personal_data(view: View) -> bool:
    return personal_data_in(view.answers) is not None


def _show_text(value: Any, view: View) -> str:
    """A typed text as it will be sent: without the personal data the person left out."""
    return redact(str(value)) if view.answers.get("personal_data") == "remove" else str(value)


def _category_prompt(view: View) -> str:
    suggested = view.answers.get("categories") is None and _suggested_categories(view)
    return "step.categories.prompt_suggested" if suggested else "step.categories.prompt"


def _suggested_categories(view: View) -> list[str]:
    return suggest_categories(str(view.answers.get("description", "")))


def _suggested_affected(view: View) -> list[str]:
    return suggest_affected(
        str(view.answers.get("description", "")), list(view.answers.get("categories") or [])
    )


def _suggestion(view: View) -> tuple[list[str], list[str]]:
    """The kinds and who it happened to, as the description suggests them (who it happened to
    follows the kinds: aggression is suggested to have happened to an employee)."""
    description = str(view.answers.get("description", ""))
    categories = suggest_categories(description)
    return categories, suggest_affected(description, categories)


def _kind_is_clear(view: View) -> bool:
    """The description makes both the kind and who it happened to clear: one question confirms
    both ("Klopt dat?"); asked once, before the kind is answered in any other way."""
    if "kind_check" in view.answers:
        return True
    if "categories" in view.answers or "affected" in view.answers:
        return False
    categories, affected = _suggestion(view)
    return bool(categories) and bool(affected)


def _kind_values(view: View) -> dict[str, object]:
    t = view.ctx.t
    categories, affected = _suggestion(view)
    return {
        "kinds": t.join([t(f"category.{code}") for code in categories]),
        "affected": t.join([t(f"affected.{who}") for who in affected]),
    }


def _kind_fills(value: Any, view: View) -> dict[str, Any]:
    if value != "yes":
        return {}
    categories, affected = _suggestion(view)
    return {"categories": categories, "affected": affected}


def _kind_asked(view: View) -> bool:
    return view.answers.get("kind_check") != "yes"


def _affected_prompt(view: View) -> str:
    suggested = view.answers.get("affected") is None and _suggested_affected(view)
    return "step.affected.prompt_suggested" if suggested else "step.affected.prompt"


def _team_options(view: View) -> Sequence[Choice]:
    teams: Sequence[tuple[str, str]] = view.ctx.data.get("teams", ())
    return tuple(Choice(team_id, name, literal=True) for team_id, name in teams)


def _asks_team(view: View) -> bool:
    return len(view.ctx.data.get("teams", ())) > 1 and not view.ctx.data.get("team_known")


def _show_team(value: Any, view: View) -> str:
    names = dict(view.ctx.data.get("teams", ()))
    return str(names.get(value, value))


def _summary_prompt(view: View) -> str:
    return "step.summary.prompt_anonymous" if view.meta.get("anonymous") else "step.summary.prompt"


def _summary_options(view: View) -> Sequence[Choice]:
    send = Choice("send", "summary.send", Action.COMPLETE, aliases=("verstuur", "send", "ja"))
    anonymous = Choice(
        "send_anonymous",
        "summary.send_anonymous",
        Action.COMPLETE_ANONYMOUS,
        aliases=("anoniem", "anonymous"),
    )
    change = Choice("change", "summary.change", Action.CHANGE, aliases=("aanpassen", "change"))
    cancel = Choice("cancel", "summary.cancel", Action.CANCEL)
    first = (anonymous, send) if view.meta.get("anonymous") else (send, anonymous)
    return (*first, change, cancel)


def _choices(prefix: str, values: Sequence[str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, f"{prefix}.{value}") for value in values)


STEPS: tuple[Step, ...] = (
    Step(
        "danger",
        Kind.CHOICE,
        "step.danger.prompt",
        (YES, NO),
        help="step.danger.help",
        in_form=False,
    ),
    Step(
        "call112",
        Kind.CHOICE,
        "step.call112.prompt",
        (Choice("continue", "step.call112.continue", aliases=("verder", "continue", "ok")),),
        when=lambda v: v.answers.get("danger") == "yes",
        in_form=False,
    ),
    Step(
        "description",
        Kind.TEXT,
        "step.description.prompt",
        field="field.description",
        help="step.description.help",
        show=_show_text,
    ),
    Step(
        "when",
        Kind.CHOICE,
        "step.when.prompt",
        _choices("when", ("now", "today", "yesterday", "other")),
        field="field.when",
        help="step.when.help",
        convert=_when_value,
        parse=_read_date,
        show=_show_when,
        max_length=100,
    ),
    Step(
        "when_date",
        Kind.DATE,
        "step.when_date.prompt",
        when=lambda v: v.answers.get("when") == "other",
        parse=_read_date,
        show=_show_when,
        help="step.when.help",
        max_length=100,
    ),
    # When the description makes both clear: "Klopt dit? Val — cliënt" (Ja / Aanpassen), one
    # tap for the two questions below; "Aanpassen" asks them with the suggestions ticked.
    Step(
        "kind_check",
        Kind.CHOICE,
        "step.kind_check.prompt",
        (
            Choice("yes", "step.kind_check.yes", aliases=("ja", "j", "yes", "y", "klopt", "ok")),
            Choice(
                "change", "step.kind_check.change", aliases=("aanpassen", "nee", "no", "change")
            ),
        ),
        when=_kind_is_clear,
        fills=_kind_fills,
        prompt_values=_kind_values,
        in_form=False,
    ),
    Step(
        "categories",
        Kind.MULTI,
        _category_prompt,
        _choices("category", [c.code for c in CATEGORIES]),
        field="field.categories",
        preselect=_suggested_categories,
        ask=_kind_asked,
    ),
    Step(
        "category_other",
        Kind.TEXT,
        "step.category_other.prompt",
        when=lambda v: OTHER in (v.answers.get("categories") or ()),
        field="field.category_other",
        max_length=CATEGORY_OTHER_MAX,
    ),
    Step(
        "affected",
        Kind.MULTI,
        _affected_prompt,
        _choices("affected", AFFECTED),
        field="field.affected",
        preselect=_suggested_affected,
        ask=_kind_asked,
    ),
    Step(
        "harm", Kind.CHOICE, "step.harm.prompt", _choices("harm", HARM_LEVELS), field="field.harm"
    ),
    # "Bijna ongeval" chosen as the kind, and injury as the harm: which was it? Asked only
    # then (one tap); in the form the harm answer counts.
    Step(
        "near_miss_check",
        Kind.CHOICE,
        "step.near_miss_check.prompt",
        (
            Choice("near", "step.near_miss_check.near"),
            Choice("harm", "step.near_miss_check.harm"),
        ),
        when=_near_miss_with_injury,
        in_form=False,
    ),
    Step(
        "first_aid",
        Kind.CHOICE,
        "step.first_aid.prompt",
        _choices("first_aid", FIRST_AID),
        when=lambda v: _harm(v.answers) in HARMED,
        field="field.first_aid",
    ),
    Step(
        "measures",
        Kind.TEXT,
        "step.measures.prompt",
        field="field.measures",
        skippable=True,
        show=_show_text,
    ),
    Step(
        "personal_data",
        Kind.CHOICE,
        "step.personal_data.prompt",
        (
            Choice("remove", "personal_data.remove", aliases=("ja", "yes", "weglaten")),
            Choice("keep", "personal_data.keep", aliases=("nee", "no")),
        ),
        when=_has_personal_data,
        in_form=False,  # the form asks to leave it out instead (one page, no dialogue)
    ),
    Step(
        "team",
        Kind.CHOICE,
        "step.team.prompt",
        _team_options,
        when=_asks_team,
        field="field.team",
        show=_show_team,
    ),
    Step(
        "contact",
        Kind.CHOICE,
        "step.contact.prompt",
        _choices("contact", CONTACT_WISHES),
        field="field.contact",
    ),
    Step("summary", Kind.REVIEW, _summary_prompt, _summary_options, change_lines=True),
)


def _intro(meta: Mapping[str, Any]) -> str:
    return "report.intro_anonymous" if meta.get("anonymous") else "report.intro"


REPORT_FLOW = Flow("report", STEPS, intro=_intro, completes="report", meta_type=ReportMeta)


def _read_code(text: str, view: View) -> str:
    if not looks_like_code(text):
        raise Invalid("reply.code_shape")
    return normalise_code(text)


def _by_code(view: View) -> bool:
    return bool(view.meta.get("by_code"))


# The reporter's answer to the handler, after /status CODE (or /status with their reference).
# An anonymous reporter's conversation holds neither the reference nor the code: the code is
# typed once more as the last answer and read at once (see ReportService), so no stored row
# links the chat to the report, not even for a moment.
REPLY_FLOW = Flow(
    "reply",
    completes="reply",
    meta_type=ReplyMeta,
    steps=(
        Step(
            "text",
            Kind.TEXT,
            "reply.prompt",
            field="field.reply",
            skippable=True,
            skip_label="reply.done",
            max_length=2000,
        ),
        Step(
            "code",
            Kind.TEXT,
            "reply.code_prompt",
            parse=_read_code,
            skippable=True,
            skip_label="reply.dont_send",
            when=lambda v: _by_code(v) and bool(v.answers.get("text")),
        ),
        Step(
            "review",
            Kind.REVIEW,
            "step.summary.prompt",
            (
                Choice("send", "summary.send", Action.COMPLETE, aliases=("verstuur", "ja")),
                Choice("change", "summary.change", Action.CHANGE),
                Choice("cancel", "summary.cancel", Action.CANCEL),
            ),
            when=lambda v: not _by_code(v) and bool(v.answers.get("text")),
        ),
    ),
)


def draft_from_answers(answers: Mapping[str, Any], team_id: str | None) -> ReportDraft:
    """The stored report's fields from the answers of a completed conversation."""
    leave_out = answers.get("personal_data") == "remove"

    def clean(text: str | None) -> str | None:
        return redact(text) if text and leave_out else text

    when_value: dict[str, str | None] = (
        answers["when_date"] if answers.get("when") == "other" else answers["when"]
    )
    return ReportDraft(
        description=str(clean(answers["description"])),
        occurred=When.from_json(when_value),
        categories=_categories(answers),
        category_other=answers.get("category_other"),
        affected=list(answers["affected"]),
        harm=str(_harm(answers)),
        first_aid=answers.get("first_aid"),
        measures=clean(answers.get("measures")),
        team_id=answers.get("team", team_id),
        contact_wish=str(answers["contact"]),
        danger_at_start=answers.get("danger") == "yes",
    )
