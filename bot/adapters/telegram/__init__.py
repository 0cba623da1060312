"""Telegram adapter on python-telegram-bot v22: translate updates, render messages, wire the app.

The adapter only translates: conversation state lives in our database (not PTB's
ConversationHandler or persistence), so a kill -9 mid-report loses nothing.
"""

import os

# Opt in to PTB's coming behaviour (durations as timedelta) instead of deprecation warnings;
# the adapter reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.adapters.telegram.app import TelegramAdapter

__all__ = ["TelegramAdapter"]
