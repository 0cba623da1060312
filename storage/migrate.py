"""Alembic, driven from code: ``vimbot db upgrade`` and the check at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate; after a change, SQLite's file is rebuilt, so values a migration encrypted or
    removed do not stay behind in free pages or the write-ahead log."""
    before = await current_revision(db)
    async with db.engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)
    if before is not None and await current_revision(db) != before:
        await db.drop_old_copies(vacuum=True)


async def downgrade(db: Database, revision: str = "base") -> None:
    async with db.engine.begin() as connection:
        await connection.run_sync(_downgrade, revision)


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(_current)


async def is_up_to_date(db: Database) -> bool:
    return await current_revision(db) == head_revision()
