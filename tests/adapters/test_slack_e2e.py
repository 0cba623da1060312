"""The real bolt AsyncApp over HTTP (signed requests) against a fake Slack Web API.

Assertions read what reached the fake Web API.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from structlog.testing import capture_logs

from bot.adapters.slack import app as slack_app
from bot.adapters.slack import render
from bot.clock import FrozenClock
from bot.commands import MENU
from bot.domain.dates import When
from bot.flows.engine import Flow, View
from bot.flows.report import REPORT_FLOW
from bot.runner import Bot
from storage.db import Database
from storage.models import Conversation, OutboxMessage, Person, Report
from tests.fakes.recording import Reconnecting, free_port, never_sleep
from tests.fakes.slack_api import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    Call,
    FakeSlack,
    signed_headers,
)
from tests.helpers import SORRY, Outage, answer_report, count_rows, make_config, table_rows

WORKER, LEADER = "U0WORKER", "U0LEADER"
DM = f"D{WORKER}"
_ids = itertools.count(1)


def slack_config(fake: FakeSlack, mode: str = "http", port: int = 0):
    config = make_config(
        slack={
            "enabled": True,
            "bot_token": BOT_TOKEN,
            "app_token": APP_TOKEN,
            "signing_secret": SIGNING_SECRET,
            "api_url": fake.api_url,
            "mode": mode,
        },
        teams=[
            {
                "id": "noord",
                "name": "Wijkteam Noord",
                "leaders": [f"slack:{LEADER}"],
                "members": [f"slack:{WORKER}"],
            },
            {"id": "zuid", "name": "Wijkteam Zuid", "leaders": ["slack:U0ZUID"]},
        ],
    )
    config.server.port = port
    return config


class Harness:
    def __init__(self, fake: FakeSlack, bot: Bot, db: Database, port: int) -> None:
        self.fake, self.bot, self.db = fake, bot, db
        self.url = f"http://127.0.0.1:{port}/slack/events"

    async def post(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> tuple[int, str]:
        all_headers = {
            "Content-Type": content_type,
            **signed_headers(body, timestamp),
            **(headers or {}),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body.encode(), headers=all_headers) as response,
        ):
            return response.status, await response.text()

    async def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event_id": event_id or f"Ev{next(_ids)}",
                "event_time": 1,
                "event": event,
            }
        )
        status, _ = await self.post(body, "application/json", headers)
        return status

    async def dm(self, text: str, **kwargs: Any) -> int:
        return await self.event(
            {
                "type": "message",
                "channel": DM,
                "channel_type": "im",
                "user": WORKER,
                "text": text,
                "ts": "1.0",
            },
            **kwargs,
        )

    async def say(self, text: str) -> None:
        assert await self.dm(text) == 200

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def command(self, text: str, channel: str = "C0GENERAL") -> int:
        body = urlencode(
            {
                "command": "/vim",
                "text": text,
                "user_id": WORKER,
                "user_name": "uma",
                "channel_id": channel,
                "team_id": "T1",
                "trigger_id": "trig1",
                "response_url": f"http://127.0.0.1:{self.fake.port}/respond/1",
                "api_app_id": "A1",
                "token": "x",
            }
        )
        status, _ = await self.post(body, "application/x-www-form-urlencoded")
        return status

    def question(self) -> Call:
        for call in reversed(self.fake.calls):
            if (
                call.method in ("chat.postMessage", "chat.update")
                and any(b.get("type") == "actions" for b in call.params.get("blocks") or [])
                and call.params.get("channel") == DM
            ):
                return call
        raise AssertionError("no question with buttons")

    def buttons(self, call: Call) -> list[dict[str, Any]]:
        return [e for b in call.params["blocks"] if b["type"] == "actions" for e in b["elements"]]

    async def tap(self, value: str, question: Call | None = None) -> None:
        call = question or self.question()
        button = next(b for b in self.buttons(call) if b["value"].endswith(f"|{value}"))
        assert await self.press(button, call) == 200

    async def press(
        self, button: dict[str, Any], message: Call, user: str = WORKER, name: str = "uma"
    ) -> int:
        """``user`` presses ``button`` of ``message`` in their DM with the bot."""
        status, _ = await self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user, "name": name},
                "team": {"id": "T1"},
                "api_app_id": "A1",
                "token": "x",
                "trigger_id": "trig2",
                "channel": {"id": f"D{user}"},
                "container": {"type": "message", "channel_id": f"D{user}"},
                "message": {"ts": message.result["ts"], "text": ""},
                "actions": [
                    {
                        "type": "button",
                        "action_id": button["action_id"],
                        "block_id": "b1",
                        "value": button["value"],
                        "action_ts": str(time.time()),
                    }
                ],
            }
        )
        return status

    async def count(self, model: type) -> int:
        return await count_rows(self.db, model)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def processing_before_ack(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app handles a request before it answers it (bolt's ``process_before_response``):
    when a test's request returns, its turn is over and its replies are sent, so the test
    waits for no reply, and a check that nothing was stored or sent is meaningful. In
    production the app answers first (Slack waits 3 s at most) and works after."""

    class ProcessingBeforeAck(AsyncApp):
        def __init__(self, **options: Any) -> None:
            super().__init__(**{**options, "process_before_response": True})

    monkeypatch.setattr(slack_app, "AsyncApp", ProcessingBeforeAck)


@pytest.fixture
async def harness(
    fake: FakeSlack, sqlite_db: Database, clock: FrozenClock, processing_before_ack: None
) -> AsyncIterator[Harness]:
    port = free_port()
    bot = Bot(slack_config(fake, port=port), sqlite_db, clock)
    await bot.start()
    yield Harness(fake, bot, sqlite_db, port)
    await bot.stop()


@pytest.fixture
async def answering_first(
    fake: FakeSlack, sqlite_db: Database, clock: FrozenClock
) -> AsyncIterator[Harness]:
    """The app as in production: Slack gets its answer first, the turn's replies follow."""
    port = free_port()
    bot = Bot(slack_config(fake, port=port), sqlite_db, clock)
    await bot.start()
    yield Harness(fake, bot, sqlite_db, port)
    await bot.stop()


async def _until_summary(h: Harness) -> None:
    await h.command("")
    await answer_report(h, "<!channel> Meneer schold mij uit & dreigde <http://x|klik> 😡", "now")
    await h.tap("team_leader")


async def test_full_report_by_dm_and_buttons(harness: Harness) -> None:
    h = harness
    await _until_summary(h)
    respond = h.fake.calls_of("respond")
    assert respond and respond[0].params["response_type"] == "ephemeral"  # /vim in a channel
    summary = h.question()
    text = json.dumps(summary.params["blocks"], ensure_ascii=False)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text  # no ping, no fake link
    await h.tap("send")
    await h.fake.wait_for_post(DM, "VIM-2026-0001")
    notification = await h.fake.wait_for_post(f"{LEADER}", "Nieuwe VIM-melding")
    assert "&lt;!channel&gt;" in json.dumps(notification.params["blocks"], ensure_ascii=False)
    assert "<!channel>" not in notification.params["text"]
    assert await h.count(Report) == 1 and await h.count(Conversation) == 0
    # One HTTP session for the bot's life: the calls share a few kept-alive connections.
    assert len(h.fake.peers) > 10 and len(set(h.fake.peers)) <= 3


async def test_multi_choice_updates_the_message_in_place(harness: Harness) -> None:
    h = harness
    await h.command("")
    await h.tap("no")
    await h.dm("Cliënt is gevallen")
    await h.tap("now")
    await h.tap("change")  # "Klopt dat?": no, tick the kind myself
    question = h.question()
    await h.tap("accident", question=question)
    update = h.fake.calls_of("chat.update")[-1]
    assert update.params["ts"] == question.result["ts"]
    ticked = [b["text"]["text"] for b in h.buttons(update) if b["text"]["text"].startswith("✅")]
    assert ticked == ["✅ Val", "✅ Ongeval"]


def _submission(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "token": "x",
        "user": {"id": WORKER, "name": "uma"},
        "trigger_id": "trig3",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "vim_report_form",
            "state": {"values": values},
        },
    }


def _text(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def _select(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"value": {"type": "static_select", "selected_option": option}}


def _multi(*values: str) -> dict[str, Any]:
    return {
        "value": {"type": "multi_static_select", "selected_options": [{"value": v} for v in values]}
    }


async def test_modal_form_with_validation_errors_then_sent(harness: Harness) -> None:
    h = harness
    await h.command("formulier")
    opened = await h.fake.wait_for(lambda c: c.method == "views.open")
    blocks = {b.get("block_id") for b in opened.params["view"]["blocks"]}
    assert {"description", "when", "categories", "affected", "harm", "contact"} <= blocks
    assert "team" not in blocks and "danger" not in blocks  # team known; safety is a hint

    status, body = await h.interaction(
        _submission(
            {
                "description": _text(""),
                "when": _select("other"),
                "when_date": _text("morgen"),
                "categories": _multi(),
                "affected": _multi("client"),
                "harm": _select("none"),
                "contact": _select("none"),
            }
        )
    )
    assert status == 200
    response = json.loads(body)
    assert response["response_action"] == "errors"
    assert set(response["errors"]) == {"description", "when_date", "categories"}
    assert await h.count(Report) == 0

    status, body = await h.interaction(
        _submission(
            {
                "description": _text("Cliënt viel in de badkamer"),
                "when": _select("yesterday"),
                "categories": _multi("fall"),
                "affected": _multi("client"),
                "harm": _select("minor"),
                "first_aid": _select("given"),
                "measures": _text(None),
                "contact": _select("none"),
                "anonymous": {
                    "value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
                },
            }
        )
    )
    assert status == 200 and "errors" not in body
    response = json.loads(body)
    assert response["response_action"] == "update"  # confirmation and code in the form only
    shown = json.dumps(response["view"], ensure_ascii=False)
    assert "anoniem verstuurd" in shown and "code is" in shown
    assert not [c for c in h.fake.calls_of("chat.postMessage") if c.params["channel"] == DM]
    [report] = await table_rows(h.db, Report)
    assert report.anonymous and report.reporter_address is None and report.team_id == "noord"


async def test_the_form_offers_today_as_the_local_date(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """00:30 in Amsterdam is 23:30 UTC the day before: the form's "today" is the local day."""
    h = harness
    clock: FrozenClock = h.bot.clock  # type: ignore[assignment]
    clock.set(datetime(2026, 3, 9, 23, 30, tzinfo=UTC))  # 10 March, 00:30 in Amsterdam (CET)
    built: list[View] = []
    form_view = render.form_view

    def building(flow: Flow, view: View, anonymous: bool = False) -> dict[str, Any]:
        built.append(view)
        return form_view(flow, view, anonymous)

    monkeypatch.setattr(render, "form_view", building)
    await h.command("formulier")
    await h.fake.wait_for(lambda c: c.method == "views.open")
    [view] = built
    assert view.ctx.now_local.date() == date(2026, 3, 10)
    today = REPORT_FLOW.step("when").convert
    assert today is not None and today("today", view) == When(date(2026, 3, 10)).to_json()


async def test_unknown_subcommand_gets_the_registrys_menu_as_help(harness: Harness) -> None:
    h = harness
    await h.command("onzin")
    respond = await h.fake.wait_for(lambda c: c.method == "respond")
    assert respond.params["response_type"] == "ephemeral"
    first, *listed = respond.params["text"].split("\n")
    assert first.startswith("Dat ken ik niet")
    assert [line.split(":")[0] for line in listed] == [f"/vim {c.name.value}" for c in MENU]
    assert not h.fake.calls_of("chat.postMessage") and await h.count(Conversation) == 0


async def test_vim_help_and_stop_answer_in_the_dm(harness: Harness) -> None:
    h = harness
    await h.command("help", channel=DM)
    await h.fake.wait_for_post(DM, "Het gaat om leren")
    await h.command("stop", channel=DM)
    await h.fake.wait_for_post(DM, "niets om te stoppen")
    assert not h.fake.calls_of("respond")  # asked in the DM: no pointer to it


async def test_channel_messages_are_never_stored(harness: Harness) -> None:
    h = harness
    status = await h.event(
        {
            "type": "message",
            "channel": "C0GENERAL",
            "channel_type": "channel",
            "user": WORKER,
            "text": "Mevrouw viel vandaag",
            "ts": "2.0",
        }
    )
    assert status == 200
    assert await h.count(Person) == 0 and await h.count(Conversation) == 0
    assert not h.fake.calls_of("chat.postMessage")


async def test_retried_event_is_processed_once(harness: Harness) -> None:
    h = harness
    await h.command("")
    await h.tap("no")
    before = len(h.fake.calls_of("chat.postMessage"))
    await h.dm("Cliënt is gevallen", event_id="EvSAME")
    status = await h.event(
        {
            "type": "message",
            "channel": DM,
            "channel_type": "im",
            "user": WORKER,
            "text": "Cliënt is gevallen",
            "ts": "1.0",
        },
        event_id="EvSAME",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert status == 200
    assert len(h.fake.calls_of("chat.postMessage")) == before + 1  # one reply, not two
    async with h.db.transaction() as store:
        row = await store.load_conversation("slack", DM)
        assert row is not None and row.state["step"] == "when"


async def test_forged_missing_and_expired_signatures_get_401(harness: Harness) -> None:
    h = harness
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": "Ev1",
            "event": {
                "type": "message",
                "channel": DM,
                "channel_type": "im",
                "user": WORKER,
                "text": "hoi",
            },
        }
    )
    async with aiohttp.ClientSession() as session:
        forged = signed_headers(body, secret="not-the-secret")
        async with session.post(h.url, data=body, headers=forged) as response:
            assert response.status == 401
        async with session.post(h.url, data=body) as response:
            assert response.status == 401
        stale = signed_headers(body, timestamp=int(time.time()) - 600)
        async with session.post(h.url, data=body, headers=stale) as response:
            assert response.status == 401
    assert await h.count(Person) == 0


async def test_a_button_press_with_a_forged_signature_gets_401_and_no_turn(
    harness: Harness,
) -> None:
    h = harness
    await h.command("")
    question = h.question()
    [button, *_] = h.buttons(question)
    before = len(h.fake.calls)
    payload = {
        "type": "block_actions",
        "user": {"id": WORKER, "name": "uma"},
        "team": {"id": "T1"},
        "channel": {"id": DM},
        "message": {"ts": question.result["ts"]},
        "actions": [{"type": "button", "action_id": button["action_id"], "value": button["value"]}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed_headers(body, secret="not-the-secret"),
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(h.url, data=body, headers=headers) as response,
    ):
        assert response.status == 401
    assert len(h.fake.calls) == before  # no turn, no reply
    async with h.db.transaction() as store:
        row = await store.load_conversation("slack", DM)
        assert row is not None and row.state["step"] == "danger"


async def test_rate_limited_api_is_retried_from_the_outbox(harness: Harness) -> None:
    h = harness
    h.fake.fail_next("chat.postMessage", 429, {"error": "ratelimited"}, {"Retry-After": "2"})
    status = await h.command("")
    assert status == 200
    await h.fake.wait_for(lambda c: c.result == ("failed", 429, "ratelimited"))
    queued = await table_rows(h.db, OutboxMessage, OutboxMessage.platform == "slack")
    assert [m.status for m in queued] == ["pending", "pending"]  # the intro and the question
    clock: FrozenClock = h.bot.clock  # type: ignore[assignment]
    assert (await h.bot.dispatcher.dispatch_due()).sent == 0
    clock.advance(timedelta(seconds=2))
    assert (await h.bot.dispatcher.dispatch_due()).sent == 2
    await h.fake.wait_for_post(DM, "direct gevaar")


async def test_app_home_shows_buttons_and_own_reports(harness: Harness) -> None:
    h = harness
    await _until_summary(h)
    await h.tap("send")
    await h.event({"type": "app_home_opened", "user": WORKER, "channel": DM, "tab": "home"})
    published = await h.fake.wait_for(lambda c: c.method == "views.publish")
    view = json.dumps(published.params["view"], ensure_ascii=False)
    assert published.params["user_id"] == WORKER
    assert "Nieuwe melding" in view and "Anoniem melden" in view and "Formulier" in view
    assert "VIM-2026-0001" in view


async def test_socket_mode_receives_and_acknowledges(
    fake: FakeSlack, sqlite_db: Database, clock: FrozenClock
) -> None:
    bot = Bot(slack_config(fake, mode="socket"), sqlite_db, clock)
    await bot.start()
    try:
        opened = await fake.wait_for(lambda c: c.method == "apps.connections.open")
        assert opened.result["ok"]
        await fake.push_socket_event(
            {
                "envelope_id": "env-1",
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": {
                    "type": "event_callback",
                    "team_id": "T1",
                    "api_app_id": "A1",
                    "event_id": "EvSock1",
                    "event": {
                        "type": "message",
                        "channel": DM,
                        "channel_type": "im",
                        "user": WORKER,
                        "text": "melden",
                        "ts": "3.0",
                    },
                },
            }
        )
        await fake.wait_for_post(DM, "direct gevaar")
        assert any(ack["envelope_id"] == "env-1" for ack in fake.socket_acks)
    finally:
        await bot.stop()


async def test_leader_buttons_work_in_slack(harness: Harness) -> None:
    h = harness
    await _until_summary(h)
    await h.tap("send")
    notification = await h.fake.wait_for_post(LEADER, "Nieuwe VIM-melding")
    [contact, triage] = h.buttons(notification)
    assert triage["value"] == "case:VIM-2026-0001|triage"
    assert contact["value"] == "case:VIM-2026-0001|contact"
    assert await h.press(contact, notification, user=LEADER, name="lea") == 200
    await h.fake.wait_for_post(f"D{LEADER}", "jij neemt contact op")
    await h.fake.wait_for_post(WORKER, "contact opgenomen")
    [report] = await table_rows(h.db, Report)
    assert report.status == "contacted" and report.contacted_by == f"slack:{LEADER}"


async def test_anonymous_in_slack_uses_the_form_and_status_is_ephemeral(harness: Harness) -> None:
    h = harness
    await h.command("anoniem")
    opened = await h.fake.wait_for(lambda c: c.method == "views.open")
    anonymous = next(b for b in opened.params["view"]["blocks"] if b.get("block_id") == "anonymous")
    assert anonymous["element"]["initial_options"][0]["value"] == "yes"
    assert not h.fake.calls_of("chat.postMessage")  # no conversation in the DM

    _, body = await h.interaction(
        _submission(
            {
                "description": _text("Meneer sloeg mij"),
                "when": _select("today"),
                "categories": _multi("physical_aggression"),
                "affected": _multi("employee"),
                "harm": _select("minor"),
                "first_aid": _select("not_needed"),
                "measures": _text(""),
                "contact": _select("none"),
                "anonymous": {
                    "value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
                },
            }
        )
    )
    shown = json.dumps(json.loads(body)["view"], ensure_ascii=False)
    code = shown.split("code is: ")[1].split("\\n")[0]

    before = len(h.fake.calls)
    await h.command(f"status {code}")
    respond = await h.fake.wait_for(
        lambda c: c.method == "respond" and h.fake.calls.index(c) >= before
    )
    assert respond.params["response_type"] == "ephemeral"
    assert "VIM-2026-0001" in json.dumps(respond.params["blocks"])
    assert not [c for c in h.fake.calls_of("chat.postMessage") if c.params["channel"] == DM]

    _status, body = await h.interaction(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "api_app_id": "A1",
            "token": "x",
            "user": {"id": WORKER},
            "trigger_id": "t",
            "view": {
                "id": "V2",
                "type": "modal",
                "callback_id": "vim_reply_form",
                "private_metadata": code,
                "state": {"values": {"text": _text("Het was in de gang")}},
            },
        }
    )
    assert json.loads(body)["response_action"] == "update"
    # an anonymous reporter's answer waits a random few minutes, like the report itself
    assert not [c for c in h.fake.calls_of("chat.postMessage") if "gang" in json.dumps(c.params)]
    clock: FrozenClock = h.bot.clock  # type: ignore[assignment]
    clock.advance(timedelta(minutes=9))
    await h.bot.dispatcher.dispatch_due()
    relayed = await h.fake.wait_for_post(LEADER, "Het was in de gang")
    assert WORKER not in json.dumps(relayed.params)


async def test_personal_data_in_the_form_is_refused_kindly(harness: Harness) -> None:
    h = harness
    _status, body = await h.interaction(
        _submission(
            {
                "description": _text("Mevrouw (bsn 111222333) viel"),
                "when": _select("today"),
                "categories": _multi("fall"),
                "affected": _multi("client"),
                "harm": _select("none"),
                "contact": _select("none"),
            }
        )
    )
    assert json.loads(body)["errors"]["description"].startswith("Je tekst lijkt een BSN")
    assert await h.count(Report) == 0


async def test_anonymous_form_leaves_no_trace_of_the_slack_user(harness: Harness) -> None:
    from tests.test_privacy import dump

    h = harness
    await h.command("anoniem")
    await h.fake.wait_for(lambda c: c.method == "views.open")
    _, body = await h.interaction(
        _submission(
            {
                "description": _text("Collega werd bedreigd door bezoeker"),
                "when": _select("today"),
                "categories": _multi("threat"),
                "affected": _multi("employee"),
                "harm": _select("none"),
                "contact": _select("none"),
                "anonymous": {
                    "value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
                },
            }
        )
    )
    assert json.loads(body)["response_action"] == "update"
    stored = await dump(h.db)
    assert "Collega werd bedreigd door bezoeker" in stored
    assert WORKER not in stored and DM not in stored and "uma" not in stored


async def test_oversized_bodies_are_refused_before_parsing(harness: Harness) -> None:
    h = harness
    body = "x" * (2 * 1024 * 1024)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            h.url, data=body, headers={"Content-Type": "application/json", **signed_headers(body)}
        ) as response,
    ):
        assert response.status == 413
    assert await h.count(Person) == 0


async def test_slack_unreachable_at_start_is_retried(
    sqlite_db: Database, clock: FrozenClock, processing_before_ack: None
) -> None:
    fake = FakeSlack(port=free_port())  # not started: connections are refused

    async def back() -> None:  # Slack is reachable again, but answers 503 once
        await fake.start()
        fake.fail_next("auth.test", 503, {"error": "service_unavailable"})

    sleep = Reconnecting(back)
    port = free_port()
    bot = Bot(slack_config(fake, port=port), sqlite_db, clock, sleep=sleep)
    try:
        with capture_logs() as logs:
            await bot.start()
        sleep.assert_backed_off(logs, "slack_unreachable_retrying", BOT_TOKEN)
        results = [c.result for c in fake.calls_of("auth.test")]
        assert results[0] == ("failed", 503, "service_unavailable") and results[1]["ok"]
        h = Harness(fake, bot, sqlite_db, port)
        await h.dm("help")
        assert h.fake.calls_of("chat.postMessage")
    finally:
        await bot.stop()
        await fake.stop()


async def test_slack_wrong_token_fails_fast_and_clearly(
    fake: FakeSlack, sqlite_db: Database, clock: FrozenClock
) -> None:
    from bot.config import ConfigError

    config = slack_config(fake, port=free_port())
    config.slack.bot_token = "xoxb-wrong"
    bot = Bot(config, sqlite_db, clock, sleep=never_sleep)
    with pytest.raises(ConfigError, match=r"rejected the bot token.*invalid_auth"):
        await bot.start()
    await bot.stop()


def _dm_event(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": DM,
        "channel_type": "im",
        "user": WORKER,
        "text": text,
        "ts": "5.0",
    }


async def test_http_event_gets_5xx_while_the_database_is_down_then_the_retry_works(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    h.bot.service.turn_retry_pauses = (0.0, 0.0)
    outage = Outage(monkeypatch)
    outage.active = True
    assert await h.event(_dm_event("help"), event_id="EvDown") >= 500  # Slack retries it
    await h.fake.wait_for_post(DM, SORRY)
    outage.active = False
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert await h.event(_dm_event("help"), event_id="EvDown", headers=retry) == 200
    await h.fake.wait_for_post(DM, "Met mij meld je")


async def test_socket_mode_does_not_ack_while_the_database_is_down(
    fake: FakeSlack, sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = Bot(slack_config(fake, mode="socket"), sqlite_db, clock)
    bot.service.turn_retry_pauses = (0.0, 0.0)
    await bot.start()
    outage = Outage(monkeypatch)
    try:
        await fake.wait_for(lambda c: c.method == "apps.connections.open")

        def envelope(envelope_id: str, attempt: int) -> dict[str, Any]:
            return {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "payload": {
                    "type": "event_callback",
                    "team_id": "T1",
                    "api_app_id": "A1",
                    "event_id": "EvSockDown",
                    "event": _dm_event("help"),
                },
            }

        outage.active = True
        await fake.push_socket_event(envelope("env-down", 0))
        await fake.wait_for_post(DM, SORRY)
        outage.active = False
        await fake.push_socket_event(envelope("env-retry", 1))  # Slack sends it again
        await fake.wait_for_post(DM, "Met mij meld je")
        await fake.wait_for(
            lambda c: any(a["envelope_id"] == "env-retry" for a in fake.socket_acks)
        )
        assert not [a for a in fake.socket_acks if a["envelope_id"] == "env-down"]
    finally:
        await bot.stop()


async def test_slack_gets_its_answer_first_and_the_replies_follow(
    answering_first: Harness,
) -> None:
    h = answering_first
    assert await h.dm("melden") == 200
    question = await h.fake.wait_for_post(DM, "direct gevaar")
    await h.tap("no", question)
    await h.fake.wait_for_post(DM, "Wat is er gebeurd?")
    assert await h.dm("Cliënt is gevallen in de badkamer") == 200
    await h.fake.wait_for_post(DM, "Wanneer")


async def test_a_turn_failing_after_the_answer_is_logged_and_the_next_one_works(
    answering_first: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = answering_first
    assert await h.dm("melden") == 200
    question = await h.fake.wait_for_post(DM, "direct gevaar")
    service = h.bot.service
    handle = service.handle

    async def failing(event: Any) -> Any:
        raise RuntimeError("the turn failed")

    with capture_logs() as logs:
        monkeypatch.setattr(service, "handle", failing)
        await h.tap("no", question)  # Slack has its answer; the turn fails after it
        monkeypatch.setattr(service, "handle", handle)
        await h.tap("no", question)
        await h.fake.wait_for_post(DM, "Wat is er gebeurd?")
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["slack_turn_failed"]


async def test_the_web_client_skips_the_debug_lines_logging_would_drop(harness: Harness) -> None:
    """slack_sdk writes out a debug line of every call (blocks, response body) unless its
    logger has a level of its own above DEBUG."""
    [adapter] = harness.bot.adapters
    logger = adapter.client.logger  # type: ignore[attr-defined]
    assert logger.getEffectiveLevel() > logging.DEBUG
    assert logger.level > logging.DEBUG
