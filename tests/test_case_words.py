"""Typed words for the leader's case buttons: `triage`, `afsluiten`, `contact` (nl/en, with
typos) do what pressing the button does; with several open reports, the bot asks which one.
A core rule (no adapter keeps track of the buttons shown): a typed word that names a case step,
from a person with no open conversation, is the step on the report(s) they handle."""

from __future__ import annotations

import pytest

from bot.service import ReportService
from tests.helpers import Chat


async def _reported(service: ReportService, user: str = "nina") -> None:
    await Chat(service, user=user, name=user.title()).report()


@pytest.mark.parametrize("typed", ["triage", "Triage", "triaje", "triage doen"])
async def test_typed_triage_starts_the_triage(service: ReportService, typed: str) -> None:
    await _reported(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.say(typed)
    assert "VIM-2026-0001" in leader.text
    assert leader.question is not None and "internal" in {o.value for o in leader.question.options}


@pytest.mark.parametrize("typed", ["contact", "ik neem contact op", "contakt", "Contact"])
async def test_typed_contact_is_the_contact_button(service: ReportService, typed: str) -> None:
    await _reported(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.say(typed)
    assert "jij neemt contact op" in leader.text


async def test_two_open_reports_ask_which(service: ReportService) -> None:
    await _reported(service, "nina")
    await _reported(service, "nina")
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.say("triage")
    assert leader.question is not None
    assert {o.value for o in leader.question.options} == {"VIM-2026-0001", "VIM-2026-0002"}
    await leader.tap("VIM-2026-0002")
    assert "VIM-2026-0002" in leader.text
    assert "internal" in {o.value for o in leader.question.options}


async def test_a_reporter_typing_contact_gets_the_menu(service: ReportService) -> None:
    await _reported(service)
    nina = Chat(service, user="nina", name="Nina")
    await nina.say("contact")
    assert "jij neemt contact op" not in nina.text
    assert nina.question is not None and "report" in {o.value for o in nina.question.options}
