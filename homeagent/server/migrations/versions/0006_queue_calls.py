"""queue figures: the queue_calls table; service-level threshold and maximum wait per queue

- queues: sl_threshold_s (20), max_wait_s (300), stats_sent_at / stats_digest (the last
  `queue_stats` event, so several instances publish at most 4 a second and only changes)
- queue_calls: one row per customer call through a queue (entry, offer, answer, end)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch_op:
        batch_op.add_column(
            sa.Column("sl_threshold_s", sa.Integer(), nullable=False, server_default="20")
        )
        batch_op.add_column(
            sa.Column("max_wait_s", sa.Integer(), nullable=False, server_default="300")
        )
        batch_op.add_column(sa.Column("stats_sent_at", _UTC(), nullable=True))
        batch_op.add_column(
            sa.Column("stats_digest", sa.String(64), nullable=False, server_default="")
        )
    op.create_table(
        "queue_calls",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("call_id", sa.String(255), nullable=False, unique=True),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("team_id", sa.String(36), nullable=False),
        sa.Column("entered_at", _UTC(), nullable=False),
        sa.Column("offered_at", _UTC(), nullable=True),
        sa.Column("answered_at", _UTC(), nullable=True),
        sa.Column("answered_by", sa.String(36), nullable=True),
        sa.Column("ended_at", _UTC(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("seen_at", _UTC(), nullable=False),
    )
    op.create_index("ix_queue_calls_queue_entered", "queue_calls", ["queue", "entered_at"])
    op.create_index("ix_queue_calls_outcome", "queue_calls", ["outcome"])


def downgrade() -> None:
    op.drop_index("ix_queue_calls_outcome", "queue_calls")
    op.drop_index("ix_queue_calls_queue_entered", "queue_calls")
    op.drop_table("queue_calls")
    with op.batch_alter_table("queues") as batch_op:
        for name in ("stats_digest", "stats_sent_at", "max_wait_s", "sl_threshold_s"):
            batch_op.drop_column(name)
