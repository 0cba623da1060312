"""What a button carries on every messenger (Telegram's ``callback_data``, a Slack button's
``value``): the token of the message it is on and the option's value."""

from __future__ import annotations

SEPARATOR = "|"


def button_data(token: str | None, value: str) -> str:
    """The token and the value as one string (Telegram allows 64 bytes)."""
    return f"{token or ''}{SEPARATOR}{value}"


def parse_button_data(raw: str | None) -> tuple[str | None, str]:
    """The token (None when there is none) and the value a button carried."""
    token, _, value = (raw or "").partition(SEPARATOR)
    return (token or None), value
