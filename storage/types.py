"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as UTC; always returns an aware UTC datetime.

    SQLite has no time zones, so values are stored naive-in-UTC there and made aware on the
    way out. Naive datetimes are refused on the way in: they are a bug, not a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest when a key is configured (see ``storage.crypto``)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        from storage.crypto import current

        return None if value is None else current().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        from storage.crypto import current

        return None if value is None else current().decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """JSON (a draft's state, a queued message) encrypted at rest when a key is configured."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        from storage.crypto import current

        if value is None:
            return None
        return current().encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        from storage.crypto import current

        return None if value is None else json.loads(current().decrypt(value))
