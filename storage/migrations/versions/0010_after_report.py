"""what was done after a report; the confidential adviser's own steps

``after_report`` lists the case actions after a report (aftercare for the reporter, a
conversation with the client, care ended, a police report, the client informed), each with
its value, who and when. The confidential adviser records when contact was made and when the
request was closed, apart from everything the leaders read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("after_report", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "adviser_contacted_at", storage.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("adviser_closed_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("adviser_closed_at")
        batch_op.drop_column("adviser_contacted_at")
        batch_op.drop_column("after_report")
