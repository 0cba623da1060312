"""A small fake of the Telegram Bot API on 127.0.0.1, for running the real PTB against it.

It serves ``/bot<token>/<method>``, answers ``getUpdates`` from a queue the test fills
(long-polling briefly), records every request, and can be told to fail the next calls of a
method (e.g. a 429 with ``retry_after``, or a 502).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.recording import Call, RecordingServer

RAW_KEYS = {
    "text",
    "parse_mode",
    "secret_token",
    "url",
    "callback_query_id",
    "language_code",
    "data",
    "description",
}
BOT_ID = 777000
BOT_USERNAME = "vim_test_bot"


@dataclass
class Upload:
    """A file that reached the fake: the multipart part's file name and its bytes."""

    chat_id: str
    filename: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class FakeTelegram(RecordingServer):
    token: str = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
    updates: list[dict[str, Any]] = field(default_factory=list)
    # (method, chat id or None for any, HTTP status, error payload), used in order
    failures: list[tuple[str, Any, int, dict[str, Any]]] = field(default_factory=list)
    # Seconds a method takes to answer (a slow Telegram), by method name.
    delays: dict[str, float] = field(default_factory=dict)

    # Files the bot uploaded (sendDocument), in order.
    documents: list[Upload] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._new_update = asyncio.Event()
        self._offset_moved = asyncio.Event()
        self.delivered_offset = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._handle)

    # ---- what the test does -----------------------------------------------------------

    def _user(self, user_id: int, language: str = "nl") -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "last_name": "Test",
            "language_code": language,
        }

    def _chat(self, chat_id: int, kind: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind != "private":
            chat["title"] = "Team Noord"
        return chat

    def push_update(self, update: dict[str, Any]) -> int:
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def push_text(self, user_id: int, text: str, **options: Any) -> int:
        """Queue :meth:`text_update` (same options) for the bot; its update id."""
        return self.push_update(self.text_update(user_id, text, **options))

    def text_update(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        language: str = "nl",
    ) -> dict[str, Any]:
        """An update with a typed message, as Telegram sends it (without an update id)."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id or user_id, chat_type),
            "from": self._user(user_id, language),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"message": message}

    def push_callback(self, user_id: int, message_id: int, data: str, language: str = "nl") -> int:
        return self.push_update(
            {
                "callback_query": {
                    "id": f"cb{next(self._message_ids)}",
                    "from": self._user(user_id, language),
                    "chat_instance": "ci",
                    "data": data,
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": self._chat(user_id, "private"),
                        "text": "…",
                    },
                }
            }
        )

    def fail_next(
        self, method: str, status: int, payload: dict[str, Any], chat_id: Any = None
    ) -> None:
        """Fail the next call of ``method`` (to ``chat_id``, if given) with this error."""
        self.failures.append((method, chat_id, status, payload))

    async def handled(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot confirmed ``update_id`` (asked for the updates after it): its
        turn is over, stored, its replies sent or queued."""
        async with asyncio.timeout(timeout):
            while self.delivered_offset <= update_id:
                self._offset_moved.clear()
                await self._offset_moved.wait()

    async def wait_for_message(self, chat_id: int, contains: str, timeout: float = 10.0) -> Call:
        return await self.wait_for(
            lambda c: (
                c.method in ("sendMessage", "editMessageText")
                and str(c.params.get("chat_id")) == str(chat_id)
                and contains in str(c.params.get("text", ""))
            ),
            timeout,
        )

    # ---- the API ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = self._decode(dict(await request.post()))
        call = Call(method, params)
        failure = next(
            (
                f
                for f in self.failures
                if f[0] == method and (f[1] is None or str(f[1]) == str(params.get("chat_id")))
            ),
            None,
        )
        if failure is not None:
            self.failures.remove(failure)
            _, _, status, payload = failure
            call.result = ("failed", status)
            self._record(call)
            return web.json_response({"ok": False, "error_code": status, **payload}, status=status)
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        handler = getattr(self, f"_api_{method}", None)
        call.result = await handler(params) if handler else True
        self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    def _record(self, call: Call) -> None:
        if call.method != "getUpdates":  # the bot's polling is not what tests wait for
            super()._record(call)

    @staticmethod
    def _decode(form: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):  # a multipart upload (sendDocument)
                params[key] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "data": value.file.read(),
                }
                continue
            if key in RAW_KEYS:
                params[key] = value
                continue
            try:
                params[key] = json.loads(value)
            except (TypeError, ValueError):
                params[key] = value
        return params

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "VIM",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset > self.delivered_offset:
            self.delivered_offset = offset
            self._offset_moved.set()
        wait = min(float(params.get("timeout") or 0), 0.5)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending and wait:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), wait)
            pending = [u for u in self.updates if u["update_id"] >= offset]
        return pending

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = params["chat_id"]
        return {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": params.get("text", ""),
        }

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, int(params["message_id"]))

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        """The Message Telegram answers an upload with: its ``document`` describes the file."""
        upload = params.get("document")
        if not isinstance(upload, dict):
            raise web.HTTPBadRequest(text="a document is uploaded as a multipart file")
        chat_id = str(params["chat_id"])
        self.documents.append(Upload(chat_id, upload["filename"], upload["data"]))
        params["document"] = {"filename": upload["filename"], "size": len(upload["data"])}
        number = next(self._message_ids)
        return {
            "message_id": number,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "VIM", "username": BOT_USERNAME},
            "date": int(time.time()),
            "chat": {"id": params["chat_id"], "type": "private"},
            "document": {
                "file_name": upload["filename"],
                "mime_type": upload["content_type"],
                "file_id": f"BQACAgQAAxkDAAI{number}",
                "file_unique_id": f"AgAD{number}",
                "file_size": len(upload["data"]),
            },
        }
