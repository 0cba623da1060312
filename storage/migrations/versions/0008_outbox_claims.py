"""outbox claims and start counts

A claim token per outbox message (only the holder of a claim records its delivery), and
the per-person, per-hour counts of new reports that keep the flood limit across restarts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
    op.create_table(
        "report_starts",
        sa.Column("hour", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("starts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "person", name=op.f("pk_report_starts")),
    )


def downgrade() -> None:
    op.drop_table("report_starts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
