"""Neutral :class:`Outbound` → Telegram message parameters (pure, no network).

The parameters are the Bot API's own JSON (``reply_markup`` as an ``inline_keyboard`` of
button dicts), sent as they are (api.py): no PTB objects to build and serialise again.
Every text is HTML-escaped and sent with ``parse_mode=HTML``, so a report containing ``<``,
``*``, ``_`` or emoji can never break a message. Texts over Telegram's 4,096-character
limit are split at line breaks; the buttons go with the last part.
"""

from __future__ import annotations

import html
from typing import Any

from telegram.constants import MessageLimit, ParseMode

from bot.adapters.buttons import button_data
from bot.events import Outbound
from bot.flows.engine import DONE

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096
HTML = ParseMode.HTML.value
SHORT_LABEL = 18  # labels up to this length share a row, two by two
CHECK = "✅ "
UNCHECKED = "▫️ "


def button(label: str, data: str) -> dict[str, str]:
    """An inline keyboard button (Bot API ``InlineKeyboardButton``) carrying ``data``."""
    return {"text": label, "callback_data": data}


def keyboard(message: Outbound) -> dict[str, Any] | None:
    """The question's buttons as a Bot API ``InlineKeyboardMarkup``."""
    if not message.options:
        return None
    buttons = []
    for option in message.options:
        label = option.label
        if message.multi:
            label = (CHECK if option.selected else UNCHECKED) + label
        buttons.append(button(label, button_data(message.token, option.value)))
    rows: list[list[dict[str, str]]] = []
    if all(len(o.label) <= SHORT_LABEL for o in message.options):
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    else:
        rows = [[b] for b in buttons]
    if message.multi:
        done = button(f"✔️ {message.done_label or 'Klaar'}", button_data(message.token, DONE))
        rows.append([done])
    return {"inline_keyboard": rows}


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` characters (after escaping), split at line breaks if possible."""
    if len(text) * 6 <= limit or len(html.escape(text)) <= limit:  # escaping at most 6×
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(html.escape(candidate)) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(html.escape(line)) > limit:  # one very long line: cut it
            cut = limit
            while len(html.escape(line[:cut])) > limit:
                cut -= 100
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    parts.append(current)
    return parts or [""]


def render(message: Outbound) -> list[dict[str, Any]]:
    """sendMessage parameters besides the chat, one dict per part."""
    parts = split_text(message.text or " ")
    rendered: list[dict[str, Any]] = [
        {"text": html.escape(part) or " ", "parse_mode": HTML} for part in parts
    ]
    markup = keyboard(message)
    if markup is not None:
        rendered[-1]["reply_markup"] = markup
    return rendered
