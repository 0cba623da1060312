"""Facts about the installation itself, by key."""

from __future__ import annotations

from storage.models import AppState
from storage.queries.base import StoreBase
from storage.queries.tables import upsert_insert


class AppStateQueries(StoreBase):
    __slots__ = ()

    async def app_state(self, key: str) -> str | None:
        row = await self._session.get(AppState, key)
        return None if row is None else row.value

    async def set_app_state(self, key: str, value: str) -> None:
        insert = upsert_insert(self._dialect)(AppState).values(key=key, value=value)
        await self._session.execute(
            insert.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        )
