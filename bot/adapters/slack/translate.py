"""Slack payloads → neutral :class:`Inbound` (pure, no network)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.events import Inbound, InboundKind

PLATFORM = "slack"
ACTION_PREFIX = "vim:"
SEPARATOR = "|"
SUBCOMMANDS = {
    "": "/melden",
    "melden": "/melden",
    "melding": "/melden",
    "report": "/melden",
    "anoniem": "/anoniem",
    "anonymous": "/anoniem",
    "status": "/status",
    "help": "/help",
    "hulp": "/help",
    "stop": "/stop",
}


def button_value(token: str | None, value: str) -> str:
    return f"{token or ''}{SEPARATOR}{value}"


def parse_button_value(raw: str | None) -> tuple[str | None, str]:
    token, _, value = (raw or "").partition(SEPARATOR)
    return (token or None), value


def from_dm_message(event: Mapping[str, Any], event_id: str | None) -> Inbound | None:
    """A person's message in their DM with the app; None for anything else (channels, bots,
    edits): nothing typed in a channel is ever stored."""
    if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
        return None
    user = event.get("user")
    if not user:
        return None
    return Inbound(
        platform=PLATFORM,
        chat_id=str(event["channel"]),
        user_id=str(user),
        kind=InboundKind.TEXT,
        text=str(event.get("text") or ""),
        dedupe_key=f"slack:event:{event_id}" if event_id else None,
    )


def from_button(body: Mapping[str, Any], dm_channel: str) -> Inbound:
    action = (body.get("actions") or [{}])[0]
    token, value = parse_button_value(action.get("value"))
    user = body.get("user") or {}
    return Inbound(
        platform=PLATFORM,
        chat_id=dm_channel,
        user_id=str(user.get("id")),
        kind=InboundKind.CHOICE,
        choices=(value,) if value else (),
        token=token,
        user_name=user.get("name") or user.get("username"),
    )


def command_text(text: str | None) -> str | None:
    """``/vim anoniem`` → ``/anoniem``, ``/vim status ABCD`` → ``/status ABCD``; None for an
    unknown sub-command."""
    words = (text or "").strip().split(maxsplit=1)
    name = SUBCOMMANDS.get(words[0].lower() if words else "")
    if name is None:
        return None
    return f"{name} {words[1]}" if len(words) == 2 else name


def command(user_id: str, dm_channel: str, text: str, user_name: str | None = None) -> Inbound:
    return Inbound(
        platform=PLATFORM,
        chat_id=dm_channel,
        user_id=user_id,
        kind=InboundKind.COMMAND,
        text=text,
        user_name=user_name,
    )


def form_values(state: Mapping[str, Any]) -> dict[str, str | list[str] | None]:
    """A modal's ``view.state.values`` as step id → text, option value or list of values."""
    raw: dict[str, str | list[str] | None] = {}
    for block_id, actions in (state.get("values") or {}).items():
        for element in actions.values():
            kind = element.get("type")
            if kind in ("static_select", "radio_buttons"):
                selected = element.get("selected_option")
                raw[block_id] = selected["value"] if selected else None
            elif kind in ("multi_static_select", "checkboxes"):
                raw[block_id] = [o["value"] for o in element.get("selected_options") or []]
            else:
                raw[block_id] = element.get("value")
    return raw
