"""What a messenger adapter may ask of the core: one narrow protocol.

The adapters (``bot/adapters``) type against :class:`Core` only, never against the service
that implements it (``bot.service.ReportService``), its clock, configuration or stores: an
adapter turns platform payloads into :class:`~bot.events.Inbound` events, hands them here,
and renders what comes back. Whatever it needs besides (its own settings, a clock for its
own pacing) it is given when it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.events import Inbound, Outbound
from bot.flows.engine import Flow, View
from bot.outcome import Outcome

__all__ = ["Core", "Form", "FormAnswers"]

# A submitted form: step id → typed text, chosen option value, or list of values.
FormAnswers = Mapping[str, str | list[str] | None]


@dataclass(frozen=True, slots=True)
class Form:
    """What the one-page report form (a Slack modal) is built from: the flow's own steps, and
    a view with the person's context (their language, the local time, whether their team is
    known), as the conversation would have it."""

    flow: Flow
    view: View


class Core(Protocol):
    """The core as the adapters see it."""

    @property
    def language(self) -> str:
        """The organisation's language, for texts an adapter writes itself."""
        ...

    async def handle(self, event: Inbound) -> Outcome:
        """One inbound event's turn: the replies, and what was queued for others."""
        ...

    async def resume(self, platform: str, chat_id: str, address: str) -> list[Outbound]:
        """The current question of a draft in progress, or nothing."""
        ...

    async def welcome(self, address: str, language: str | None = None) -> list[Outbound]:
        """The welcome (its buttons: report, anonymous, help), in the person's language."""
        ...

    async def inbox(self, address: str) -> list[Outbound]:
        """Queued messages for an address that reads them in this process (the shell)."""
        ...

    async def queue(self, address: str, message: Outbound, delay: timedelta | None = None) -> None:
        """Put a reply that could not be delivered right away in the outbox."""
        ...

    async def status_of(self, address: str, language: str | None = None) -> Outbound:
        """The person's own reports (an overview such as Slack's App Home)."""
        ...

    async def status_by_code(
        self, address: str, typed: str, language: str | None = None
    ) -> str | None:
        """The status text for a code or own reference, or None when it does not match."""
        ...

    async def reply_by_code(self, address: str, typed: str, text: str) -> Outcome | None:
        """Relay a reporter's answer given with their code, or None when it does not match."""
        ...

    async def form_context(self, address: str, language: str | None = None) -> Form:
        """What the report form is built from, for this person now."""
        ...

    async def submit_form(
        self, person: Inbound, raw: FormAnswers, anonymous: bool
    ) -> tuple[dict[str, str], Outcome]:
        """A report sent as one form: the problems per step id (nothing stored), or the
        outcome of sending."""
        ...
