"""live call supervision: the supervision sessions

- supervision_sessions: one lead listening to, whispering to or barging into one agent's
  call; the token's SHA-256 only; at most one open session per agent and per lead
  (partial unique indexes), the team's open sessions and an agent's day indexed
- the `supervision_policy` setting is created by `init` (db.DEFAULT_SETTINGS) when absent;
  a database without it reads the default, `announced`

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime
_OPEN = sa.text("status != 'ended'")


def upgrade() -> None:
    op.create_table(
        "supervision_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("lead_id", sa.String(36), nullable=False),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("connected_at", _UTC(), nullable=True),
        sa.Column("ended_at", _UTC(), nullable=True),
        sa.Column("end_reason", sa.String(20), nullable=True),
        sa.Column("modes", sa.JSON(), nullable=False),
    )
    op.create_index(
        "uq_supervision_open_agent",
        "supervision_sessions",
        ["agent_id"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.create_index(
        "uq_supervision_open_lead",
        "supervision_sessions",
        ["lead_id"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )
    op.create_index("ix_supervision_team_status", "supervision_sessions", ["team_id", "status"])
    op.create_index(
        "ix_supervision_agent_created", "supervision_sessions", ["agent_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_supervision_agent_created", "supervision_sessions")
    op.drop_index("ix_supervision_team_status", "supervision_sessions")
    op.drop_index("uq_supervision_open_lead", "supervision_sessions")
    op.drop_index("uq_supervision_open_agent", "supervision_sessions")
    op.drop_table("supervision_sessions")
