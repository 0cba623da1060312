"""Telegram update → neutral :class:`Inbound` (pure, no network)."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.adapters.buttons import parse_button_data
from bot.events import Inbound, InboundKind

PLATFORM = "telegram"


def translate(update: Update, bot_id: int) -> Inbound | None:
    """The update as a neutral event, or None for updates the bot does not act on."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or user.is_bot:
        return None
    common: dict[str, Any] = {
        "platform": PLATFORM,
        "chat_id": str(chat.id),
        "user_id": str(user.id),
        "is_private": chat.type == "private",
        "user_name": user.full_name,
        "language": user.language_code,
        "dedupe_key": f"telegram:{bot_id}:{update.update_id}",
    }
    if update.callback_query is not None:
        token, value = parse_button_data(update.callback_query.data)
        return Inbound(
            kind=InboundKind.CHOICE, choices=(value,) if value else (), token=token, **common
        )  # type: ignore[arg-type]
    message = update.message
    if message is None:
        return None  # edited messages, channel posts, …: not part of a conversation
    text = message.text or message.caption or ""
    kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
    return Inbound(kind=kind, text=text, **common)
