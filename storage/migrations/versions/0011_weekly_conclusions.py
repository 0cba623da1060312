"""the weekly review's conclusions, per team and week (issue 15)

Revision ID: 0011_weekly_conclusions
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011_weekly_conclusions"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_conclusions",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("week", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),  # encrypted at rest (EncryptedText)
        sa.Column("recorded_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "week"),
    )


def downgrade() -> None:
    op.drop_table("weekly_conclusions")
