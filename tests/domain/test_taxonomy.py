from __future__ import annotations

import pytest

from bot.domain.report import format_reference, is_possible_calamity, report_types
from bot.domain.taxonomy import CATEGORY_CODES, suggest_affected, suggest_categories
from bot.i18n import LANGUAGES, catalogue


@pytest.mark.parametrize(
    ("description", "categories", "affected"),
    [
        (
            "Meneer schold mij uit en dreigde met een mes",
            ["verbal_aggression", "threat"],
            ["employee"],
        ),
        ("Cliënt is gevallen in de badkamer", ["fall"], ["client"]),
        (
            "Mevrouw kreeg de verkeerde medicatie, te hoge dosis insuline",
            ["medication_error"],
            ["client"],
        ),
        ("Collega had een prikaccident met een naald", ["accident"], ["employee"]),
        ("The client fell and I found him", ["fall"], ["client"]),
        ("Het was een gewone dag", [], []),
    ],
)
def test_suggestions_from_the_description(description, categories, affected) -> None:
    found = suggest_categories(description)
    assert found == categories
    assert suggest_affected(description, found) == affected


def test_every_category_has_a_label_in_every_language() -> None:
    for language in LANGUAGES:
        for code in CATEGORY_CODES:
            assert f"category.{code}" in catalogue(language)


def test_seed_categories_are_all_there() -> None:
    # seeds/003 (annual report) and seeds/002 (policy), as DESIGN.md lists them
    dutch = {catalogue("nl")[f"category.{code}"].lower() for code in CATEGORY_CODES}
    for name in (
        "bijna ongeval",
        "verbale agressie",
        "non-verbale agressie",
        "fysieke agressie",
        "ongeval",
        "bedreigen",
        "tentamen suïcide",
        "medicatieverstrekking",
        "anders",
        "val",
        "medicatiefout",
        "verkeerde handeling",
        "schadelijke stoffen",
        "vermoeden van misbruik",
        "discriminatie",
        "privacy",
    ):
        assert name in dutch


def test_mic_mim_and_calamity_rules() -> None:
    assert report_types(["client"]) == ["MIC"]
    assert report_types(["employee"]) == ["MIM"]
    assert report_types(["client", "employee"]) == ["MIC", "MIM"]
    assert report_types(["someone_else"]) == ["MIC"]
    assert is_possible_calamity("serious") and is_possible_calamity("death")
    assert not is_possible_calamity("minor") and not is_possible_calamity("near_miss")
    assert format_reference(2026, 42) == "VIM-2026-0042"


def test_personal_data_detection() -> None:
    from bot.domain.personal_data import found, passes_eleven_test, redact

    assert passes_eleven_test("111222333") and passes_eleven_test("123456782")
    assert not passes_eleven_test("123456789") and not passes_eleven_test("000000000")
    assert found("BSN 1112.22.333") == ["bsn"]
    assert found("bsn 123456789") == []  # fails the 11-test: not a BSN
    assert found("+31 6 1234 5678 of 020-1234567") == ["phone"]
    assert found("piet@zorg.nl") == ["email"]
    assert found("3 tabletten, 500 mg, kamer 12, 21-11-2026 14:30") == []
    assert redact("mail piet@zorg.nl of bel 0612345678") == "mail [weggelaten] of bel [weggelaten]"


def test_a_suggestion_asked_again_is_the_same_and_its_own() -> None:
    """Kept for the turn's next question, not shared: a caller may change its list."""
    from bot.domain.taxonomy import suggest_categories

    first = suggest_categories("Mevrouw is gevallen naast het bed")
    first.append("changed")
    again = suggest_categories("Mevrouw is gevallen naast het bed")
    assert again == first[:-1] and "changed" not in again
