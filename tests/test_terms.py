"""Every term a person reads is the organisation's own: each text that states a term states
the configured one, worded in the reader's language (issue 14)."""

from __future__ import annotations

import re
import string
from datetime import timedelta

import pytest

from bot.casework.scheduled import Sweeper
from bot.i18n import LANGUAGES, Translator, catalogue
from tests.helpers import Chat, make_config

# Every term of the policy (and the draft's life) set to a value no default has.
UNUSUAL = make_config(
    policy={
        "contact_working_days": 2,
        "triage_hours": 36,
        "exploration_working_days": 5,
        "analysis_days": 21,
        "client_informed_hours": 12,
        "igj_working_days": 4,
        "doubt_window_weeks": 8,
        "effectiveness_check_months": 4,
        "contact_urgent_hours": 18,
        "arbeidsinspectie_hours": 6,
        "strict_followup_weeks": 1,
    },
    privacy={"draft_delete_hours": 120},
)

CONFIGURED = {
    "nl": {
        "contact_term": "2 werkdagen",
        "triage_term": "36 uur",
        "exploration_term": "5 werkdagen",
        "analysis_term": "21 dagen",
        "client_informed_term": "12 uur",
        "igj_term": "4 werkdagen",
        "doubt_window_term": "8 weken",
        "effectiveness_term": "4 maanden",
        "contact_urgent_term": "18 uur",
        "arbeidsinspectie_term": "6 uur",
        "strict_followup_term": "1 week",
        "draft_delete_term": "5 dagen",
    },
    "en": {
        "contact_term": "2 working days",
        "triage_term": "36 hours",
        "exploration_term": "5 working days",
        "analysis_term": "21 days",
        "client_informed_term": "12 hours",
        "igj_term": "4 working days",
        "doubt_window_term": "8 weeks",
        "effectiveness_term": "4 months",
        "contact_urgent_term": "18 hours",
        "arbeidsinspectie_term": "6 hours",
        "strict_followup_term": "1 week",
        "draft_delete_term": "5 days",
    },
}

# The defaults (the policy text's terms), as the catalogues used to state them.
DEFAULTS = {
    "nl": ("1 werkdag", "24 uur", "3 werkdagen", "14 dagen", "6 weken", "3 maanden", "3 dagen"),
    "en": (
        "1 working day",
        "24 hours",
        "3 working days",
        "14 days",
        "6 weeks",
        "3 months",
        "3 days",
    ),
}

# A number with a unit of time, written out in a text.
LITERAL_TERM = re.compile(
    r"(?<![\d/])\d+\s*(werkdag(en)?|uur|dag(en)?|weken|week|maand(en)?|"
    r"working days?|hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class _Filler(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_hard_codes_a_term(language: str) -> None:
    stated = {
        key: match.group(0)
        for key, text in catalogue(language).items()
        if (match := LITERAL_TERM.search(text))
    }
    assert stated == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_with_a_term_states_the_configured_term(language: str) -> None:
    from bot.terms import worded_terms

    t = Translator(language)
    terms = worded_terms(UNUSUAL, t)
    assert terms == CONFIGURED[language]
    with_terms = {
        key: text for key, text in catalogue(language).items() if _placeholders(text) & set(terms)
    }
    # the messages that state a term (derived from the catalogue, checked to be found)
    assert {
        "done.next_team_leader",
        "done.next_urgent",
        "notify.contact_reporter",
        "notify.contact_urgent",
        "notify.arbeidsinspectie",
        "notify.calamity",
        "case.calamity_alert",
        "case.established_noted",
        "deadline.igj_doubt",
        "privacy.draft_reminder",
    } <= set(with_terms)
    for key, text in with_terms.items():
        rendered = text.format_map(_Filler(terms))
        for default in DEFAULTS[language]:
            assert not re.search(rf"(?<!\d){default}\b", rendered), (key, rendered)
        for name in _placeholders(text) & set(terms):
            assert terms[name] in rendered, (key, rendered)


def test_terms_are_worded_singular_and_plural() -> None:
    from bot.terms import worded_terms

    one = make_config(
        policy={"contact_working_days": 1, "triage_hours": 1, "doubt_window_weeks": 1}
    )
    nl, en = worded_terms(one, Translator("nl")), worded_terms(one, Translator("en"))
    assert (nl["contact_term"], nl["triage_term"], nl["doubt_window_term"]) == (
        "1 werkdag",
        "1 uur",
        "1 week",
    )
    assert (en["contact_term"], en["triage_term"], en["doubt_window_term"]) == (
        "1 working day",
        "1 hour",
        "1 week",
    )
    odd = make_config(privacy={"draft_delete_hours": 30})  # not whole days: in hours
    assert worded_terms(odd, Translator("nl"))["draft_delete_term"] == "30 uur"


@pytest.fixture
def config():
    return UNUSUAL


async def test_what_people_read_states_the_configured_terms(service, sqlite_db, clock) -> None:
    from tests.test_casework import TOKEN, _report

    chat = await _report(service, harm="serious")
    [notification, *_] = chat.outcomes[-1].notifications
    # serious harm: first contact within the urgent term, for the reporter and the leader
    assert "18 uur" in chat.text and "24 uur" not in chat.text  # the reporter
    assert "18 uur" in notification.text  # the leader
    coordinator = Chat(service, user="coord")
    await coordinator.press(TOKEN, "triage")
    await coordinator.tap("calamity")
    await coordinator.tap("monthly")
    await coordinator.tap("catastrophic")
    await coordinator.tap("confirm")
    alert = "\n".join(o.text for o in coordinator.outcomes[-1].notifications)
    assert "12 uur" in alert and "4 werkdagen" in alert and "24 uur" not in alert
    sweeper = Sweeper(UNUSUAL, sqlite_db, clock)
    eight_weeks = clock.now() + timedelta(weeks=8)
    nudges = await sweeper.sweep_nudges(eight_weeks, dry_run=True)
    [doubt, *_] = [p.message.text for p in nudges if p.what.startswith("nudge:igj_doubt")]
    assert "8 weken" in doubt and "6 weken" not in doubt
    await coordinator.press(TOKEN, "established")
    await coordinator.tap("today")
    await coordinator.tap("confirm")
    assert "4 werkdagen" in coordinator.text and "3 werkdagen" not in coordinator.text
