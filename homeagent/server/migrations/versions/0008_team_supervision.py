"""team supervision: team settings, alerts, the no-break stretch

- team_settings: a team's board thresholds and alert settings (one row per team)
- alerts: one per agent, kind and episode (unique: raised once across instances)
- agent_status.work_since: start of the current stretch of work without a break
- help_requests.status (open/acknowledged/resolved), only if another migration has not
  added it yet (the help-request work owns it)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime


def _has_column(table: str, column: str) -> bool:
    return any(c["name"] == column for c in sa.inspect(op.get_bind()).get_columns(table))


def upgrade() -> None:
    op.create_table(
        "team_settings",
        sa.Column(
            "team_id",
            sa.String(36),
            sa.ForeignKey("teams.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.Column("updated_by_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("episode", sa.String(100), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("raised_at", _UTC(), nullable=False),
        sa.Column("cleared_at", _UTC(), nullable=True),
        sa.Column("acked_at", _UTC(), nullable=True),
        sa.Column("acked_by_id", sa.String(36), nullable=True),
        sa.UniqueConstraint("agent_id", "kind", "episode", name="uq_alerts_episode"),
    )
    op.create_index("ix_alerts_team_raised", "alerts", ["team_id", "raised_at"])
    op.create_index("ix_alerts_cleared", "alerts", ["cleared_at"])
    with op.batch_alter_table("agent_status") as batch_op:
        batch_op.add_column(sa.Column("work_since", _UTC(), nullable=True))
    # agents at work now: their stretch is taken to start with their current state
    op.execute("UPDATE agent_status SET work_since = since WHERE state NOT IN ('break', 'offline')")
    if not _has_column("help_requests", "status"):
        with op.batch_alter_table("help_requests") as batch_op:
            batch_op.add_column(
                sa.Column("status", sa.String(16), nullable=False, server_default="open")
            )


def downgrade() -> None:
    with op.batch_alter_table("agent_status") as batch_op:
        batch_op.drop_column("work_since")
    op.drop_index("ix_alerts_cleared", "alerts")
    op.drop_index("ix_alerts_team_raised", "alerts")
    op.drop_table("alerts")
    op.drop_table("team_settings")
    # help_requests.status is left: another migration may own it
