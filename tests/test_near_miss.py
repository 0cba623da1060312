"""'Bijna ongeval' means one thing: the harm answer "het ging net goed (bijna-incident)"
is the category near miss, and a near miss with injury is asked once which it was
(issue 14)."""

from __future__ import annotations

import pytest

from bot.flows.engine import DONE, SKIP
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import Chat, table_rows


async def _until_categories(chat: Chat, description: str) -> None:
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say(description)
    await chat.tap("today")
    if chat.question is not None and str(chat.question.token).startswith("kind_check."):
        await chat.tap("change")  # "Klopt dat?": show me the kinds ticked


async def _finish(chat: Chat) -> None:
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    await chat.tap("send")


async def test_the_harm_answer_near_miss_is_the_category_near_miss(
    service: ReportService, sqlite_db: Database
) -> None:
    chat = Chat(service, user="nina", name="Nina")
    await _until_categories(chat, "Verkeerde dosis klaargezet voor mevrouw")
    assert "near_accident" not in chat.selected
    await chat.tap(DONE)
    await chat.tap(DONE)
    await chat.tap("near_miss")
    await _finish(chat)
    [report] = await table_rows(sqlite_db, Report)
    assert "near_accident" in report.categories and report.harm == "near_miss"


@pytest.mark.parametrize(
    ("answer", "harm", "near_miss"), [("near", "near_miss", True), ("harm", "serious", False)]
)
async def test_a_near_miss_with_serious_injury_is_asked_once(
    service: ReportService, sqlite_db: Database, answer: str, harm: str, near_miss: bool
) -> None:
    chat = Chat(service, user="nina", name="Nina")
    await _until_categories(chat, "Bijna gevallen in de douche")
    assert "near_accident" in chat.selected
    await chat.tap(DONE)
    await chat.tap(DONE)
    await chat.tap("serious")
    assert "bijna-incident" in chat.question.text  # one confirming question
    await chat.tap(answer)
    if not near_miss:
        await chat.tap("given")  # first aid, only when someone was hurt
    await _finish(chat)
    [report] = await table_rows(sqlite_db, Report)
    assert report.harm == harm
    assert ("near_accident" in report.categories) is near_miss
    assert report.possible_calamity is (harm == "serious")
