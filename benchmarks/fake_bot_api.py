"""A fake Telegram Bot API that is also the load generator and the stopwatch.

Run as its own process. Each simulated person walks through a script (texts and button
taps); an update is served through ``getUpdates``, and the turn's latency is the time from
serving it to receiving the last reply the script expects. The next step follows after a
think time. Junk (unknown commands, stale buttons, huge texts) can be mixed in from other
chats. On completion it writes the results as JSON and exits.

    python -m benchmarks.fake_bot_api --script vimbot --people 300 --concurrency 50 --out r.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks.common import report_text, summarize

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
BOT = {
    "id": 777,
    "is_bot": True,
    "first_name": "VIM",
    "username": "vim_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
FIRST_CHAT = 10_000


def vimbot_script(n: int) -> list[tuple[str, str, int]]:
    """(kind, text or button value, replies expected) — a typical report, 9 turns."""
    return [
        ("text", "/melden", 2),
        ("tap", "no", 1),
        ("text", report_text(n), 1),
        ("tap", "now", 1),
        ("tap", "yes", 1),
        ("tap", "none", 1),
        ("tap", "_skip", 1),
        ("tap", "team_leader", 1),
        ("tap", "send", 1),
    ]


def echo_script(n: int) -> list[tuple[str, str, int]]:
    """The same shape for a bare echo bot: a text, then taps, one reply each."""
    return [("text", f"Gesprek {n}: hallo", 1)] + [("tap", "*", 1)] * 9


JUNK = [
    ("text", "/onzin", None),
    ("stale", "harm.1|none", None),
    ("text", "x" * 5000, None),
    ("text", "", None),
]


@dataclass
class Person:
    chat_id: int
    script: list[tuple[str, str, int]]
    step: int = 0
    waiting: int = 0
    served_at: float = 0.0
    buttons: list[str] = field(default_factory=list)
    message_id: int = 1


@dataclass
class Load:
    script: str
    people: int
    concurrency: int
    think: tuple[float, float]
    junk: float
    out: str
    ramp: float = 0.0
    updates: list[dict[str, Any]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    junk_sent: int = 0
    started: float = 0.0
    finished: float = 0.0
    calls: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        maker = vimbot_script if self.script == "vimbot" else echo_script
        self.persons = {
            FIRST_CHAT + i: Person(FIRST_CHAT + i, maker(i)) for i in range(self.people)
        }
        self.queue = list(self.persons.values())
        self.active = 0
        self.done = asyncio.Event()
        self.new_update = asyncio.Event()
        self.next_update_id = 1
        self.rng = random.Random(7)
        self.message_ids = 100

    # ---- making updates -----------------------------------------------------------------

    def _push(self, body: dict[str, Any]) -> None:
        body["update_id"] = self.next_update_id
        self.next_update_id += 1
        self.updates.append(body)
        self.new_update.set()

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": f"P{chat_id}", "language_code": "nl"}

    def _message(self, chat_id: int, text: str) -> dict[str, Any]:
        self.message_ids += 1
        message: dict[str, Any] = {
            "message_id": self.message_ids,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self._user(chat_id),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return message

    def _callback(self, chat_id: int, data: str, message_id: int) -> dict[str, Any]:
        self.message_ids += 1
        return {
            "id": f"q{self.message_ids}",
            "from": self._user(chat_id),
            "chat_instance": "c",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "?",
            },
        }

    def start_next_people(self) -> None:
        loop = asyncio.get_running_loop()
        while self.queue and self.active < self.concurrency:
            person = self.queue.pop(0)
            self.active += 1
            if self.ramp:  # people arrive spread over the ramp, not all at one instant
                loop.call_later(self.rng.uniform(0, self.ramp), self.serve, person)
            else:
                self.serve(person)

    def serve(self, person: Person) -> None:
        kind, value, expected = person.script[person.step]
        if kind == "text":
            update: dict[str, Any] = {"message": self._message(person.chat_id, value)}
        else:
            data = next(
                (b for b in person.buttons if value == "*" or b.endswith(f"|{value}")), None
            )
            if data is None:
                raise SystemExit(
                    f"chat {person.chat_id}: no button {value!r} at step "
                    f"{person.step}: {person.buttons}"
                )
            update = {"callback_query": self._callback(person.chat_id, data, person.message_id)}
        person.waiting = expected
        person.served_at = time.perf_counter()
        self._push(update)
        if self.junk and self.rng.random() < self.junk / (1 - self.junk):
            junk_kind, junk_value, _ = self.rng.choice(JUNK)
            chat = 900_000 + self.rng.randrange(1000)
            body = (
                {"message": self._message(chat, junk_value)}
                if junk_kind == "text"
                else {"callback_query": self._callback(chat, junk_value, 1)}
            )
            self.junk_sent += 1
            self._push(body)

    def on_reply(self, chat_id: int, params: dict[str, Any], message_id: int) -> None:
        person = self.persons.get(chat_id)
        if person is None or person.waiting <= 0:
            return  # a leader's notification, junk answers, or an extra message
        markup = params.get("reply_markup")
        if markup:
            rows = json.loads(markup) if isinstance(markup, str) else markup
            person.buttons = [b["callback_data"] for row in rows["inline_keyboard"] for b in row]
            person.message_id = message_id
        person.waiting -= 1
        if person.waiting:
            return
        self.latencies.append(time.perf_counter() - person.served_at)
        person.step += 1
        if person.step == len(person.script):
            self.active -= 1
            self.start_next_people()
            if not self.queue and self.active == 0:
                self.finished = time.perf_counter()
                print("finished", flush=True)  # the runner reads the CPU time here
                self.done.set()
            return
        delay = self.rng.uniform(*self.think)
        if delay:
            asyncio.get_running_loop().call_later(delay, self.serve, person)
        else:
            self.serve(person)

    # ---- the API ------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls[method] = self.calls.get(method, 0) + 1
        params = dict(await request.post()) if request.body_exists else {}
        result: Any = True
        if method == "getMe":
            result = BOT
        elif method == "getUpdates":
            result = await self.get_updates(params)
        elif method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            self.message_ids += 1
            message_id = int(params.get("message_id") or self.message_ids)
            self.on_reply(chat_id, params, message_id)
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        return web.json_response({"ok": True, "result": result})

    async def get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.started:
            self.started = time.perf_counter()
            print("started", flush=True)  # the runner reads the bot's CPU time from here on
            self.start_next_people()
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self.new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_update.wait(), 1)
        return self.updates[:100]

    def results(self) -> dict[str, Any]:
        return {
            "script": self.script,
            "people": self.people,
            "junk_updates": self.junk_sent,
            "api_calls": dict(sorted(self.calls.items())),
            **summarize(self.latencies, self.finished - self.started),
        }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", choices=("vimbot", "echo"), default="vimbot")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--think-min", type=float, default=0.0)
    parser.add_argument("--think-max", type=float, default=0.0)
    parser.add_argument("--junk", type=float, default=0.0)
    parser.add_argument("--ramp", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    load = Load(
        args.script,
        args.people,
        args.concurrency,
        (args.think_min, args.think_max),
        args.junk,
        args.out,
        args.ramp,
    )
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", load.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(port, flush=True)
    try:
        await asyncio.wait_for(load.done.wait(), args.timeout)
    except TimeoutError:
        print(f"timed out after {len(load.latencies)} turns", file=sys.stderr)
        load.finished = time.perf_counter()
    await asyncio.to_thread(Path(args.out).write_text, json.dumps(load.results()))
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
