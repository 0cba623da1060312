"""The one result of a turn, whatever handled it: the report conversation, a case step, a
command. The service stores what it says about the conversation and returns the rest to the
adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from bot.events import Outbound
from bot.flows.state import FlowState


class Keep(Enum):
    """The chat's conversation stays as it is (neither saved anew nor ended)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(slots=True)
class Outcome:
    """What a turn produced: replies to the person, and messages queued for others."""

    replies: list[Outbound] = field(default_factory=list)
    notifications: list[Outbound] = field(default_factory=list)  # already in the outbox
    # The chat's conversation after the turn: a state to store, None to end it, or KEEP.
    state: FlowState | Keep | None = KEEP
    reference: str | None = None
    duplicate: bool = False  # the platform delivered this update before; nothing was done
    anonymous: bool = False  # an anonymous report was sent in this turn
    # The database failed (connection lost or refused) and nothing was stored: the replies
    # say sorry, and the adapter leaves the update unacknowledged so it is delivered again.
    unavailable: bool = False

    def extend(self, other: Outcome) -> None:
        """Add what another handler produced (its conversation too, if it says one)."""
        self.replies.extend(other.replies)
        self.notifications.extend(other.notifications)
        if other.state is not KEEP:
            self.state = other.state
        self.reference = other.reference or self.reference
        self.anonymous = self.anonymous or other.anonymous
