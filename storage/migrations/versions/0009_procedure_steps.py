"""procedure steps: exploration started, Arbeidsinspectie reported; the app's own state

The exploratory investigation can be marked as started; a serious work accident records when
it was reported to the Arbeidsinspectie; ``app_state`` keeps a few facts about the
installation itself (such as the version of the procedure rules open reports are planned by).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("explored_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("arbeidsinspectie_reported_on", sa.Date(), nullable=True))
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )


def downgrade() -> None:
    op.drop_table("app_state")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("arbeidsinspectie_reported_on")
        batch_op.drop_column("explored_at")
