"""shift slots and their bookings; the teams' slot rules

- shift_slots: a team's slot (start, end, capacity, the open bookings' count `booked`,
  a note), cancelled rather than deleted.
- slot_bookings: an agent's booking of a slot; one open booking per agent and slot
  (partial unique index `uq_slot_bookings_open`).
- slot_rules: a team's booking notice, cancelling notice and lateness grace (minutes);
  no row means the defaults (60, 120, 5). Its own table, not columns of `teams`: the
  older migrations' tests build teams with the ORM at their own revision.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shift_slots",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "team_id", sa.String(36), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("starts_at", _UTC(), nullable=False),
        sa.Column("ends_at", _UTC(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_by_id", sa.String(36), nullable=True),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.Column("cancelled_at", _UTC(), nullable=True),
        sa.Column("cancelled_by_id", sa.String(36), nullable=True),
    )
    op.create_index("ix_shift_slots_team_start", "shift_slots", ["team_id", "starts_at"])
    op.create_table(
        "slot_bookings",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "slot_id",
            _ID,
            sa.ForeignKey("shift_slots.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("team_id", sa.String(36), nullable=True),
        sa.Column("booked_at", _UTC(), nullable=False),
        sa.Column("cancelled_at", _UTC(), nullable=True),
        sa.Column("cancelled_by_id", sa.String(36), nullable=True),
    )
    op.create_index(
        "uq_slot_bookings_open",
        "slot_bookings",
        ["slot_id", "agent_id"],
        unique=True,
        sqlite_where=sa.text("cancelled_at IS NULL"),
        postgresql_where=sa.text("cancelled_at IS NULL"),
    )
    op.create_index("ix_slot_bookings_agent", "slot_bookings", ["agent_id", "cancelled_at"])
    op.create_table(
        "slot_rules",
        sa.Column(
            "team_id",
            sa.String(36),
            sa.ForeignKey("teams.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("book_notice_min", sa.Integer(), nullable=False),
        sa.Column("cancel_notice_min", sa.Integer(), nullable=False),
        sa.Column("late_grace_min", sa.Integer(), nullable=False),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.Column("updated_by_id", sa.String(36), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("slot_rules")
    op.drop_index("ix_slot_bookings_agent", table_name="slot_bookings")
    op.drop_index("uq_slot_bookings_open", table_name="slot_bookings")
    op.drop_table("slot_bookings")
    op.drop_index("ix_shift_slots_team_start", table_name="shift_slots")
    op.drop_table("shift_slots")
