"""Delivering one turn's replies in order, for any messenger.

A reply that can't be delivered right now (network, 5xx, rate limit) goes to the outbox, and
so do the replies after it in the same turn, due at the same moment: order is kept and
nothing is lost.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.core import Core
from bot.events import Outbound

# Sends one reply; returns None when delivered, else how long to wait before retrying.
SendOne = Callable[[Outbound], Awaitable[timedelta | None]]


async def deliver_in_order(
    core: Core, address: str, replies: Sequence[Outbound], send_one: SendOne
) -> bool:
    """Send the replies one by one; True when some had to be queued for a retry."""
    wait: timedelta | None = None
    for reply in replies:
        if wait is None:
            wait = await send_one(reply)
            if wait is None:
                continue
        await core.queue(address, reply, wait)
    return wait is not None


class Apologies:
    """Updates whose turn the database could not store, already answered with the friendly
    error message: the platform delivers them again (maybe often, while the database is
    down), and the person hears it once. In memory; bounded."""

    def __init__(self, limit: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def first(self, key: str | None) -> bool:
        """True the first time ``key`` failed (and always for an update without a key)."""
        if key is None:
            return True
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._limit:
            self._keys.popitem(last=False)
        return True

    def forget(self, key: str | None) -> None:
        if key is not None:
            self._keys.pop(key, None)
