"""team-lead console: per-recipient message receipts, urgent messages, help-request handling

- messages.team_id (whose leads read it), messages.thread_agent_id (one-to-one conversation),
  an index on messages.sender_id (a reader's own messages)
- message_receipts: one row per recipient (delivered, read, acknowledged), fixed at send
  time; the rows of message_reads become receipts (read implies delivered), then it goes
- priority "high" is now "urgent"
- help_requests: status, who acknowledged and when, who resolved and when

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime
# Help requests older than this at the upgrade predate the help queue: nobody could mark
# them handled, so they are closed rather than shown to the leads as a backlog.
_HELP_BACKLOG = timedelta(hours=24)


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.String(36), nullable=True))
        batch_op.add_column(sa.Column("thread_agent_id", sa.String(36), nullable=True))
        batch_op.create_index("ix_messages_team_id", ["team_id"])
        batch_op.create_index("ix_messages_thread_agent_id", ["thread_agent_id"])
        batch_op.create_index("ix_messages_sender_id", ["sender_id"])
    op.create_table(
        "message_receipts",
        sa.Column(
            "message_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("agent_id", sa.String(36), primary_key=True),
        sa.Column("delivered_at", _UTC(), nullable=True),
        sa.Column("read_at", _UTC(), nullable=True),
        sa.Column("acked_at", _UTC(), nullable=True),
    )
    op.create_index("ix_message_receipts_agent", "message_receipts", ["agent_id", "message_id"])
    # Existing messages: their team, their one-to-one agent, and their recipients — the
    # addressed agent, or the team's active agents now (nothing older says who they were)
    # plus whoever read it.
    op.execute(
        "UPDATE messages SET team_id = to_team_id, thread_agent_id = NULL"
        " WHERE to_team_id IS NOT NULL"
    )
    op.execute(
        "UPDATE messages SET thread_agent_id = to_agent_id,"
        " team_id = (SELECT users.team_id FROM users WHERE users.id = messages.to_agent_id)"
        " WHERE to_agent_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO message_receipts (message_id, agent_id, delivered_at, read_at)"
        " SELECT m.id, m.to_agent_id, r.read_at, r.read_at FROM messages m"
        " LEFT JOIN message_reads r ON r.message_id = m.id AND r.agent_id = m.to_agent_id"
        " WHERE m.to_agent_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO message_receipts (message_id, agent_id, delivered_at, read_at)"
        " SELECT m.id, u.id, r.read_at, r.read_at FROM messages m"
        " JOIN users u ON u.team_id = m.to_team_id"
        " LEFT JOIN message_reads r ON r.message_id = m.id AND r.agent_id = u.id"
        " WHERE m.to_team_id IS NOT NULL AND u.role = 'agent'"
        " AND (u.active OR r.agent_id IS NOT NULL)"
    )
    op.execute(  # readers no longer of that team (moved, or not agents) keep their receipt
        "INSERT INTO message_receipts (message_id, agent_id, delivered_at, read_at)"
        " SELECT r.message_id, r.agent_id, r.read_at, r.read_at FROM message_reads r"
        " WHERE NOT EXISTS (SELECT 1 FROM message_receipts x"
        " WHERE x.message_id = r.message_id AND x.agent_id = r.agent_id)"
    )
    op.execute("UPDATE messages SET priority = 'urgent' WHERE priority = 'high'")
    op.drop_table("message_reads")

    with op.batch_alter_table("help_requests") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("acked_by_id", sa.String(36), nullable=True))
        batch_op.add_column(sa.Column("acked_at", _UTC(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by_id", sa.String(36), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", _UTC(), nullable=True))
        batch_op.create_index("ix_help_requests_team_status", ["team_id", "status"])
    now = datetime.now(UTC).replace(tzinfo=None)
    op.get_bind().execute(
        sa.text(
            "UPDATE help_requests SET status = 'resolved', resolved_at = :now"
            " WHERE created_at < :horizon"
        ),
        {"now": now, "horizon": now - _HELP_BACKLOG},
    )


def downgrade() -> None:
    with op.batch_alter_table("help_requests") as batch_op:
        batch_op.drop_index("ix_help_requests_team_status")
        for name in ("resolved_at", "resolved_by_id", "acked_at", "acked_by_id", "status"):
            batch_op.drop_column(name)
    # messages an agent wrote to the leads did not exist before: they go with the receipts
    op.execute(
        "DELETE FROM message_receipts WHERE message_id IN (SELECT id FROM messages"
        " WHERE to_agent_id IS NULL AND thread_agent_id IS NOT NULL)"
    )
    op.execute("DELETE FROM messages WHERE to_agent_id IS NULL AND thread_agent_id IS NOT NULL")
    op.create_table(
        "message_reads",
        sa.Column(
            "message_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("agent_id", sa.String(36), primary_key=True),
        sa.Column("read_at", _UTC(), nullable=False),
    )
    op.execute(
        "INSERT INTO message_reads (message_id, agent_id, read_at)"
        " SELECT message_id, agent_id, read_at FROM message_receipts WHERE read_at IS NOT NULL"
    )
    op.execute("UPDATE messages SET priority = 'high' WHERE priority = 'urgent'")
    op.drop_index("ix_message_receipts_agent", "message_receipts")
    op.drop_table("message_receipts")
    # not a batch: on SQLite that copies the table, and dropping the old copy would cascade
    # to the message_reads just restored (ALTER TABLE … DROP COLUMN: SQLite 3.35 or later)
    op.drop_index("ix_messages_sender_id", "messages")
    op.drop_index("ix_messages_thread_agent_id", "messages")
    op.drop_index("ix_messages_team_id", "messages")
    op.execute("ALTER TABLE messages DROP COLUMN thread_agent_id")
    op.execute("ALTER TABLE messages DROP COLUMN team_id")
