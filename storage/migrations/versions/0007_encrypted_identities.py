"""encrypted identities

People, chats, outbox addresses and actors (events, audit log) are encrypted with the
configured key (``VIMBOT_ENCRYPTION_KEY``) and found by a keyed hash: rows already stored
are encrypted and hashed here. ``vimbot db upgrade`` then rebuilds the SQLite file so no
plaintext stays in free pages (PostgreSQL: see the README, VACUUM (FULL)).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Change = Callable[[str], str]


def upgrade() -> None:
    from storage.crypto import current

    cipher = current()
    _audit_triggers(create=False)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_hash", sa.String(length=64), nullable=True))
        _to_text(batch_op, "address", nullable=False)
        _to_text(batch_op, "name", nullable=True)
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_hash", sa.String(length=64), nullable=True))
        _to_text(batch_op, "chat_id", nullable=False, length=100)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("platform", sa.String(length=20), nullable=True))
        batch_op.drop_index("ix_outbox_address_status")
        _to_text(batch_op, "address", nullable=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_hash", sa.String(length=64), nullable=True))
        _to_text(batch_op, "actor", nullable=False)
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        _to_text(batch_op, "actor", nullable=True)

    bind = op.get_bind()
    for address, name in bind.execute(sa.text("SELECT address, name FROM people")).all():
        plain = cipher.decrypt(address)
        bind.execute(
            sa.text(
                "UPDATE people SET address_hash = :h, address = :a, name = :n WHERE address = :o"
            ),
            {
                "h": cipher.lookup(plain),
                "a": cipher.encrypt(plain),
                "n": None if name is None else cipher.encrypt(cipher.decrypt(name)),
                "o": address,
            },
        )
    for platform, chat_id in bind.execute(
        sa.text("SELECT platform, chat_id FROM conversations")
    ).all():
        plain = cipher.decrypt(chat_id)
        bind.execute(
            sa.text(
                "UPDATE conversations SET chat_hash = :h, chat_id = :c "
                "WHERE platform = :p AND chat_id = :o"
            ),
            {
                "h": cipher.lookup(f"{platform}:{plain}"),
                "c": cipher.encrypt(plain),
                "p": platform,
                "o": chat_id,
            },
        )
    for row_id, address in bind.execute(sa.text("SELECT id, address FROM outbox")).all():
        plain = cipher.decrypt(address)
        bind.execute(
            sa.text(
                "UPDATE outbox SET address_hash = :h, platform = :p, address = :a WHERE id = :i"
            ),
            {
                "h": cipher.lookup(plain),
                "p": plain.partition(":")[0],
                "a": cipher.encrypt(plain),
                "i": row_id,
            },
        )
    for row_id, actor in bind.execute(sa.text("SELECT id, actor FROM audit_log")).all():
        plain = cipher.decrypt(actor)
        bind.execute(
            sa.text("UPDATE audit_log SET actor_hash = :h, actor = :a WHERE id = :i"),
            {"h": cipher.lookup(plain), "a": cipher.encrypt(plain), "i": row_id},
        )
    _rewrite_event_actors(cipher.encrypt, cipher.decrypt)

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("address_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("pk_people", type_="primary")
        batch_op.create_primary_key("pk_people", ["address_hash"])
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.alter_column("chat_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("pk_conversations", type_="primary")
        batch_op.create_primary_key("pk_conversations", ["platform", "chat_hash"])
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("address_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("platform", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_index(
            "ix_outbox_address_hash_status", ["address_hash", "status"], unique=False
        )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("actor_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor_hash"), ["actor_hash"], unique=False)
    _audit_triggers(create=True)


def downgrade() -> None:
    """Back to identities in clear (decrypted with the configured key)."""
    from storage.crypto import current

    cipher = current()
    _audit_triggers(create=False)
    bind = op.get_bind()
    for table, column in (("people", "address"), ("outbox", "address"), ("audit_log", "actor")):
        key = "address_hash" if table == "people" else "id"
        for row_key, value in bind.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all():
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE {key} = :k"),
                {"v": cipher.decrypt(value), "k": row_key},
            )
    for row_key, name in bind.execute(sa.text("SELECT address_hash, name FROM people")).all():
        if name is not None:
            bind.execute(
                sa.text("UPDATE people SET name = :v WHERE address_hash = :k"),
                {"v": cipher.decrypt(name), "k": row_key},
            )
    for platform, chat_hash, chat_id in bind.execute(
        sa.text("SELECT platform, chat_hash, chat_id FROM conversations")
    ).all():
        bind.execute(
            sa.text("UPDATE conversations SET chat_id = :v WHERE platform = :p AND chat_hash = :h"),
            {"v": cipher.decrypt(chat_id), "p": platform, "h": chat_hash},
        )
    _rewrite_event_actors(lambda plain: plain, cipher.decrypt)

    with op.batch_alter_table("report_events", schema=None) as batch_op:
        _from_text(batch_op, "actor", nullable=True)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_hash"))
        _from_text(batch_op, "actor", nullable=False)
        batch_op.drop_column("actor_hash")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_address_hash_status")
        _from_text(batch_op, "address", nullable=False)
        batch_op.drop_column("platform")
        batch_op.drop_column("address_hash")
        batch_op.create_index("ix_outbox_address_status", ["address", "status"], unique=False)
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        _from_text(batch_op, "chat_id", nullable=False, length=100)
        batch_op.drop_constraint("pk_conversations", type_="primary")
        batch_op.create_primary_key("pk_conversations", ["platform", "chat_id"])
        batch_op.drop_column("chat_hash")
    with op.batch_alter_table("people", schema=None) as batch_op:
        _from_text(batch_op, "address", nullable=False)
        _from_text(batch_op, "name", nullable=True)
        batch_op.drop_constraint("pk_people", type_="primary")
        batch_op.create_primary_key("pk_people", ["address"])
        batch_op.drop_column("address_hash")
    _audit_triggers(create=True)


def _rewrite_event_actors(write: Change, read: Change) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, actor FROM report_events WHERE actor IS NOT NULL")
    ).all()
    for row_id, actor in rows:
        bind.execute(
            sa.text("UPDATE report_events SET actor = :a WHERE id = :i"),
            {"a": write(read(actor)), "i": row_id},
        )


def _to_text(batch_op: object, column: str, nullable: bool, length: int = 200) -> None:
    batch_op.alter_column(  # type: ignore[attr-defined]
        column, existing_type=sa.String(length=length), type_=sa.Text(), existing_nullable=nullable
    )


def _from_text(batch_op: object, column: str, nullable: bool, length: int = 200) -> None:
    batch_op.alter_column(  # type: ignore[attr-defined]
        column, existing_type=sa.Text(), type_=sa.String(length=length), existing_nullable=nullable
    )


def _audit_triggers(create: bool) -> None:
    """The append-only triggers of migration 0004: off while rows are rewritten (and while
    SQLite rebuilds the table, which would drop them), then on again."""
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute(
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        return
    for event in ("UPDATE", "DELETE"):
        if create:
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{event.lower()}")
