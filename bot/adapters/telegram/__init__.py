"""Telegram adapter on python-telegram-bot v22: translate updates, render messages, wire the app.

The adapter only translates: conversation state lives in our database (not PTB's
ConversationHandler or persistence), so a kill -9 mid-report loses nothing.
"""

from bot.adapters.telegram.app import TelegramAdapter

__all__ = ["TelegramAdapter"]
