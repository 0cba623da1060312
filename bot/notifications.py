"""Who hears about a new report, and what they read. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import Config
from bot.domain.dates import When
from bot.domain.report import ReportDraft
from bot.events import Outbound
from bot.i18n import Translator

DESCRIPTION_PREVIEW = 600


def _unique(addresses: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


def new_report_notifications(
    config: Config,
    draft: ReportDraft,
    reference: str,
    reporter_name: str | None,
    anonymous: bool,
) -> list[Outbound]:
    """The team's leaders always; coordinator and board at once for a possible calamity;
    the confidential adviser when the reporter asked for one (named reports only).

    Without a team or team leaders the coordinator receives the report instead, so that no
    report goes unseen.
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
    leaders = list(team.leaders) if team else []
    messages = [Outbound(text, address=a) for a in _unique(leaders or config.roles.coordinator)]
    if draft.possible_calamity:
        already = {m.address for m in messages}
        alert = t("notify.calamity", **fields)
        for address in _unique([*config.roles.coordinator, *config.roles.board]):
            messages.append(
                Outbound(alert if address in already else f"{alert}\n\n{text}", address=address)
            )
    if draft.contact_wish == "confidential_adviser" and not anonymous:
        note = t("notify.confidential_adviser", reference=reference, reporter=reporter)
        messages.extend(
            Outbound(note, address=a) for a in _unique(config.roles.confidential_adviser)
        )
    return messages
