"""per-device SIP credentials; the user-wide SIP secret is gone

- devices.sip_auth_user (unique), sip_ha1, sip_realm, sip_issued_at: each device's own
  digest identity (homeagent.server.sip_credentials). Existing devices get none: the ACD
  hook answers 404 for them, so Kamailio refuses them (403) until the app, at its next
  start, asks for its own credential with its device tokens (POST /provisioning/sip).
- users.sip_password is dropped: the secret every device of a user shared authenticates
  nothing any more (the hook only knows device credentials).
- downgrade gives every user a fresh random user-wide secret (devices then need it
  provisioned again: the old app fetches it at enrolment).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import homeagent.server.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_UTC = homeagent.server.models.UtcDateTime


# Plain ALTER TABLE, no batch "move and copy" on SQLite: recreating `users` or `devices`
# would drop the old table, and with foreign keys on (they are, and PRAGMA foreign_keys
# cannot change inside the migration's transaction) that deletes every row referencing it
# (agent_status, devices, retired tokens…). SQLite >= 3.35 drops a plain column in place.


def upgrade() -> None:
    op.add_column("devices", sa.Column("sip_auth_user", sa.String(80), nullable=True))
    op.add_column("devices", sa.Column("sip_ha1", sa.String(64), nullable=True))
    op.add_column("devices", sa.Column("sip_realm", sa.String(255), nullable=True))
    op.add_column("devices", sa.Column("sip_issued_at", _UTC(), nullable=True))
    op.create_index("ix_devices_sip_auth_user", "devices", ["sip_auth_user"], unique=True)
    op.drop_column("users", "sip_password")


def downgrade() -> None:
    op.add_column(
        "users", sa.Column("sip_password", sa.String(128), nullable=False, server_default="")
    )
    users = sa.table("users", sa.column("id", sa.String), sa.column("sip_password", sa.String))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(sip_password=secrets.token_urlsafe(18))
        )
    op.drop_index("ix_devices_sip_auth_user", table_name="devices")
    for column in ("sip_issued_at", "sip_realm", "sip_ha1", "sip_auth_user"):
        op.drop_column("devices", column)
