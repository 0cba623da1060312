"""Who hears about a new report, and what they read. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.config import Config
from bot.domain.dates import When
from bot.domain.lifecycle import arbeidsinspectie_duty, contact_is_urgent, wants_contact
from bot.domain.report import ReportDraft
from bot.domain.taxonomy import HARM_UNKNOWN
from bot.events import Outbound
from bot.i18n import Translator
from bot.terms import worded_terms

DESCRIPTION_PREVIEW = 600


def _unique(addresses: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


@dataclass(frozen=True, slots=True)
class Notice:
    """Who hears about a new report: the messages, and the roles they reached (for the
    reporter's confirmation, which names who was actually told)."""

    messages: list[Outbound]
    told: tuple[str, ...]  # role keys: team_leader, coordinator, board, hr, confidential_adviser


def receivers_configured(config: Config) -> bool:
    """Whether any report can reach anyone: a team leader or a coordinator."""
    return bool(config.roles.coordinator) or any(team.leaders for team in config.teams)


def new_report_notifications(
    config: Config,
    draft: ReportDraft,
    reference: str,
    reporter_name: str | None,
    anonymous: bool,
) -> Notice:
    """The team's leaders always; coordinator and board at once for a possible calamity;
    the confidential adviser when the reporter asked for one (an anonymous reporter's
    request reaches the adviser without any identity).

    Without a team or team leaders the coordinator receives the report instead, so that no
    report goes unseen; with nobody configured at all nobody can be told, and the
    confirmation says so.
    """
    t = Translator(config.organisation.language)
    team = config.team(draft.team_id)
    team_name = team.name if team else t("notify.no_team")
    reporter = t("notify.anonymous_reporter") if anonymous else (reporter_name or "?")
    when = When(draft.occurred.day, draft.occurred.at)
    fields = {
        "reference": reference,
        "types": "+".join(draft.report_types),
        "team": team_name,
        "harm": t(f"harm.{draft.harm}"),
        **worded_terms(config, t),
    }
    description = draft.description
    if len(description) > DESCRIPTION_PREVIEW:
        description = description[: DESCRIPTION_PREVIEW - 1] + "…"
    categories = [t(f"category.{code}") for code in draft.categories]
    if draft.category_other:
        categories.append(draft.category_other)
    text = t(
        "notify.new_report",
        categories=", ".join(categories),
        when=t.when(when.day, when.at),
        reporter=reporter,
        contact=t(f"contact.{draft.contact_wish}"),
        description=description,
        **fields,
    )
    # Contact only where it is possible and wanted, and at once after aggression against
    # staff or serious harm (the procedure's contact deadline says the same).
    if anonymous:
        next_step = t("notify.contact_anonymous")
    elif not wants_contact(anonymous, draft.contact_wish):
        next_step = t("notify.contact_none")
    elif contact_is_urgent(draft):
        next_step = t("notify.contact_urgent", **fields)
    else:
        next_step = t("notify.contact_reporter", **fields)
    text = f"{text}\n\n{next_step}"
    if draft.harm == HARM_UNKNOWN:  # a witness did not know: no calamity alert, but find out
        text = f"{text}\n\n{t('notify.harm_unknown', **fields)}"
    leaders = list(team.leaders) if team else []
    told: list[str] = []
    first = _unique(leaders or config.roles.coordinator)
    if first:
        told.append("team_leader" if leaders else "coordinator")
    if "employee" in draft.affected and config.roles.hr:
        first = _unique([*first, *config.roles.hr])  # MIM: P&O / arbo hears of it too
        told.append("hr")
    # Alerts that go out at once, day and night, above the report itself: one message per
    # receiver (the team's leaders read them too, so they know triage is urgent).
    alerts: dict[str, list[str]] = {address: [] for address in first}
    roles = config.roles
    if draft.possible_calamity:
        for address in _unique([*first, *roles.coordinator, *roles.board]):
            alerts.setdefault(address, []).append(t("notify.calamity", **fields))
        told += [role for role in ("coordinator", "board") if getattr(roles, role)]
    if arbeidsinspectie_duty(draft):
        for address in _unique([*first, *roles.board, *roles.hr, *roles.coordinator]):
            alerts.setdefault(address, []).append(t("notify.arbeidsinspectie", **fields))
        told += [role for role in ("board", "hr") if getattr(roles, role)]
    messages = [
        Outbound("\n\n".join([*lines, text]), address=address) for address, lines in alerts.items()
    ]
    if draft.contact_wish == "confidential_adviser" and config.roles.confidential_adviser:
        key = (
            "notify.confidential_adviser_anonymous" if anonymous else "notify.confidential_adviser"
        )
        note = t(key, reference=reference, reporter=reporter)
        messages.extend(
            Outbound(note, address=a) for a in _unique(config.roles.confidential_adviser)
        )
        told.append("confidential_adviser")
    return Notice(messages, tuple(dict.fromkeys(told)))
