"""stricter follow-up after an IGJ measure

A report under stricter follow-up (§14, "verscherpt toezicht"): since when, by whom, when it
was lifted, and its progress reports (encrypted: free texts with who and when).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("strict_followup_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("strict_followup_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "strict_followup_ended_at", storage.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("progress_reports", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("progress_reports")
        batch_op.drop_column("strict_followup_ended_at")
        batch_op.drop_column("strict_followup_by")
        batch_op.drop_column("strict_followup_at")
