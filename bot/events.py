"""Neutral events: what comes in from a messenger and what goes out to one.

Adapters translate platform updates into :class:`Inbound` and render :class:`Outbound`
as their own widgets. Nothing here knows about Telegram, Slack or SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.anonymity import coarse
from bot.domain.text import clean_text


class InboundKind(StrEnum):
    TEXT = "text"  # the person typed something
    CHOICE = "choice"  # the person pressed a button (or typed an option's number)
    COMMAND = "command"  # /melden, /anoniem, /stop, ... (without the slash)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did: typed text, pressed a button or gave a command."""

    platform: str
    chat_id: str
    user_id: str
    kind: InboundKind
    text: str = ""
    choices: tuple[str, ...] = ()
    # The question a button belongs to; a press on an older question is stale.
    token: str | None = None
    is_private: bool = True
    user_name: str | None = None
    language: str | None = None
    # A platform's id of this delivery (e.g. a Telegram update_id): processed at most once.
    dedupe_key: str | None = None

    def __post_init__(self) -> None:
        # The profile name reaches leaders: on one line, without direction overrides.
        if self.user_name is not None:
            name = " ".join(clean_text(self.user_name).split()) or None
            object.__setattr__(self, "user_name", name)

    @property
    def address(self) -> str:
        """The person's neutral address, ``platform:user id``."""
        return f"{self.platform}:{self.user_id}"

    @property
    def chat_key(self) -> tuple[str, str]:
        return (self.platform, self.chat_id)

    @property
    def choice(self) -> str | None:
        """The value of the button pressed, if one was."""
        return self.choices[0] if self.kind is InboundKind.CHOICE and self.choices else None


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message: text, and optionally a question with options (single or multi choice)."""

    text: str
    options: tuple[Option, ...] = ()
    multi: bool = False
    token: str | None = None
    # Label of the button that confirms a multi-choice ("Klaar").
    done_label: str | None = None
    # A new rendering of the question just shown (a multi-choice tick): edit it in place.
    edit: bool = False
    # Set on messages that are not replies in the current chat (notifications).
    address: str | None = None
    # A document to render when the message is sent ("quarterly/2026-Q3": that period's
    # report, anonymised): the outbox keeps this instruction, never the file.
    document: str | None = None
    # The rendered document (file name, bytes), filled in at send time for the sender only.
    attachment: tuple[str, bytes] | None = None

    @property
    def is_question(self) -> bool:
        return bool(self.options)


COARSE = "coarse"  # payload flag: about an anonymous report, so its times are kept to the hour
NOT_BEFORE = "not_before"  # the exact moment a held message may go out (in the payload only)
HOUR = timedelta(hours=1)


def payload_of(message: Outbound, coarse: bool = False) -> dict[str, Any]:
    """An outbound message as JSON for the outbox: every field but the address (the row
    keeps that in its own, encrypted, column). ``coarse``: it is about an anonymous report,
    so its delivery is recorded no finer than the hour.

    Options are ``[value, label]`` pairs, ``[value, label, true]`` when ticked; a field at
    its default is left out, so a plain text stays ``{"text": ...}``. Rows written before
    every field was kept (``text``, ``options`` as pairs, ``token``) read the same way.
    """
    payload: dict[str, Any] = {"text": message.text}
    if message.options:
        payload["options"] = [
            [o.value, o.label, True] if o.selected else [o.value, o.label] for o in message.options
        ]
    if message.multi:
        payload["multi"] = True
    if message.token is not None:
        payload["token"] = message.token
    if message.done_label is not None:
        payload["done_label"] = message.done_label
    if message.edit:
        payload["edit"] = True
    if message.document is not None:
        payload["document"] = message.document
    if coarse:
        payload[COARSE] = True
    return payload


def delivered_at(payload: Mapping[str, Any], now: datetime) -> datetime:
    """The delivery moment to record: to the hour for a message about an anonymous report."""
    return coarse(now) if payload.get(COARSE) else now


def stored_due(payload: dict[str, Any], due_at: datetime) -> datetime:
    """The due moment to store in the row. For a message about an anonymous report it is
    kept to the hour (so it is due at once) and the exact moment it may go out travels in
    the payload, which is encrypted: no cleartext column holds a time finer than the hour."""
    if not payload.get(COARSE):
        return due_at
    payload[NOT_BEFORE] = due_at.isoformat()
    return coarse(due_at)


def settled(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The payload to keep once the message went out: without its exact hold moment (None
    when there is nothing to drop)."""
    if NOT_BEFORE not in payload:
        return None
    return {key: value for key, value in payload.items() if key != NOT_BEFORE}


def ready(payload: Mapping[str, Any], now: datetime) -> bool:
    """Whether a due message may go out now (a held one waits for its moment)."""
    moment = payload.get(NOT_BEFORE)
    return moment is None or datetime.fromisoformat(str(moment)) <= now


def later(payload: Mapping[str, Any], now: datetime, wait: timedelta) -> datetime:
    """When a message may be tried again after ``wait``; for one about an anonymous report
    that moment is kept to the hour too (rounded up, so never earlier than asked)."""
    moment = now + wait
    if not payload.get(COARSE) or moment == coarse(moment):
        return moment
    return coarse(moment) + HOUR


def outbound_from_payload(payload: Mapping[str, Any], address: str | None = None) -> Outbound:
    """The message :func:`payload_of` stored, sent to ``address`` (the row's address)."""
    options = tuple(
        Option(str(value), str(label), bool(selected and selected[0]))
        for value, label, *selected in payload.get("options", [])
    )
    token, done_label = payload.get("token"), payload.get("done_label")
    document = payload.get("document")
    return Outbound(
        str(payload["text"]),
        options,
        multi=bool(payload.get("multi", False)),
        token=None if token is None else str(token),
        done_label=None if done_label is None else str(done_label),
        edit=bool(payload.get("edit", False)),
        address=address,
        document=None if document is None else str(document),
    )
