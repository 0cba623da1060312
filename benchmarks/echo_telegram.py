"""A bare python-telegram-bot echo bot: the framework's own per-turn cost, for comparison.

It answers every message and every button with one message carrying two buttons (the same
shape of traffic as a report conversation), with no storage and no logic. ``--transport
aiohttp`` gives it the same Bot API transport and connection pools as vimbot (PTB's default
is httpx): the reference the targets compare against.
"""

from __future__ import annotations

import argparse

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

# As vimbot (bot/adapters/telegram/app.py): updates in parallel up to this many, and twice
# as many pooled connections for the Bot API calls.
MAX_CONCURRENT_UPDATES = 64

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Ja", callback_data="t|yes"),
            InlineKeyboardButton("Nee", callback_data="t|no"),
        ]
    ]
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
        text = update.callback_query.data or ""
    else:
        text = (update.message.text if update.message else "") or ""
    await context.bot.send_message(chat_id=chat.id, text=text[:100] or "?", reply_markup=KEYBOARD)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--transport", choices=("httpx", "aiohttp"), default="httpx")
    args = parser.parse_args()
    builder = (
        ApplicationBuilder()
        .token(args.token)
        .base_url(args.base_url)
        .concurrent_updates(MAX_CONCURRENT_UPDATES)
        .job_queue(None)
    )
    if args.transport == "aiohttp":
        from bot.adapters.telegram.transport import AiohttpRequest

        builder = builder.request(
            AiohttpRequest(pool_size=MAX_CONCURRENT_UPDATES * 2)
        ).get_updates_request(AiohttpRequest(pool_size=1))
    app = builder.build()
    app.add_handler(TypeHandler(Update, echo))
    app.run_polling(
        allowed_updates=["message", "callback_query"],
        timeout=1,
        drop_pending_updates=False,
        close_loop=False,
    )


if __name__ == "__main__":
    main()
