"""Telegram update (the Bot API's JSON) → neutral :class:`Inbound` (pure, no network).

Updates are read as the JSON they arrive in rather than as PTB ``Update`` objects: building
an ``Update`` with its ``Message``, ``Chat``, ``User`` and entities costs more CPU than the
rest of the adapter's work on a turn, for the handful of fields read here.
"""

from __future__ import annotations

from typing import Any

from bot.adapters.buttons import parse_button_data
from bot.events import Inbound, InboundKind

PLATFORM = "telegram"

# An update, a message, a user, …: a JSON object of the Bot API.
Json = dict[str, Any]


def message_of(update: Json) -> Json | None:
    """The message the update is about: the one sent, or the one whose button was pressed
    (None for an inline message's button, whose message the bot cannot see)."""
    query = update.get("callback_query")
    return update.get("message") if query is None else query.get("message")


def user_of(update: Json) -> Json | None:
    """Who sent the message or pressed the button."""
    query = update.get("callback_query")
    if query is not None:
        return query.get("from")
    message = update.get("message")
    return None if message is None else message.get("from")


def full_name(user: Json) -> str:
    """First and last name, as Telegram's apps show it (PTB's ``User.full_name``)."""
    last = user.get("last_name")
    return f"{user['first_name']} {last}" if last else str(user["first_name"])


def translate(update: Json, bot_id: int) -> Inbound | None:
    """The update as a neutral event, or None for updates the bot does not act on (edited
    messages, channel posts, other bots, buttons of inline messages)."""
    message = message_of(update)
    user = user_of(update)
    if message is None or user is None or user.get("is_bot"):
        return None
    chat = message["chat"]
    common: dict[str, Any] = {
        "platform": PLATFORM,
        "chat_id": str(chat["id"]),
        "user_id": str(user["id"]),
        "is_private": chat.get("type") == "private",
        "user_name": full_name(user),
        "language": user.get("language_code"),
        "dedupe_key": f"telegram:{bot_id}:{update['update_id']}",
    }
    query = update.get("callback_query")
    if query is not None:
        token, value = parse_button_data(query.get("data"))
        return Inbound(
            kind=InboundKind.CHOICE, choices=(value,) if value else (), token=token, **common
        )  # type: ignore[arg-type]
    text = message.get("text") or message.get("caption") or ""
    kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
    return Inbound(kind=kind, text=text, **common)
