"""The real python-telegram-bot Application against a fake Bot API server on 127.0.0.1.

Assertions read what reached the fake server: the requests, not internal calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from structlog.testing import capture_logs

from bot.clock import FrozenClock
from bot.commands import MENU
from bot.i18n import Translator
from bot.runner import Bot
from storage.db import Database
from storage.models import Conversation, OutboxMessage, Person, Report
from tests.fakes.recording import Reconnecting, free_port, never_sleep
from tests.fakes.telegram_api import BOT_USERNAME, Call, FakeTelegram
from tests.helpers import SORRY, Outage, answer_report, count_rows, make_config, table_rows

WORKER = 4242
LEADER = 9001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def telegram_config(fake: FakeTelegram, **telegram: Any):
    return make_config(
        telegram={
            "enabled": True,
            "token": fake.token,
            "base_url": fake.base_url,
            "poll_timeout": 1,
            **telegram,
        },
        teams=[
            {
                "id": "noord",
                "name": "Wijkteam Noord",
                "leaders": [f"telegram:{LEADER}"],
                "members": [f"telegram:{WORKER}"],
            }
        ],
    )


class Harness:
    """A running bot plus the fake server, with helpers that act like a person's phone."""

    def __init__(self, fake: FakeTelegram, bot: Bot, db: Database) -> None:
        self.fake, self.bot, self.db = fake, bot, db

    def question(self, chat_id: int = WORKER) -> Call:
        for call in reversed(self.fake.calls):
            if (
                call.method in ("sendMessage", "editMessageText")
                and str(call.params.get("chat_id")) == str(chat_id)
                and call.params.get("reply_markup")
            ):
                return call
        raise AssertionError("no question with buttons was sent")

    def buttons(self, call: Call) -> list[dict[str, str]]:
        rows = call.params["reply_markup"]["inline_keyboard"]
        return [button for row in rows for button in row]

    async def tap(self, value: str, user: int = WORKER, question: Call | None = None) -> None:
        call = question or self.question(user)
        data = next(
            b["callback_data"]
            for b in self.buttons(call)
            if b["callback_data"].endswith(f"|{value}")
        )
        message_id = call.result["message_id"]
        await self.fake.handled(self.fake.push_callback(user, message_id, data))

    async def say(self, text: str, user: int = WORKER) -> None:
        await self.fake.handled(self.fake.push_text(user, text))

    async def outbox_delivered(self) -> None:
        """Wait until the deliveries the turns started (``Bot.kick_outbox``) are recorded."""
        while self.bot._kicks:
            await asyncio.gather(*self.bot._kicks)

    async def count(self, model: type) -> int:
        return await count_rows(self.db, model)


async def _start(fake: FakeTelegram, db: Database, clock: FrozenClock, **telegram: Any) -> Bot:
    bot = Bot(telegram_config(fake, **telegram), db, clock)
    await bot.start()
    return bot


@pytest.fixture
async def harness(
    fake: FakeTelegram, sqlite_db: Database, clock: FrozenClock
) -> AsyncIterator[Harness]:
    bot = await _start(fake, sqlite_db, clock)
    yield Harness(fake, bot, sqlite_db)
    await bot.stop()


async def _report_until_summary(h: Harness) -> None:
    await h.say("/melden")
    await answer_report(h, "Mevrouw schold mij uit <b>en</b> dreigde * _ 😡", "now")
    await h.tap("team_leader")


async def test_commands_registered_in_dutch_and_english(harness: Harness) -> None:
    calls = harness.fake.calls_of("setMyCommands")
    assert {c.params.get("language_code") for c in calls} == {"nl", "en", None}
    dutch = next(c for c in calls if c.params.get("language_code") == "nl")
    assert [c["command"] for c in dutch.params["commands"]] == [
        "melden",
        "anoniem",
        "status",
        "help",
        "stop",
    ]


async def test_the_menu_is_the_command_registrys_menu(harness: Harness) -> None:
    """setMyCommands lists exactly the registry's menu commands, with their texts."""
    for call in harness.fake.calls_of("setMyCommands"):
        t = Translator(call.params.get("language_code") or "nl")
        assert [(c["command"], c["description"]) for c in call.params["commands"]] == [
            (c.name.value, t(c.description)) for c in MENU
        ]


async def test_full_report_with_messages_and_buttons(harness: Harness) -> None:
    h = harness
    await _report_until_summary(h)
    summary = h.question()
    assert "Klopt dit?" in summary.params["text"]
    assert "&lt;b&gt;en&lt;/b&gt;" in summary.params["text"]  # user text escaped
    assert summary.params["parse_mode"] == "HTML"
    await h.tap("send")
    await h.fake.wait_for_message(WORKER, "VIM-2026-0001")
    notification = await h.fake.wait_for_message(LEADER, "Nieuwe VIM-melding VIM-2026-0001")
    assert "&lt;b&gt;" in notification.params["text"]
    assert await h.count(Report) == 1 and await h.count(Conversation) == 0
    taps = len(h.fake.calls_of("answerCallbackQuery"))
    assert taps == 7  # every button press answered
    [report] = await table_rows(h.db, Report)
    assert report.reporter_address == f"telegram:{WORKER}"
    assert report.description == "Mevrouw schold mij uit <b>en</b> dreigde * _ 😡"


async def test_the_reply_does_not_wait_for_the_button_answer(harness: Harness) -> None:
    h = harness
    await h.say("/melden")
    h.fake.delays["answerCallbackQuery"] = 1.0  # Telegram is slow to take the answer
    question = h.question()
    before = len(h.fake.calls)
    h.fake.push_callback(
        WORKER, question.result["message_id"], h.buttons(question)[1]["callback_data"]
    )
    reply = await h.fake.wait_for(
        lambda c: c.method in ("sendMessage", "editMessageText") and h.fake.calls.index(c) >= before
    )
    answer = await h.fake.wait_for(
        lambda c: c.method == "answerCallbackQuery" and h.fake.calls.index(c) >= before
    )
    assert h.fake.calls.index(reply) < h.fake.calls.index(answer)  # the reply came first


async def test_multi_choice_is_edited_in_place(harness: Harness) -> None:
    h = harness
    await h.say("/melden")
    await h.tap("no")
    await h.say("Cliënt is gevallen")
    await h.tap("now")
    await h.tap("change")  # "Klopt dat?": no, tick the kind myself
    question = h.question()
    await h.tap("accident", question=question)
    edit = h.fake.calls_of("editMessageText")[-1]
    assert edit.params["message_id"] == question.result["message_id"]
    ticked = [b["text"] for b in h.buttons(edit) if b["text"].startswith("✅")]
    assert ticked == ["✅ Val", "✅ Ongeval"]


async def test_stale_button_gets_the_current_question(harness: Harness) -> None:
    h = harness
    await h.say("/melden")
    first = h.question()
    await h.tap("no")
    await h.say("Cliënt is gevallen")
    await h.tap("yes", question=first)  # the danger question again, from an old message
    reply = await h.fake.wait_for_message(WORKER, "al voorbij")
    assert reply
    async with h.db.transaction() as store:
        conversation = await store.load_conversation("telegram", str(WORKER))
        assert conversation is not None and conversation.state["answers"]["danger"] == "no"


async def test_group_message_points_to_private_chat_and_stores_nothing(harness: Harness) -> None:
    h = harness
    h.fake.push_text(WORKER, f"/melden@{BOT_USERNAME}", chat_id=-1001, chat_type="group")
    reply = await h.fake.wait_for_message(-1001, f"https://t.me/{BOT_USERNAME}?start=melden")
    assert reply
    h.fake.push_text(WORKER, f"/melden@{BOT_USERNAME}", chat_id=-1001, chat_type="group")
    h.fake.push_text(WORKER, "/help", chat_id=WORKER)  # a marker to know the bot went on
    await h.fake.wait_for_message(WORKER, "Met mij meld je")
    replies = [c for c in h.fake.calls_of("sendMessage") if c.params["chat_id"] == -1001]
    assert len(replies) == 1  # answered once, not every time
    assert await h.count(Conversation) == 0 and await h.count(Report) == 0
    assert await h.count(Person) == 0  # nobody is stored for talking to the bot


async def test_restart_mid_report_redelivered_updates_processed_once(
    fake: FakeTelegram, sqlite_db: Database, clock: FrozenClock
) -> None:
    bot = await _start(fake, sqlite_db, clock)
    h = Harness(fake, bot, sqlite_db)
    await h.say("/melden")
    await h.tap("no")
    await h.say("Cliënt kreeg verkeerde medicatie")
    await bot.stop()  # the process goes away in the middle of the report

    sends_before = len(fake.calls_of("sendMessage", "editMessageText"))
    calls_before = len(fake.calls)
    bot2 = await _start(fake, sqlite_db, clock)  # the fake serves every update again
    h2 = Harness(fake, bot2, sqlite_db)
    try:
        h2.fake.push_text(WORKER, "/help")  # marker: processed after the redelivered ones
        await fake.wait_for(
            lambda c: (
                fake.calls.index(c) >= calls_before
                and "Wanneer gebeurde het" in str(c.params.get("text"))
            )
        )
        sends = fake.calls_of("sendMessage", "editMessageText")[sends_before:]
        # only the marker was answered (help, then the current question again):
        # the redelivered updates changed nothing
        texts = [c.params.get("text", "") for c in sends]
        assert len(sends) == 2 and "altijd typen" in texts[0], texts
        async with sqlite_db.transaction() as store:
            row = await store.load_conversation("telegram", str(WORKER))
            assert row is not None and row.state["step"] == "when"
        question = next(
            c
            for c in reversed(fake.calls)
            if c.params.get("reply_markup") and "Wanneer" in c.params.get("text", "")
        )
        await h2.tap("now", question=question)
        await fake.wait_for_message(WORKER, "Ik lees in je verhaal")
    finally:
        await bot2.stop()


async def test_flaky_api_429_then_success_via_outbox(harness: Harness) -> None:
    h = harness
    too_many = {"description": "Too Many Requests: retry after 3", "parameters": {"retry_after": 3}}
    h.fake.fail_next("sendMessage", 429, too_many)  # the first reply hits the rate limit
    await h.fake.handled(h.fake.push_text(WORKER, "/melden"))
    await h.fake.wait_for(lambda c: c.result == ("failed", 429))
    queued = await table_rows(h.db, OutboxMessage, OutboxMessage.platform == "telegram")
    # the reply and the question after it wait together, in order, for retry_after
    assert [m.status for m in queued] == ["pending", "pending"]
    assert "Fijn dat je" in queued[0].payload["text"] and queued[1].payload["options"]
    clock: FrozenClock = h.bot.clock  # type: ignore[assignment]
    assert (await h.bot.dispatcher.dispatch_due()).sent == 0  # not before its time
    clock.advance(timedelta(seconds=3))
    assert (await h.bot.dispatcher.dispatch_due()).sent == 2
    intro = await h.fake.wait_for_message(WORKER, "Fijn dat je dit meldt")
    question = await h.fake.wait_for_message(WORKER, "direct gevaar")
    assert h.fake.calls.index(intro) < h.fake.calls.index(question)


async def test_leader_notification_retried_after_server_error(harness: Harness) -> None:
    h = harness
    await _report_until_summary(h)
    h.fake.fail_next("sendMessage", 502, {"description": "Bad Gateway"}, chat_id=LEADER)
    await h.tap("send")
    await h.fake.wait_for(lambda c: c.result == ("failed", 502))
    await h.fake.wait_for_message(WORKER, "VIM-2026-0001")
    clock: FrozenClock = h.bot.clock  # type: ignore[assignment]
    clock.advance(timedelta(minutes=6))
    await h.bot.dispatcher.dispatch_due()
    await h.fake.wait_for_message(LEADER, "VIM-2026-0001")


async def test_blocked_recipient_is_recorded_not_retried(harness: Harness) -> None:
    h = harness
    await _report_until_summary(h)
    blocked = {"description": "Forbidden: bot was blocked by the user"}
    h.fake.fail_next("sendMessage", 403, blocked, chat_id=LEADER)
    await h.tap("send")
    await h.fake.wait_for(lambda c: c.result == ("failed", 403))
    await h.outbox_delivered()
    [message] = await table_rows(h.db, OutboxMessage, OutboxMessage.platform == "telegram")
    assert message.status == "failed" and "blocked" in (message.last_error or "")
    clock: FrozenClock = h.bot.clock  # type: ignore[assignment]
    clock.advance(timedelta(days=1))
    assert (await h.bot.dispatcher.dispatch_due()).sent == 0


async def test_webhook_checks_the_secret_token(
    fake: FakeTelegram, sqlite_db: Database, clock: FrozenClock
) -> None:
    port = free_port()
    bot = Bot(_webhook_config(fake, port), sqlite_db, clock)
    await bot.start()
    try:
        [set_webhook] = fake.calls_of("setWebhook")
        assert set_webhook.params["secret_token"] == "s3cret-token_1"
        update = {"update_id": 1, **fake.text_update(WORKER, "/help")}
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=update) as response:
                assert response.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"}
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        await fake.wait_for_message(WORKER, "Met mij meld je")
        assert await Harness(fake, bot, sqlite_db).count(Person) == 0
    finally:
        await bot.stop()


def _webhook_config(fake: FakeTelegram, port: int):
    config = telegram_config(
        fake,
        mode="webhook",
        webhook_url="https://bot.example/telegram/webhook",
        webhook_secret="s3cret-token_1",
    )
    config.server.port = port
    return config


async def test_webhook_body_that_is_not_an_object_is_a_400_without_traceback(
    fake: FakeTelegram,
    sqlite_db: Database,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()
    bot = Bot(_webhook_config(fake, port), sqlite_db, clock)
    await bot.start()
    try:
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        headers = {
            "X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1",
            "Content-Type": "application/json",
        }
        statuses = []
        async with aiohttp.ClientSession() as session:
            for body in ("[1,2]", '"x"', "1", "null", "true", "{]"):
                async with session.post(url, data=body, headers=headers) as response:
                    statuses.append(response.status)
        assert statuses == [400] * 6
        assert not [r for r in caplog.records if r.exc_info]
        assert "Traceback" not in capsys.readouterr().err
    finally:
        await bot.stop()


async def test_leader_buttons_work_in_telegram(harness: Harness) -> None:
    h = harness
    await _report_until_summary(h)
    await h.tap("send")
    notification = await h.fake.wait_for_message(LEADER, "Nieuwe VIM-melding")
    buttons = [b for row in notification.params["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == [
        "case:VIM-2026-0001|contact",
        "case:VIM-2026-0001|triage",
    ]
    h.fake.push_callback(LEADER, notification.result["message_id"], buttons[0]["callback_data"])
    await h.fake.wait_for_message(LEADER, "jij neemt contact op")
    await h.fake.wait_for_message(WORKER, "contact opgenomen")  # the reporter hears it
    h.fake.push_callback(LEADER, notification.result["message_id"], buttons[1]["callback_data"])
    triage = await h.fake.wait_for_message(LEADER, "Triage: hoe pakken we dit op?")
    assert triage.params["reply_markup"]
    [report] = await table_rows(h.db, Report)
    assert report.status == "contacted" and report.contacted_by == f"telegram:{LEADER}"


async def test_anonymous_report_offers_to_wipe_the_chat(harness: Harness) -> None:
    h = harness
    await _report_until_summary(h)
    await h.tap("send_anonymous")
    offer = await h.fake.wait_for_message(WORKER, "uit je chat wissen")
    [[button]] = offer.params["reply_markup"]["inline_keyboard"]
    h.fake.push_callback(WORKER, offer.result["message_id"], button["callback_data"])
    await h.fake.wait_for_message(WORKER, "Het gesprek is gewist")
    deleted = [i for c in h.fake.calls_of("deleteMessages") for i in c.params["message_ids"]]
    sent_to_worker = [
        c.result["message_id"]
        for c in h.fake.calls_of("sendMessage")
        if c.params["chat_id"] == WORKER
        and isinstance(c.result, dict)
        and "gewist" not in c.params.get("text", "")
    ]
    assert set(sent_to_worker) <= set(deleted)  # the bot's questions and the summary
    assert len(deleted) > len(sent_to_worker)  # and the person's own messages


async def test_anonymous_report_leaves_no_trace_of_the_telegram_user(harness: Harness) -> None:
    from tests.test_privacy import dump

    h = harness
    person = 918273645  # a number that can't turn up by chance
    await h.say("/anoniem", user=person)
    await h.tap("no", user=person)
    await h.say("Cliënt sloeg mij met een stok", user=person)
    for value in (
        "now",
        "yes",  # the suggested kind and who it happened to
        "minor",
        "not_needed",
        "_skip",
        "none",
        "send_anonymous",
    ):
        await h.tap(value, user=person)
    await h.fake.wait_for_message(person, "code is")
    stored = await dump(h.db)
    assert "Cliënt sloeg mij met een stok" in stored
    assert str(person) not in stored and f"User{person}" not in stored


async def test_telegram_unreachable_at_start_is_retried(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    fake = FakeTelegram(port=free_port())  # not started: connections are refused

    async def back() -> None:  # Telegram is reachable again, but answers 502 once
        await fake.start()
        fake.fail_next("getMe", 502, {"description": "Bad Gateway"})

    sleep = Reconnecting(back)
    bot = Bot(telegram_config(fake), sqlite_db, clock, sleep=sleep)
    try:
        with capture_logs() as logs:
            await bot.start()
        sleep.assert_backed_off(logs, "telegram_unreachable_retrying", fake.token)
        results = [c.result for c in fake.calls_of("getMe")]
        assert results[0] == ("failed", 502) and results[1]["username"] == BOT_USERNAME
        await Harness(fake, bot, sqlite_db).say("/help")
        await fake.wait_for_message(WORKER, "Met mij meld je")
    finally:
        await bot.stop()
        await fake.stop()


async def test_wrong_token_fails_clearly_at_start_and_is_not_retried(
    fake: FakeTelegram, sqlite_db: Database, clock: FrozenClock
) -> None:
    from bot.config import ConfigError

    config = telegram_config(fake, token="999:WRONG-token-abcdefghijklmnopqrstu")
    bot = Bot(config, sqlite_db, clock, sleep=never_sleep)
    with pytest.raises(ConfigError, match="rejected the token"):
        await bot.start()
    await bot.stop()


def _quick(bot: Bot) -> Bot:
    bot.service.turn_retry_pauses = (0.0, 0.0)
    return bot


async def test_webhook_answers_5xx_while_the_database_is_down_then_the_redelivery_works(
    fake: FakeTelegram, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    bot = _quick(Bot(_webhook_config(fake, port), sqlite_db, clock))
    await bot.start()
    outage = Outage(monkeypatch)
    try:
        update = {"update_id": 77, **fake.text_update(WORKER, "/help")}
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token_1"}
        outage.active = True
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 503  # Telegram will deliver it again
            await fake.wait_for_message(WORKER, SORRY)  # the person hears something is wrong
            outage.active = False
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        await fake.wait_for_message(WORKER, "Met mij meld je")
    finally:
        await bot.stop()


async def test_polling_keeps_an_update_the_database_could_not_take(
    fake: FakeTelegram, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = _quick(await _start(fake, sqlite_db, clock))
    outage = Outage(monkeypatch)
    try:
        outage.active = True
        update_id = fake.push_text(WORKER, "/help")
        await fake.wait_for_message(WORKER, SORRY)

        async def tried_again() -> None:  # the update was fetched and tried again
            while outage.failed < 6:
                outage.changed.clear()
                await outage.changed.wait()

        await asyncio.wait_for(tried_again(), 10)
        assert fake.delivered_offset <= update_id  # never confirmed to Telegram
        outage.active = False
        await fake.wait_for_message(WORKER, "Met mij meld je")
        sorry = [c for c in fake.calls_of("sendMessage") if SORRY in c.params.get("text", "")]
        assert len(sorry) == 1  # said once, not at every retry
    finally:
        await bot.stop()
