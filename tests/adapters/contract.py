"""The contract every adapter passes: scripted conversations (one per scenario) that the
terminal, Telegram and Slack run, each against its own fake, through a driver with one
interface. A later adapter adds a driver and runs these scenarios unchanged.

A driver speaks for three people: ``WORKER`` (member of team Noord), ``NEWCOMER`` (member of
no team: the report asks the team) and ``LEADER`` (leader of Noord). ``tap`` presses a button
of the message with buttons on that person's screen, as the person would; it fails when no
such button is shown, so a script that passes took exactly its inputs.
"""

from __future__ import annotations

import asyncio
import io
import json
import queue
from datetime import timedelta
from typing import Any, ClassVar, Protocol

from bot.adapters.terminal import TerminalAdapter
from bot.clock import FrozenClock
from bot.config import Config
from bot.flows.engine import DONE, SKIP
from bot.runner import Bot
from bot.service import ReportService
from storage.db import Database
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import REFERENCE, anonymous_code, make_config

WORKER, NEWCOMER, LEADER = "worker", "newcomer", "leader"
AGGRESSION = "Meneer schold mij uit en dreigde met een mes toen ik de deur opende"
# The inputs after the start command of a full report (the step counts of issue 17).
KNOWN_TEAM_INPUTS = 8
TEAM_ASKED_INPUTS = 9


class Driver(Protocol):
    """One adapter, driven as people use it."""

    # Whether the platform limits how fast the bot may send (a 429 with retry_after), so the
    # scenario of a message queued after a 429 applies. The terminal has no rate limit.
    rate_limited: ClassVar[bool]

    async def open(self, who: str = WORKER) -> None:
        """The person opens the conversation (starts ``vimbot shell``; nothing in a messenger,
        where messages arrive by themselves)."""

    async def command(self, text: str, who: str = WORKER) -> None:
        """Type a command as the messenger offers it (``/status CODE``)."""

    async def say(self, text: str, who: str = WORKER) -> None:
        """Type a message."""

    async def tap(self, value: str, who: str = WORKER) -> None:
        """Press the button with this option value on the last message with buttons."""

    def question(self, who: str = WORKER) -> str:
        """The text of the last message with buttons the person got."""

    def replies(self, who: str = WORKER) -> str:
        """Everything the person got since their last input."""

    async def restart(self) -> None:
        """The process goes away and starts again (a new terminal session)."""

    def limit_next_send(self, seconds: int, who: str = WORKER) -> None:
        """The platform answers the next message to this person with a 429: retry after
        ``seconds`` (only where ``rate_limited``)."""

    async def pass_time(self, seconds: int) -> None:
        """The clock moves on and the outbox sends what is due by then."""


def contract_config(addresses: dict[str, str], **overrides: Any) -> Config:
    """Team Noord led by LEADER with WORKER in it, team Zuid; NEWCOMER in no team."""
    return make_config(
        teams=[
            {
                "id": "noord",
                "name": "Wijkteam Noord",
                "leaders": [addresses[LEADER]],
                "members": [addresses[WORKER]],
            },
            {"id": "zuid", "name": "Wijkteam Zuid", "leaders": ["shell:lead-zuid"]},
        ],
        **overrides,
    )


# ---- the scenarios ------------------------------------------------------------------------


async def _report(
    driver: Driver, who: str, description: str, team: str | None, reference: str = REFERENCE
) -> int:
    """A full report with typical answers; the inputs it took after the start command."""
    await driver.command("/melden", who)
    inputs = 0
    script: list[tuple[str, str]] = [
        ("tap", "no"),  # no danger now
        ("say", description),
        ("tap", "now"),
        ("tap", "yes"),  # "Klopt dit?": the suggested kind and who it happened to
        ("tap", "none"),  # no harm
        ("tap", SKIP),  # no measures
    ]
    if team is not None:
        script.append(("tap", team))
    script += [("tap", "team_leader"), ("tap", "send")]
    for action, value in script:
        assert reference not in driver.replies(who), "sent before its last step"
        await (driver.say if action == "say" else driver.tap)(value, who)
        inputs += 1
    assert reference in driver.replies(who), driver.replies(who)
    return inputs


async def full_report(driver: Driver) -> None:
    """Someone who belongs to a team is not asked it: 8 inputs; a newcomer is: 9."""
    assert await _report(driver, WORKER, AGGRESSION, team=None) == KNOWN_TEAM_INPUTS
    second = await _report(driver, NEWCOMER, AGGRESSION, "zuid", reference="VIM-2026-0002")
    assert second == TEAM_ASKED_INPUTS


async def resumed_draft(driver: Driver) -> None:
    """A draft survives a restart: the open question comes back and the report goes on."""
    await driver.command("/melden")
    await driver.tap("no")
    await driver.say(AGGRESSION)
    assert "Wanneer" in driver.question()
    await driver.restart()
    await driver.say("/help")  # anything: the draft answers with its open question
    assert "Wanneer" in driver.question()
    for value in ("now", "yes", "none", SKIP, "team_leader"):
        await driver.tap(value)
    assert "Klopt dit?" in driver.question()
    assert AGGRESSION.split()[1] in driver.question()  # what was typed before the restart
    await driver.tap("send")
    assert REFERENCE in driver.replies()


async def anonymous_status(driver: Driver) -> None:
    """An anonymous report gives a code; ``/status CODE`` then tells how the report stands."""
    await driver.command("/melden")
    for action, value in (
        ("tap", "no"),
        ("say", AGGRESSION),
        ("tap", "now"),
        ("tap", "yes"),
        ("tap", "none"),
        ("tap", SKIP),
        ("tap", "team_leader"),
        ("tap", "send_anonymous"),
    ):
        await (driver.say if action == "say" else driver.tap)(value)
    code = anonymous_code(driver.replies())
    await driver.command(f"/status {code}")
    assert REFERENCE in driver.replies() and "ontvangen" in driver.replies().lower()


async def leader_triage(driver: Driver) -> None:
    """The leader triages from the notification's button, to the end."""
    await _report(driver, WORKER, AGGRESSION, team=None)
    await driver.open(LEADER)
    assert "Nieuwe VIM-melding" in driver.question(LEADER)
    await driver.tap("triage", LEADER)
    assert "Triage" in driver.question(LEADER)
    for value in ("internal", "yearly", "minor", "confirm"):
        await driver.tap(value, LEADER)
    assert REFERENCE in driver.replies(LEADER)


async def queued_after_429(driver: Driver) -> None:
    """The platform refuses a question with a 429 (retry after 3 s): it waits in the outbox
    and comes whole when the time has passed, a multi-choice question still multi-choice."""
    assert driver.rate_limited, "a platform without a rate limit: the scenario does not apply"
    await driver.command("/melden")
    await driver.tap("no")
    await driver.say(AGGRESSION)
    await driver.tap("now")
    assert "Klopt dat?" in driver.question()
    driver.limit_next_send(3)
    await driver.tap("change")  # "Klopt dat?" no: the kinds, multi-choice, ticks suggested
    assert "Klopt dat?" in driver.question()  # the next question is not there yet
    await driver.pass_time(2)
    assert "Klopt dat?" in driver.question()  # not before retry_after
    await driver.pass_time(1)
    assert "Klopt dat?" not in driver.question()
    await driver.tap("threat")  # ticks and unticks: still a multi-choice question
    await driver.tap(DONE)
    await driver.tap(DONE)  # who it happened to, as suggested
    for value in ("none", SKIP, "team_leader", "send"):
        await driver.tap(value)
    assert REFERENCE in driver.replies()


SCENARIOS = [full_report, resumed_draft, anonymous_status, leader_triage, queued_after_429]


# ---- terminal ------------------------------------------------------------------------------


class _Keyboard:
    """Standard input typed line by line; ``waiting`` is set whenever the shell reads."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.waiting = asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        self.loop.call_soon_threadsafe(self.waiting.set)
        return self.lines.get()


class _Session:
    def __init__(self, adapter: TerminalAdapter, keyboard: _Keyboard, out: io.StringIO) -> None:
        self.adapter, self.keyboard, self.out = adapter, keyboard, out
        self.task = asyncio.create_task(adapter.run())
        self.mark = 0

    async def idle(self) -> None:
        async with asyncio.timeout(10):
            await self.keyboard.waiting.wait()

    async def type(self, line: str) -> None:
        self.mark = len(self.out.getvalue())
        self.keyboard.waiting.clear()
        self.keyboard.lines.put(line + "\n")
        await self.idle()

    async def end(self) -> None:
        self.keyboard.lines.put("")
        await self.task


class TerminalDriver:
    """``vimbot shell`` sessions (the terminal adapter) in this process, one per person."""

    rate_limited: ClassVar[bool] = False  # nothing between the bot and the screen

    ADDRESSES: ClassVar[dict[str, str]] = {
        WORKER: "shell:worker",
        NEWCOMER: "shell:newcomer",
        LEADER: "shell:leader",
    }

    def __init__(self, db: Database, clock: FrozenClock) -> None:
        self.service = ReportService(contract_config(self.ADDRESSES), db, clock)
        self.sessions: dict[str, _Session] = {}

    async def _session(self, who: str) -> _Session:
        if who not in self.sessions:
            out = io.StringIO()
            keyboard = _Keyboard()
            user = self.ADDRESSES[who].split(":", 1)[1]
            adapter = TerminalAdapter(self.service, user, who.title(), stdin=keyboard, stdout=out)
            self.sessions[who] = session = _Session(adapter, keyboard, out)
            await session.idle()
        return self.sessions[who]

    async def open(self, who: str = WORKER) -> None:
        await self._session(who)

    async def command(self, text: str, who: str = WORKER) -> None:
        await (await self._session(who)).type(text)

    async def say(self, text: str, who: str = WORKER) -> None:
        await (await self._session(who)).type(text)

    async def tap(self, value: str, who: str = WORKER) -> None:
        session = await self._session(who)
        adapter = session.adapter
        if adapter.numbered:
            number = next(n for n, (_, v) in adapter.numbered.items() if v == value)
        else:
            assert adapter.last_question is not None, "no question on screen"
            values = [o.value for o in adapter.last_question.options]
            assert value in values, f"{value!r} not offered: {adapter.last_question.text!r}"
            number = values.index(value) + 1
        assert f"[{number}]" in session.out.getvalue()
        await session.type(str(number))

    def question(self, who: str = WORKER) -> str:
        session = self.sessions.get(who)
        if session is None:
            return ""
        last = session.adapter.last_question
        return last.text if last is not None else ""

    def replies(self, who: str = WORKER) -> str:
        session = self.sessions.get(who)
        return "" if session is None else session.out.getvalue()[session.mark :]

    async def restart(self) -> None:
        await self.close()

    def limit_next_send(self, seconds: int, who: str = WORKER) -> None:
        raise AssertionError("the terminal has no rate limit")

    async def pass_time(self, seconds: int) -> None:
        raise AssertionError("the terminal sends nothing through the outbox")

    async def close(self) -> None:
        sessions, self.sessions = self.sessions, {}
        for session in sessions.values():
            await session.end()


# ---- messengers run by the bot -------------------------------------------------------------


class _BotDriver:
    """What the Telegram and Slack drivers share: the running bot, restarted on request."""

    rate_limited: ClassVar[bool] = True

    def __init__(self, config: Config, db: Database, clock: FrozenClock) -> None:
        self.config, self.db, self.clock = config, db, clock
        self.bot = Bot(config, db, clock)
        self.marks: dict[str, int] = {}

    async def start(self) -> None:
        await self.bot.start()

    async def open(self, who: str = WORKER) -> None:
        """Messages reach a messenger's user without them doing anything."""

    async def restart(self) -> None:
        await self.bot.stop()
        self.bot = Bot(self.config, self.db, self.clock)
        await self.bot.start()

    async def close(self) -> None:
        await self.bot.stop()

    async def pass_time(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))
        await self.bot.dispatcher.dispatch_due()
        await self.settled()

    async def settled(self) -> None:
        """The deliveries the turn started (notifications) are made."""
        while self.bot._kicks:
            await asyncio.gather(*self.bot._kicks)


class TelegramDriver(_BotDriver):
    IDS: ClassVar[dict[str, int]] = {WORKER: 4242, NEWCOMER: 5353, LEADER: 9001}

    def __init__(self, fake: FakeTelegram, db: Database, clock: FrozenClock) -> None:
        telegram = {
            "enabled": True,
            "token": fake.token,
            "base_url": fake.base_url,
            "poll_timeout": 1,
        }
        addresses = {who: f"telegram:{id_}" for who, id_ in self.IDS.items()}
        super().__init__(contract_config(addresses, telegram=telegram), db, clock)
        self.fake = fake

    def limit_next_send(self, seconds: int, who: str = WORKER) -> None:
        too_many = {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {seconds}",
            "parameters": {"retry_after": seconds},
        }
        self.fake.fail_next("sendMessage", 429, too_many, chat_id=self.IDS[who])

    async def _input(self, who: str, update_id: int) -> None:
        await self.fake.handled(update_id)
        await self.settled()

    async def command(self, text: str, who: str = WORKER) -> None:
        await self.say(text, who)

    async def say(self, text: str, who: str = WORKER) -> None:
        self.marks[who] = len(self.fake.calls)
        await self._input(who, self.fake.push_text(self.IDS[who], text))

    def _messages(self, who: str, since: int = 0) -> list[Any]:
        return [
            c
            for c in self.fake.calls[since:]
            if c.method in ("sendMessage", "editMessageText")
            and str(c.params.get("chat_id")) == str(self.IDS[who])
            and isinstance(c.result, dict)
        ]

    def _question(self, who: str) -> Any:
        asking = [c for c in self._messages(who) if c.params.get("reply_markup")]
        assert asking, "no question with buttons"
        return asking[-1]

    async def tap(self, value: str, who: str = WORKER) -> None:
        call = self._question(who)
        rows = call.params["reply_markup"]["inline_keyboard"]
        data = [b["callback_data"] for row in rows for b in row]
        chosen = [d for d in data if d.endswith(f"|{value}")]
        assert chosen, f"{value!r} not offered: {data}"
        self.marks[who] = len(self.fake.calls)
        update = self.fake.push_callback(self.IDS[who], call.result["message_id"], chosen[0])
        await self._input(who, update)

    def question(self, who: str = WORKER) -> str:
        return str(self._question(who).params.get("text", ""))

    def replies(self, who: str = WORKER) -> str:
        messages = self._messages(who, self.marks.get(who, 0))
        return "\n".join(str(c.params.get("text", "")) for c in messages)


class SlackDriver(_BotDriver):
    IDS: ClassVar[dict[str, str]] = {WORKER: "U0WORKER", NEWCOMER: "U0NEWCOMER", LEADER: "U0LEADER"}

    def __init__(self, fake: FakeSlack, db: Database, clock: FrozenClock, port: int) -> None:
        from tests.adapters.test_slack_e2e import Harness

        slack = {
            "enabled": True,
            "bot_token": BOT_TOKEN,
            "app_token": APP_TOKEN,
            "signing_secret": SIGNING_SECRET,
            "api_url": fake.api_url,
            "mode": "http",
        }
        addresses = {who: f"slack:{id_}" for who, id_ in self.IDS.items()}
        config = contract_config(addresses, slack=slack)
        config.server.port = port
        super().__init__(config, db, clock)
        self.fake = fake
        self.http = Harness(fake, self.bot, db, port)  # signed requests to the app

    def limit_next_send(self, seconds: int, who: str = WORKER) -> None:
        retry = {"Retry-After": str(seconds)}
        self.fake.fail_next("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, retry)

    async def command(self, text: str, who: str = WORKER) -> None:
        """``/melden`` is ``/vim melden`` in Slack, ``/status CODE`` is ``/vim status CODE``."""
        from urllib.parse import urlencode

        user = self.IDS[who]
        self.marks[who] = len(self.fake.calls)
        body = urlencode(
            {
                "command": "/vim",
                "text": text.removeprefix("/"),
                "user_id": user,
                "user_name": who,
                "channel_id": f"D{user}",
                "team_id": "T1",
                "trigger_id": "trig1",
                "response_url": f"http://127.0.0.1:{self.fake.port}/respond/1",
                "api_app_id": "A1",
                "token": "x",
            }
        )
        status, _ = await self.http.post(body, "application/x-www-form-urlencoded")
        assert status == 200
        await self.settled()

    async def say(self, text: str, who: str = WORKER) -> None:
        user = self.IDS[who]
        self.marks[who] = len(self.fake.calls)
        event = {
            "type": "message",
            "channel": f"D{user}",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": "1.0",
        }
        assert await self.http.event(event) == 200
        await self.settled()

    def _messages(self, who: str, since: int = 0) -> list[Any]:
        user = self.IDS[who]
        return [
            c
            for c in self.fake.calls[since:]
            if (
                c.method in ("chat.postMessage", "chat.update")
                and c.params.get("channel") in (user, f"D{user}")
                and isinstance(c.result, dict)  # not a call refused (a 429)
            )
            or c.method == "respond"
        ]

    def _question(self, who: str) -> Any:
        asking = [
            c
            for c in self._messages(who)
            if c.method != "respond"
            and any(b.get("type") == "actions" for b in c.params.get("blocks") or [])
        ]
        assert asking, "no question with buttons"
        return asking[-1]

    async def tap(self, value: str, who: str = WORKER) -> None:
        call = self._question(who)
        buttons = self.http.buttons(call)
        chosen = [b for b in buttons if b["value"].endswith(f"|{value}")]
        assert chosen, f"{value!r} not offered: {[b['value'] for b in buttons]}"
        self.marks[who] = len(self.fake.calls)
        assert await self.http.press(chosen[0], call, user=self.IDS[who], name=who) == 200
        await self.settled()

    @staticmethod
    def _text(call: Any) -> str:
        blocks = call.params.get("blocks")
        return str(call.params.get("text", "")) + "\n" + json.dumps(blocks, ensure_ascii=False)

    def question(self, who: str = WORKER) -> str:
        return self._text(self._question(who))

    def replies(self, who: str = WORKER) -> str:
        messages = self._messages(who, self.marks.get(who, 0))
        return "\n".join(self._text(c) for c in messages)

    async def restart(self) -> None:
        await super().restart()
        self.http.bot = self.bot
