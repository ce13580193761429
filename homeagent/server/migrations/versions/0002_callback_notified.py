"""callbacks.notified_at (for the callback_due event)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callbacks") as batch_op:
        batch_op.add_column(
            sa.Column("notified_at", homeagent.server.models.UtcDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("callbacks") as batch_op:
        batch_op.drop_column("notified_at")
