"""refresh-token reuse detection, device keys, idempotency expiry

- devices.refresh_retries: the replaced token was retried inside the grace (once at most)
- devices.login_key_hash: the enrolled PC's key, which spares it the login back-off
- retired_refresh_tokens: every token a device rotated away from (reuse = revoke)
- an index on idempotency_keys.created_at for the expiry sweep

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch_op:
        batch_op.add_column(
            sa.Column("refresh_retries", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("login_key_hash", sa.String(64), nullable=True))
        batch_op.create_index("ix_devices_login_key_hash", ["login_key_hash"])
    op.create_table(
        "retired_refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "device_id",
            sa.String(36),
            sa.ForeignKey("devices.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("retired_at", homeagent.server.models.UtcDateTime(), nullable=False),
    )
    op.create_index("ix_retired_refresh_tokens_device_id", "retired_refresh_tokens", ["device_id"])
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_created_at", "idempotency_keys")
    op.drop_index("ix_retired_refresh_tokens_device_id", "retired_refresh_tokens")
    op.drop_table("retired_refresh_tokens")
    with op.batch_alter_table("devices") as batch_op:
        batch_op.drop_index("ix_devices_login_key_hash")
        batch_op.drop_column("login_key_hash")
        batch_op.drop_column("refresh_retries")
