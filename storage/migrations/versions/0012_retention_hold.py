"""a retention hold on a report; the analysis of §6.6; the board's records

A report under investigation, a complaint or an inspection is held (since when, by whom, on
which ground) and kept past the retention period until the coordinator releases it (§13).
``reports.analysis`` holds the analysis of §6.6 (encrypted), ``improvement_actions.kind``
whether a measure is immediate or structural (§6.7), ``board_records`` the board's
half-yearly evaluations and yearly policy reviews.

Revision ID: 0012
Revises: 0011_weekly_conclusions
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011_weekly_conclusions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_held_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("retention_held_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("retention_hold_ground", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("retention_hold_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("analysis", sa.Text(), nullable=True))
    with op.batch_alter_table("improvement_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
    op.create_table(
        "board_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_records")),
    )


def downgrade() -> None:
    op.drop_table("board_records")
    with op.batch_alter_table("improvement_actions", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("analysis")
        batch_op.drop_column("retention_hold_reason")
        batch_op.drop_column("retention_hold_ground")
        batch_op.drop_column("retention_held_by")
        batch_op.drop_column("retention_held_at")
