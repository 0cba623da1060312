"""A fake Slack Web API that is also the load generator: it sends signed events and button
presses to the bot's HTTP endpoint and times each turn until the bot's last expected
``chat.postMessage``/``chat.update`` arrives. Run as its own process.

    python -m benchmarks.fake_slack_load --bot-url http://127.0.0.1:8090/slack/events --out r.json
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import hashlib
import hmac
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from benchmarks.common import summarize
from benchmarks.fake_bot_api import echo_script, vimbot_script

SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"


def user_id(n: int) -> str:
    """Person n's Slack user id."""
    return f"U{n:06d}"


def sign(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Person:
    user: str
    script: list[tuple[str, str, int]]
    step: int = 0
    waiting: int = 0
    served_at: float = 0.0
    buttons: list[str] = field(default_factory=list)
    ts: str = ""


class Load:
    def __init__(self, bot_url: str, script: str, people: int, concurrency: int) -> None:
        maker = vimbot_script if script == "vimbot" else echo_script
        self.bot_url, self.script, self.people, self.concurrency = (
            bot_url,
            script,
            people,
            concurrency,
        )
        self.persons = {user_id(i): Person(user_id(i), maker(i)) for i in range(people)}
        self.queue = list(self.persons.values())
        self.active = 0
        self.latencies: list[float] = []
        self.done = asyncio.Event()
        self.started = self.finished = 0.0
        self.session: aiohttp.ClientSession | None = None
        self.ts = 0
        self.events = 0
        self.send_errors = 0  # events whose HTTP response was lost (the bot may still act)
        self.api_calls: collections.Counter[str] = collections.Counter()  # Web API, by method
        self.tasks: set[asyncio.Task[None]] = set()

    def start_next(self) -> None:
        while self.queue and self.active < self.concurrency:
            person = self.queue.pop(0)
            self.active += 1
            self.serve(person)

    def serve(self, person: Person) -> None:
        task = asyncio.get_running_loop().create_task(self._send(person))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _send(self, person: Person) -> None:
        kind, value, expected = person.script[person.step]
        person.waiting = expected
        self.events += 1
        if kind == "text":  # typed in the DM with the app
            body = json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T1",
                    "api_app_id": "A1",
                    "event_id": f"Ev{self.events}",
                    "event": {
                        "type": "message",
                        "channel": f"D{person.user}",
                        "channel_type": "im",
                        "user": person.user,
                        "text": value,
                        "ts": f"{self.events}.0",
                    },
                }
            )
            content_type = "application/json"
        else:
            data = next(b for b in person.buttons if value == "*" or b.endswith(f"|{value}"))
            payload = {
                "type": "block_actions",
                "user": {"id": person.user, "name": "p"},
                "team": {"id": "T1"},
                "api_app_id": "A1",
                "token": "x",
                "trigger_id": "t",
                "channel": {"id": f"D{person.user}"},
                "container": {"type": "message"},
                "message": {"ts": person.ts},
                "actions": [
                    {
                        "type": "button",
                        "action_id": "vim:0",
                        "block_id": "b",
                        "value": data,
                        "action_ts": "1",
                    }
                ],
            }
            body = urlencode({"payload": json.dumps(payload)})
            content_type = "application/x-www-form-urlencoded"
        person.served_at = time.perf_counter()
        assert self.session is not None
        try:
            async with self.session.post(
                self.bot_url,
                data=body.encode(),
                headers={"Content-Type": content_type, **sign(body)},
            ) as response:
                if response.status != 200:
                    print(f"bot answered {response.status}", file=sys.stderr)
        except aiohttp.ClientError:
            self.send_errors += 1

    def on_post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        self.ts += 1
        ts = str(params.get("ts") or f"{self.ts}.000001")
        person = self.persons.get(channel[1:]) if channel.startswith("D") else None
        if person is not None and person.waiting > 0:
            buttons = [
                e["value"]
                for block in params.get("blocks") or []
                if block.get("type") == "actions"
                for e in block["elements"]
            ]
            if buttons:
                person.buttons, person.ts = buttons, ts
            person.waiting -= 1
            if not person.waiting:
                self.latencies.append(time.perf_counter() - person.served_at)
                person.step += 1
                if person.step == len(person.script):
                    self.active -= 1
                    self.start_next()
                    if not self.queue and self.active == 0:
                        self.finished = time.perf_counter()
                        print("finished", flush=True)  # the runner reads the CPU time here
                        self.done.set()
                else:
                    self.serve(person)
        return {"ok": True, "channel": channel, "ts": ts}

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.api_calls[method] += 1
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.body_exists:
            params.update(await request.post())
        if method in ("chat.postMessage", "chat.update"):
            if isinstance(params.get("blocks"), str):
                params["blocks"] = json.loads(params["blocks"])
            return web.json_response(self.on_post(params))
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                    "team_id": "T1",
                    "user": "vim",
                    "team": "Zorg",
                }
            )
        if method == "conversations.open":
            return web.json_response({"ok": True, "channel": {"id": f"D{params.get('users')}"}})
        return web.json_response({"ok": True})

    def results(self) -> dict[str, Any]:
        return {
            "script": self.script,
            "people": self.people,
            "send_errors": self.send_errors,
            "api_calls": dict(self.api_calls.most_common()),
            **summarize(self.latencies, self.finished - self.started),
        }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bot-url", required=True)
    parser.add_argument("--script", choices=("vimbot", "echo"), default="vimbot")
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    load = Load(args.bot_url, args.script, args.people, args.concurrency)
    app = web.Application()
    app.router.add_post("/api/{method}", load.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
    load.session = aiohttp.ClientSession()
    for _ in range(200):  # wait until the bot listens
        try:
            async with load.session.get(args.bot_url.rsplit("/slack", 1)[0] + "/health"):
                break
        except aiohttp.ClientError:
            await asyncio.sleep(0.1)
    load.started = time.perf_counter()
    print("started", flush=True)  # the runner reads the bot's CPU time from here on
    load.start_next()
    try:
        await asyncio.wait_for(load.done.wait(), args.timeout)
    except TimeoutError:
        print(f"timed out after {len(load.latencies)} turns", file=sys.stderr)
        load.finished = time.perf_counter()
    await load.session.close()
    await asyncio.to_thread(Path(args.out).write_text, json.dumps(load.results()))
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
