"""What one turn knows once it is loaded: the person, the chat's conversation, the event and
the command it names. The router and every handler read this; none of it is read again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands import Command
from bot.events import Inbound, InboundKind
from bot.flows.engine import Context
from bot.flows.state import FlowState
from storage.models import Person
from storage.repository import Store, StoredConversation


@dataclass(slots=True)
class Turn:
    store: Store
    event: Inbound
    person: Person
    ctx: Context
    now: datetime
    conversation: StoredConversation | None  # the chat's conversation row, as stored
    word: str  # the folded command word typed ("" for a button or a sentence)
    argument: str  # what follows a command: ``/status ABCD`` → ``ABCD``
    command: Command | None  # what the word names, given the argument
    # The conversation's state, read and checked against its flow; None when there is no
    # conversation, or when the stored one could not be read (``unreadable``).
    state: FlowState | None = None

    @property
    def unreadable(self) -> bool:
        """A conversation is stored, but its flow cannot go on with it."""
        return self.conversation is not None and self.state is None

    @property
    def choice(self) -> str | None:
        """The value of the button pressed, if one was."""
        return self.event.choice

    @property
    def is_command(self) -> bool:
        return self.event.kind is InboundKind.COMMAND
