"""Transcripts of the report conversation through the service (SQLite), as a person sees it."""

from __future__ import annotations

from bot.flows.engine import DONE, SKIP
from bot.service import ReportService
from tests.helpers import DESCRIPTION, Chat, table_rows

AGGRESSION = "Meneer schold mij uit en dreigde met een mes toen ik de deur opende"


async def _sent_report(chat: Chat) -> str:
    outcome = chat.outcomes[-1]
    assert outcome.reference is not None, chat.text
    return outcome.reference


async def test_typical_report_takes_at_most_nine_interactions(service: ReportService) -> None:
    chat = Chat(service, user="nina")  # member of one team: never asked
    await chat.command("/melden")
    chat.interactions = 0  # count from the first question
    await chat.tap("no")
    await chat.say(AGGRESSION)
    await chat.tap("now")
    assert "Verbale agressie en Bedreigen" in chat.question.text  # suggested from the words
    assert "Medewerker" in chat.question.text
    await chat.tap("yes")  # one tap confirms both
    await chat.tap("near_miss")
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    assert "Klopt dit?" in chat.question.text
    await chat.tap("send")
    reference = await _sent_report(chat)
    assert reference == "VIM-2026-0001"
    assert chat.interactions <= 9
    assert "binnen 24 uur contact" in chat.text  # aggression against staff: within 24 h (§7)


async def test_danger_shows_112_and_waits(service: ReportService) -> None:
    chat = Chat(service)
    await chat.command("/melden")
    await chat.tap("yes")
    assert "Bel eerst 112" in chat.question.text
    await chat.say("iets anders")  # not "Verder": the bot keeps waiting
    assert "Bel eerst 112" in chat.question.text
    await chat.tap("continue")
    assert "Wat is er gebeurd" in chat.text


async def _to_harm(chat: Chat) -> None:
    await chat.answer_up_to_harm()


async def test_first_aid_only_asked_when_someone_was_harmed(service: ReportService) -> None:
    chat = Chat(service)
    await _to_harm(chat)
    await chat.tap("minor")
    assert "eerste hulp" in chat.question.text
    await chat.tap("given")
    assert "meteen gedaan" in chat.question.text

    other = Chat(service, user="bob")
    await _to_harm(other)
    await other.tap("none")
    assert "meteen gedaan" in other.question.text


async def test_team_is_asked_once_and_remembered(service: ReportService) -> None:
    chat = Chat(service, user="bob")  # member of no team; two teams configured
    await _to_harm(chat)
    await chat.tap("none")
    await chat.say("Vloer drooggemaakt, dochter gebeld")
    assert "Bij welk team" in chat.question.text
    await chat.tap("zuid")
    await chat.tap("none")
    await chat.tap("send")
    await _sent_report(chat)

    await _to_harm(chat)
    await chat.tap("none")
    await chat.tap(SKIP)
    assert "Wil je dat iemand contact" in chat.question.text  # no team question this time


async def test_other_category_asks_for_a_word(service: ReportService) -> None:
    chat = Chat(service)
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("De voordeur was vernield toen ik aankwam")
    await chat.tap("today")
    assert chat.selected == []
    await chat.say("anders")
    await chat.tap(DONE)
    assert "Wat voor soort dan" in chat.text
    await chat.say("vernieling")
    assert "Wie is het overkomen" in chat.question.text


async def test_typed_date_forgiving_and_never_in_the_future(service: ReportService) -> None:
    chat = Chat(service)
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("Medicatie vergeten te geven")
    await chat.say("25-12-2026")
    assert "toekomst" in chat.text
    await chat.tap("other")
    await chat.say("morgen ofzo")
    assert "kan ik niet lezen" in chat.text
    await chat.say("16-11 om 8.45")
    assert "Klopt dat?" in chat.question.text  # the next question: the suggested kind


async def test_change_something_returns_to_the_summary(service: ReportService) -> None:
    chat = Chat(service, user="nina")
    await _to_harm(chat)
    await chat.tap("none")
    await chat.tap(SKIP)
    await chat.tap("none")
    await chat.say("aanpassen")  # typed: the menu of lines (the buttons go to one line)
    await chat.tap("harm")
    await chat.tap("serious")
    await chat.tap("emergency_called")  # newly applicable question
    assert "Klopt dit?" in chat.question.text
    assert "ernstig letsel" in chat.question.text
    await chat.tap("send")
    assert "de kwaliteitscoördinator en de directie" in chat.text  # told at once


async def test_any_summary_line_changes_with_one_tap(service: ReportService) -> None:
    chat = Chat(service, user="nina")
    await _to_harm(chat)
    await chat.tap("none")
    await chat.tap(SKIP)
    await chat.tap("none")
    assert "Klopt dit?" in chat.question.text
    labels = [o.label for o in chat.question.options]
    for line in ("Wat", "Wanneer", "Soort", "Wie", "Letsel", "Meteen gedaan", "Contact"):
        assert f"Wijzig: {line}" in labels  # one button per line of the summary
    await chat.tap_label("Wijzig: Letsel")  # one tap: straight to that question
    assert "serious" in [o.value for o in chat.question.options]
    await chat.tap("serious")
    await chat.tap("emergency_called")  # newly applicable question
    assert "Klopt dit?" in chat.question.text
    assert "ernstig letsel" in chat.question.text
    await chat.tap("send")
    assert "de kwaliteitscoördinator en de directie" in chat.text


async def test_cancel_discards_the_draft(service: ReportService) -> None:
    chat = Chat(service)
    await _to_harm(chat)
    await chat.say("stop")
    await chat.tap("yes")
    assert "niets bewaard" in chat.text
    await chat.say("hallo")
    assert "Nieuwe melding" in [o.label for o in chat.question.options]
    async with service.db.transaction() as store:
        assert await store.load_conversation("shell", "alice") is None


async def test_english_speaker_gets_english(service: ReportService) -> None:
    chat = Chat(service, language="en")
    await chat.command("/report")
    assert "immediate danger" in chat.question.text
    await chat.say("no")
    assert "What happened" in chat.text


async def test_too_long_text_is_refused_kindly_and_emoji_kept(service: ReportService) -> None:
    chat = Chat(service)
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("x" * 5000)
    assert "te lang" in chat.text and "5000" in chat.text
    await chat.say("Cliënt viel 😢 — 患者 упал")
    await chat.tap("now")
    state = (await _state(service))["answers"]
    assert state["description"] == "Cliënt viel 😢 — 患者 упал"


async def _state(service: ReportService) -> dict:
    async with service.db.transaction() as store:
        row = await store.load_conversation("shell", "alice")
        assert row is not None
        return row.state


async def test_personal_data_is_found_and_left_out_when_asked(service: ReportService) -> None:

    from storage.models import Report

    chat = Chat(service, user="nina")
    await chat.answer_up_to_harm(
        "Meneer (BSN 111222333) viel; dochter belt 06-12345678", when="today"
    )
    await chat.tap("none")
    await chat.say("Dochter gemaild op jan@voorbeeld.nl")
    assert "BSN, telefoonnummer of e-mailadres" in chat.question.text
    await chat.tap("remove")
    await chat.tap("none")
    assert "[weggelaten]" in chat.question.text and "111222333" not in chat.question.text
    await chat.tap("send")
    [report] = await table_rows(service.db, Report)
    assert report.description == "Meneer (BSN [weggelaten]) viel; dochter belt [weggelaten]"
    assert report.measures == "Dochter gemaild op [weggelaten]"


async def test_no_personal_data_question_for_ordinary_numbers(service: ReportService) -> None:
    chat = Chat(service, user="nina")
    await chat.answer_up_to_harm("Kamer 12: 3 tabletten van 500 mg om 14:30", when="today")
    await chat.tap("none")
    await chat.tap(SKIP)
    assert "Wil je dat iemand contact" in chat.question.text


# What a person taps or types at each question of a typical report (by the question's step).
TYPICAL_ANSWERS = {
    "danger": "no",
    "kind_check": "yes",
    "categories": DONE,
    "affected": DONE,
    "harm": "none",
    "measures": SKIP,
    "team": "zuid",
    "contact": "team_leader",
    "summary": "send",
}


async def _inputs_for_a_typical_report(chat: Chat, description: str) -> int:
    """Answer every question on screen as a person typically would; the inputs it took after
    the start command."""
    await chat.command("/melden")
    chat.interactions = 0
    while chat.outcomes[-1].reference is None and chat.interactions < 20:
        token = chat.replies[-1].token  # the question on screen (a text question has no buttons)
        assert token, chat.replies
        step = token.rsplit(".", 1)[0]
        if step == "description":
            await chat.say(description)
        elif step == "when":
            await chat.tap("now")
        else:
            await chat.tap(TYPICAL_ANSWERS[step])
    return chat.interactions


async def test_a_report_takes_at_most_eight_inputs_or_nine_when_the_team_is_asked(
    service: ReportService,
) -> None:
    known = Chat(service, user="nina")  # member of one team: never asked
    assert await _inputs_for_a_typical_report(known, AGGRESSION) <= 8
    first = Chat(service, user="bob")  # member of no team: asked once
    assert await _inputs_for_a_typical_report(first, DESCRIPTION) <= 9


async def test_the_summary_shows_a_typed_date_and_time_as_it_will_be_stored(
    service: ReportService,
) -> None:
    chat = Chat(service, user="nina")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say(DESCRIPTION)
    await chat.tap("other")
    await chat.say("15-11 om 21:00")
    await chat.tap("yes")
    await chat.tap("none")
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    assert "Klopt dit?" in chat.question.text
    assert "zondag 15 november 2026 om 21:00" in chat.question.text
    assert "Andere datum" not in chat.question.text


async def test_the_first_message_promises_only_what_is_true(service: ReportService) -> None:
    chat = Chat(service, user="nina")
    await chat.command("/melden")
    assert "een paar vragen, meestal met één tik" in chat.text
    assert "minuut" not in chat.text
