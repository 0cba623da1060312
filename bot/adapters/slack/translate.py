"""Slack payloads → neutral :class:`Inbound` (pure, no network)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.adapters.buttons import parse_button_data
from bot.commands import BY_NAME, Command, Name, find
from bot.domain.text import fold
from bot.events import Inbound, InboundKind

PLATFORM = "slack"
ACTION_PREFIX = "vim:"
SLASH_COMMAND = "/vim"


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
    token, value = parse_button_data(action.get("value"))
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


def subcommand(text: str | None) -> tuple[Command, str] | None:
    """``/vim <word> [argument]`` → the command registry's command and the argument; ``/vim``
    alone starts a report. None for a word the registry does not know."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return BY_NAME[Name.REPORT], ""
    argument = words[1] if len(words) == 2 else ""
    command = find(fold(words[0]), argument)
    return None if command is None else (command, argument)


def command_text(text: str | None) -> str | None:
    """``/vim anoniem`` → ``/anoniem``, ``/vim status ABCD`` → ``/status ABCD`` (the command as
    typed in a chat); None for an unknown sub-command."""
    found = subcommand(text)
    return None if found is None else slash(*found)


def slash(command: Command, argument: str = "") -> str:
    """A command as typed in a chat: ``/status ABCD``."""
    return f"/{command.name.value} {argument}" if argument else f"/{command.name.value}"


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
