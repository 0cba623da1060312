"""A witness may not know whether anyone was hurt: the harm answer "Weet ik niet"."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dates import When
from bot.domain.report import ReportDraft
from bot.domain.taxonomy import HARM_LEVELS
from bot.flows.engine import Context
from bot.i18n import LANGUAGES, Translator, catalogue
from bot.notifications import new_report_notifications
from tests.corpus.test_corpus import Case, reading
from tests.helpers import NOW, make_config


def _draft(harm: str) -> ReportDraft:
    return ReportDraft(
        description="Ik zag mevrouw in de gang liggen",
        occurred=When(date(2026, 3, 1), None),
        categories=["fall"],
        category_other=None,
        affected=["client"],
        harm=harm,
        first_aid=None,
        measures=None,
        team_id="noord",
        contact_wish="none",
        danger_at_start=False,
    )


@pytest.mark.parametrize("typed", ["weet ik niet", "geen idee", "weet niet", "i don't know"])
def test_weet_ik_niet_is_a_harm_answer(typed: str) -> None:
    ctx = Context(Translator("nl"), NOW, data={"teams": []})
    assert reading(Case("harm", typed, "unknown"), ctx) == "unknown"


def test_unknown_harm_is_no_calamity_but_the_leader_is_asked_to_check() -> None:
    assert "unknown" in HARM_LEVELS
    for language in LANGUAGES:
        assert catalogue(language)["harm.unknown"]
        assert catalogue(language)["figures.harm.unknown"]  # counted in the figures
    draft = _draft("unknown")
    assert not draft.possible_calamity
    config = make_config()
    notice = new_report_notifications(config, draft, "VIM-2026-0001", "Nina", anonymous=False)
    check = Translator("nl")("notify.harm_unknown")
    [to_leader] = [m for m in notice.messages if m.address == "shell:lead-noord"]
    assert "Weet ik niet" in to_leader.text and check in to_leader.text
    assert "shell:board" not in {m.address for m in notice.messages}  # no calamity alert
    known = new_report_notifications(config, _draft("none"), "VIM-2026-0002", "Nina", False)
    assert all(check not in m.text for m in known.messages)
