"""The limit on new reports per person per hour: a flood can't bury real reports.

Counted in the database, so the limit holds across restarts and across processes, and in a
form that links nobody to an anonymous report: the person is a keyed hash of their address
(never the address), the count is per hour (no minute, no reference, no report), and no
count older than the previous hour is kept: they are deleted at every start and by the
periodic sweep. The last sixty minutes are estimated from this hour's count plus the share
of the previous hour's that still falls inside them.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from storage import crypto
from storage.db import Database
from storage.repository import Store

HOUR = timedelta(hours=1)


def hour_of(at: datetime) -> datetime:
    """The start of ``at``'s hour, in UTC: the finest moment a count keeps."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def counted_as(address: str) -> str:
    """Who a count is of: a keyed hash of the address (not the hash that finds reports)."""
    return crypto.current().lookup(f"starts:{address}")


def counted_since(now: datetime) -> datetime:
    """The first hour whose count still matters at ``now``: the previous one."""
    return hour_of(now) - HOUR


async def may_start(store: Store, address: str, now: datetime, per_hour: int) -> bool:
    """True, and the start counted, while ``address`` started fewer than ``per_hour`` reports
    in the last hour; False (nothing counted) when they have reached it."""
    hour = hour_of(now)
    previous = counted_since(now)
    person = counted_as(address)
    await store.forget_starts_soon(previous)  # everyone's: nothing old outlives a start
    counts = await store.starts_since(person, previous)
    still_inside = 1 - (now - hour) / HOUR  # the part of the previous hour within the last 60 min
    allowed = math.ceil(per_hour - counts.get(previous, 0) * still_inside)
    return allowed > 0 and await store.count_start(person, hour, allowed)


async def forget_expired(db: Database, now: datetime) -> int:
    """Delete every count older than the previous hour (the periodic sweep)."""
    async with db.transaction() as store:
        return await store.forget_starts_before(hour_of(now) - HOUR)
