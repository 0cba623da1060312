"""Commands at any moment (issue 17): ``/status``, ``/status CODE``, the leader's commands and
``/taal`` work in the middle of a draft and then ask the open question again, the draft kept;
a fresh ``vimbot shell`` shows the welcome first, and ending it mid-draft says the draft is
kept."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage.db import Database
from storage.models import Person
from tests.helpers import REFERENCE, Chat, make_config, table_rows, vimbot

WHEN = "today"  # an option of the question open in the middle of the draft


async def _in_the_middle(chat: Chat) -> str:
    """Start a report and answer up to the 'when' question; that question's text."""
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("Mevrouw is gevallen naast het bed")
    assert chat.question is not None and WHEN in {o.value for o in chat.question.options}
    return chat.question.text


async def _goes_on(chat: Chat, question: str) -> None:
    """The open question was asked again, and the draft goes on from there."""
    assert chat.replies[-1].text == question, chat.text
    await chat.tap(WHEN)
    assert "herken" not in chat.text


async def test_status_in_the_middle_of_a_draft_then_the_question_again(
    service: ReportService,
) -> None:
    alice = Chat(service)
    await alice.report()
    question = await _in_the_middle(alice)
    await alice.command("/status")
    assert REFERENCE in alice.text
    await _goes_on(alice, question)


async def test_status_code_in_the_middle_of_a_draft(service: ReportService) -> None:
    bob = Chat(service, user="bob", name="Bob")
    await bob.report(send="send_anonymous")
    code = bob.code
    question = await _in_the_middle(bob)
    await bob.command(f"/status {code}")
    assert "herken" not in bob.text and "werkt niet" not in bob.text, bob.text
    assert len(bob.replies) >= 2
    await _goes_on(bob, question)


async def test_leader_commands_in_the_middle_of_a_draft(service: ReportService) -> None:
    await Chat(service).report()
    leader = Chat(service, user="lead-noord", name="Lea")
    question = await _in_the_middle(leader)
    await leader.command("/open")
    assert REFERENCE in leader.text
    await leader.command(f"/melding {REFERENCE}")
    assert REFERENCE in leader.text and "werkt niet" not in leader.text
    await leader.command("/acties")
    assert "werkt niet" not in leader.text
    await _goes_on(leader, question)


async def test_taal_switches_the_language_in_the_middle_of_a_draft(
    service: ReportService, sqlite_db: Database
) -> None:
    alice = Chat(service)
    await alice.report()  # a named report: Alice is stored
    dutch = await _in_the_middle(alice)
    await alice.command("/taal en")
    assert alice.replies[-1].text != dutch  # the same question, now in English
    assert "When" in alice.replies[-1].text or "when" in alice.replies[-1].text
    [person] = await table_rows(sqlite_db, Person)
    assert person.language == "en"
    await alice.command("/taal nl")
    await _goes_on(alice, dutch)


def test_a_fresh_shell_shows_the_welcome_and_takes_status_code_first(workdir: Path) -> None:
    result = vimbot("shell", "--user", "carl", cwd=workdir, stdin="/status ABCD-EFGH\n")
    assert result.returncode == 0, result.stderr
    assert "Hoi! Ik ben de VIM-bot" in result.stdout, result.stdout
    assert "werkt niet midden in een melding" not in result.stdout, result.stdout


def test_ending_the_shell_in_the_middle_of_a_draft_says_it_is_kept(workdir: Path) -> None:
    result = vimbot("shell", "--user", "dora", cwd=workdir, stdin="melden\nnee\n")
    assert result.returncode == 0, result.stderr
    assert "is bewaard" in result.stdout.split("Wat is er gebeurd")[-1], result.stdout


def _procedure_config() -> Config:
    return make_config(
        organisation={
            "name": "Test Thuiszorg",
            "timezone": "Europe/Amsterdam",
            "coordinator_name": "Karin de Wit",
            "vim_meeting": "elk kwartaal",
        }
    )


async def test_procedure_explains_the_organisations_procedure(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(_procedure_config(), sqlite_db, clock)
    alice = Chat(service)
    await alice.command("/procedure")
    text = alice.text
    assert "melden" in text  # where to report
    assert "1 werkdag" in text and "24 uur" in text  # what happens next, and when
    assert "teamleider" in text and "/status" in text  # from whom feedback comes, and where
    assert "Karin de Wit" in text and "elk kwartaal" in text
    await alice.command("/help")
    assert "Karin de Wit" in alice.text and "elk kwartaal" in alice.text
    question = await _in_the_middle(alice)
    await alice.command("/procedure")
    assert "Karin de Wit" in alice.text
    await _goes_on(alice, question)
