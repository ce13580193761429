"""diagnostics bundles for IT, and the requests leads and IT send for them

- diagnostic_requests: a lead (of the agent's team) or an admin asks an agent's app for a
  diagnostics bundle; the agent approves (a bundle answers it: `sent`) or declines.
- diagnostic_bundles: the masked zip an agent's app sent with the agent's consent
  (bounded in size; the newest few per agent are kept), its manifest and checksum.

Revision ID: 0013
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "diagnostic_requests",
        sa.Column("id", _ID, primary_key=True),
        sa.Column(
            "agent_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("requested_by_id", sa.String(36), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("requested_at", _UTC(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answered_at", _UTC(), nullable=True),
        sa.Column("bundle_id", _ID, nullable=True),
    )
    op.create_index(
        "ix_diagnostic_requests_agent", "diagnostic_requests", ["agent_id", "requested_at"]
    )
    op.create_table(
        "diagnostic_bundles",
        sa.Column("id", _ID, primary_key=True),
        sa.Column(
            "agent_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("request_id", _ID, nullable=True),
        sa.Column("received_at", _UTC(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index(
        "ix_diagnostic_bundles_agent", "diagnostic_bundles", ["agent_id", "received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_diagnostic_bundles_agent", "diagnostic_bundles")
    op.drop_table("diagnostic_bundles")
    op.drop_index("ix_diagnostic_requests_agent", "diagnostic_requests")
    op.drop_table("diagnostic_requests")
