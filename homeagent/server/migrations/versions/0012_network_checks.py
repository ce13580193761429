"""the pre-shift check's last result per agent (network_checks; issue 15)

Revision ID: 0012
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "network_checks",
        sa.Column(
            "agent_id",
            sa.String(36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("mos_g722", sa.Float(), nullable=True),
        sa.Column("mos_pcma", sa.Float(), nullable=True),
        sa.Column("loss_pct", sa.Float(), nullable=True),
        sa.Column("jitter_ms", sa.Float(), nullable=True),
        sa.Column("rtt_ms", sa.Float(), nullable=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("at", _UTC(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("network_checks")
