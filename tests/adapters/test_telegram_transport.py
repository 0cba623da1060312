"""PTB's Bot API calls over aiohttp (bot/adapters/telegram/transport.py), on a loopback server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.adapters.telegram.transport import AiohttpRequest
from tests.fakes.recording import free_port

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
MESSAGE = {"message_id": 5, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "hoi"}


class Server:
    """Answers Bot API calls; records what arrived (form fields and files)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any], str]] = []
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        fields = {
            k: (v.file.read(), v.filename) if isinstance(v, web.FileField) else v
            for k, v in form.items()
        }
        self.received.append((method, fields, request.headers.get("User-Agent", "")))
        await asyncio.sleep(self.delay)
        if method == "getMe":
            bot = {"id": 1, "is_bot": True, "first_name": "VIM", "username": "vim_bot"}
            return web.json_response({"ok": True, "result": bot})
        if fields.get("chat_id") == "0":
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
                status=400,
            )
        return web.json_response({"ok": True, "result": MESSAGE})


@pytest.fixture
async def server() -> AsyncIterator[tuple[Server, str]]:
    fake = Server()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, f"http://127.0.0.1:{port}/bot"
    await runner.cleanup()


def make_bot(base_url: str, **timeouts: float) -> Bot:
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(pool_size=4, **timeouts))


async def test_parameters_arrive_as_the_bot_api_expects(server: tuple[Server, str]) -> None:
    fake, url = server
    async with make_bot(url) as bot:
        sent = await bot.send_message(chat_id=42, text="Dank je wel <3", parse_mode="HTML")
    assert sent.message_id == 5 and sent.text == "hoi"
    method, fields, agent = fake.received[-1]
    assert method == "sendMessage" and agent.startswith("python-telegram-bot")
    assert fields["chat_id"] == "42" and fields["text"] == "Dank je wel <3"
    assert fields["parse_mode"] == "HTML"


async def test_files_go_as_multipart(server: tuple[Server, str]) -> None:
    fake, url = server
    async with make_bot(url) as bot:
        await bot.send_document(chat_id=42, document=b"rapport", filename="r.txt", caption="Q3")
    method, fields, _ = fake.received[-1]
    assert method == "sendDocument" and fields["caption"] == "Q3"
    content, filename = fields["document"]
    assert content == b"rapport" and filename == "r.txt"


async def test_api_errors_are_ptbs_errors(server: tuple[Server, str]) -> None:
    _, url = server
    async with make_bot(url) as bot:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(chat_id=0, text="x")


async def test_a_slow_answer_times_out(server: tuple[Server, str]) -> None:
    fake, url = server
    async with make_bot(url, read_timeout=0.2) as bot:
        fake.delay = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id=42, text="x")


async def test_no_server_is_a_network_error() -> None:
    port = free_port()  # nobody listens on it
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_not_initialised_or_shut_down() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/x", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is fine
    assert json.loads(json.dumps(request.read_timeout)) == 5.0


async def test_any_text_arrives_as_it_was_sent(server: tuple[Server, str]) -> None:
    fake, url = server
    text = "a&b=c+d e;f%g/?:@#ü\n<b>x</b> 😡 %20 %zz + \\ \" '"
    async with make_bot(url) as bot:
        await bot.send_message(chat_id=42, text=text, reply_markup=None)
        await bot.get_me()  # a method without parameters: an empty body
    (_, fields, _), (method, empty, _) = fake.received[-2:]
    assert fields["text"] == text and method == "getMe" and empty == {}
