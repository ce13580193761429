"""devices.previous_refresh_hash + rotated_at (a lost refresh answer is not fatal)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch_op:
        batch_op.add_column(sa.Column("previous_refresh_hash", sa.String(64), nullable=True))
        batch_op.add_column(
            sa.Column("rotated_at", homeagent.server.models.UtcDateTime(), nullable=True)
        )
        batch_op.create_index("ix_devices_previous_refresh_hash", ["previous_refresh_hash"])


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_index("ix_devices_previous_refresh_hash")
        batch_op.drop_column("rotated_at")
        batch_op.drop_column("previous_refresh_hash")
