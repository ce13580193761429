"""team-lead console, shared base: remote state changes, call quality, audit log

- agent_status: who set the state remotely and why; a pending remote change
- call_quality: the latest figures an agent's app published
- audit_log: remote state changes, acknowledgements, settings changes

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table("agent_status") as batch_op:
        batch_op.add_column(sa.Column("changed_by_id", sa.String(36), nullable=True))
        batch_op.add_column(sa.Column("note", sa.String(500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("pending_state", sa.String(16), nullable=True))
        batch_op.add_column(
            sa.Column("pending_reason", sa.String(100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("pending_note", sa.String(500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("pending_by_id", sa.String(36), nullable=True))
        batch_op.add_column(sa.Column("pending_at", _UTC(), nullable=True))
    op.create_table(
        "call_quality",
        sa.Column(
            "agent_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sip_call_id", sa.String(255), nullable=False),
        sa.Column("mos", sa.Float(), nullable=False),
        sa.Column("loss_pct", sa.Float(), nullable=False),
        sa.Column("jitter_ms", sa.Float(), nullable=False),
        sa.Column("rtt_ms", sa.Float(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("at", _UTC(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", _UTC(), nullable=False),
        sa.Column("actor_id", sa.String(36), nullable=False),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("agent_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_log_team_at", "audit_log", ["team_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_team_at", "audit_log")
    op.drop_table("audit_log")
    op.drop_table("call_quality")
    with op.batch_alter_table("agent_status") as batch_op:
        for name in (
            "pending_at", "pending_by_id", "pending_note", "pending_reason",
            "pending_state", "note", "changed_by_id",
        ):  # fmt: skip
            batch_op.drop_column(name)
