"""The Bot API calls of every turn, as plain JSON through python-telegram-bot's request layer.

PTB's ``Bot.send_message`` and friends build a ``Message`` (with its ``Chat``, ``User``, …)
from every answer and turn the keyboard objects into JSON again: about 0.2 ms of CPU per
call, more than the HTTP call itself. A turn only needs the sent message's id (and a few
fields of the update, read from its JSON in translate.py). These calls
go through the same path below the object model: ``Bot._post`` (what ``Bot.do_api_request``
uses, without its warning for known methods), so PTB still inserts its defaults, encodes
the parameters, picks the ``getUpdates`` connection, maps errors to ``TelegramError``\\ s
(``RetryAfter``, ``Forbidden``, ``BadRequest``, …) and reads the JSON answer.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import Bot

# One message's parameters besides the chat: text, parse mode and keyboard (render.py).
Part = dict[str, Any]


class BotApi:
    """getUpdates, sendMessage, editMessageText and answerCallbackQuery without PTB's
    objects."""

    __slots__ = ("bot",)

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def call(self, method: str, params: dict[str, Any], **timeouts: Any) -> Any:
        """The method's ``result`` as JSON (a dict, a list or True). Parameters that are not
        text are JSON-encoded here, once (PTB would encode a keyboard twice per call)."""
        encoded = {
            k: v if isinstance(v, str) else json.dumps(v)
            for k, v in params.items()
            if v is not None
        }
        return await self.bot._post(method, encoded, **timeouts)

    async def send_message(self, chat_id: str, part: Part) -> int:
        """Send one message; its id."""
        sent = await self.call("sendMessage", {"chat_id": chat_id, **part})
        return int(sent["message_id"])

    async def edit_message_text(self, chat_id: str, message_id: int, part: Part) -> None:
        await self.call("editMessageText", {"chat_id": chat_id, "message_id": message_id, **part})

    async def answer_callback_query(self, query_id: str) -> None:
        await self.call("answerCallbackQuery", {"callback_query_id": query_id})

    async def get_updates(
        self, offset: int, wait: float, allowed: list[str], *, read_timeout: float
    ) -> list[dict[str, Any]]:
        """The pending updates from ``offset`` on, as JSON, waiting up to ``wait`` seconds
        for one (long polling): the answer may take that much longer than ``read_timeout``."""
        params = {"offset": offset, "timeout": wait, "allowed_updates": allowed}
        updates: list[dict[str, Any]] = await self.call(
            "getUpdates", params, read_timeout=read_timeout + wait
        )
        return updates
