"""The organisation's terms, worded for the reader: ``{"contact_term": "1 werkdag", …}``.

A text that states a term never writes it out: it has a placeholder ``{<name>_term}``, filled
from here with the configured value, singular or plural in the reader's language
("1 werkdag" / "3 werkdagen", "1 working day" / "24 hours"). Pass ``**worded_terms(config, t)``
to every ``t(...)`` of such a text (extra values are ignored by the others).
"""

from __future__ import annotations

from bot.config import Config
from bot.i18n import Translator

# placeholder → ([policy] key, unit of its value)
POLICY_TERMS: dict[str, tuple[str, str]] = {
    "contact_term": ("contact_working_days", "working_day"),
    "triage_term": ("triage_hours", "hour"),
    "exploration_term": ("exploration_working_days", "working_day"),
    "analysis_term": ("analysis_days", "day"),
    "client_informed_term": ("client_informed_hours", "hour"),
    "igj_term": ("igj_working_days", "working_day"),
    "doubt_window_term": ("doubt_window_weeks", "week"),
    "effectiveness_term": ("effectiveness_check_months", "month"),
    "contact_urgent_term": ("contact_urgent_hours", "hour"),
    "arbeidsinspectie_term": ("arbeidsinspectie_hours", "hour"),
    "strict_followup_term": ("strict_followup_weeks", "week"),
}


def worded(count: int, unit: str, t: Translator) -> str:
    """``3, "working_day"`` → "3 werkdagen" (both languages: singular for 1 only)."""
    form = "one" if count == 1 else "other"
    return t(f"term.{unit}.{form}", count=count)


def worded_hours(hours: int, t: Translator) -> str:
    """Whole days as days ("3 dagen"), anything else as hours ("30 uur")."""
    if hours >= 24 and hours % 24 == 0:
        return worded(hours // 24, "day", t)
    return worded(hours, "hour", t)


def worded_terms(config: Config, t: Translator) -> dict[str, str]:
    """Every term a text can state, as the reader of ``t`` reads it."""
    policy = config.policy
    terms = {
        name: worded(getattr(policy, key), unit, t) for name, (key, unit) in POLICY_TERMS.items()
    }
    terms["draft_delete_term"] = worded_hours(config.privacy.draft_delete_hours, t)
    return terms
