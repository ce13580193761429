"""Migration 0010 on a database with users and devices from before per-device SIP
credentials: the user-wide secret is gone, existing devices have no SIP identity (so the
ACD hook refuses them) until they are issued one, and downgrade gives users a secret back."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from homeagent.server import sip_credentials
from homeagent.server.admin import ensure_team
from homeagent.server.db import MIGRATIONS, Database
from homeagent.server.models import Device, User


def _alembic(db: Database, verb: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, target)


def test_the_user_wide_secret_no_longer_authenticates_after_0010(db_url: str) -> None:
    db = Database(db_url)
    try:
        _alembic(db, "upgrade", "0009")
        db.ensure_settings()
        team = ensure_team(db, "Équipe 0010")
        with db.engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO users (id, name, display_name, role, team_id, password_hash,"
                    " sip_username, sip_password, failed_logins, active)"
                    " VALUES ('u-1001', 'agent1001', '', 'agent', :t, 'x', '1001',"
                    " 'the-old-user-wide-secret', 0, :on)"
                ),
                {"t": team, "on": True},
            )
            c.execute(
                text(
                    "INSERT INTO devices (id, user_id, name, created_at, refresh_retries)"
                    " VALUES ('d-1', 'u-1001', 'pc', '2026-11-01 08:00:00', 0)"
                )
            )
            c.execute(
                text(
                    "INSERT INTO retired_refresh_tokens (token_hash, device_id, retired_at)"
                    " VALUES ('h1', 'd-1', '2026-11-01 08:00:00')"
                )
            )
        _alembic(db, "upgrade", "0010")
        with db.engine.begin() as c:  # nothing referencing users or devices was lost
            assert c.execute(text("SELECT count(*) FROM devices")).scalar() == 1
            assert c.execute(text("SELECT count(*) FROM retired_refresh_tokens")).scalar() == 1
        columns = {c["name"] for c in inspect(db.engine).get_columns("users")}
        assert "sip_password" not in columns
        with db.read() as s:
            device = s.get(Device, "d-1")
            assert device is not None
            assert (device.sip_auth_user, device.sip_ha1) == (None, None)
            # neither the AOR name nor anything else answers for the old secret
            assert sip_credentials.for_kamailio(s, "1001") is None
        with db.write() as s:  # the updated app asks for its own with its device tokens
            device, user = s.get(Device, "d-1"), s.get(User, "u-1001")
            assert device is not None
            assert user is not None
            issued = sip_credentials.issue(s, device, user, "example.org")
        with db.read() as s:
            assert sip_credentials.for_kamailio(s, issued.auth_username) is not None
        _alembic(db, "downgrade", "0009")
        with db.engine.begin() as c:
            secret = c.execute(text("SELECT sip_password FROM users WHERE id = 'u-1001'")).scalar()
        assert secret
        assert secret != "the-old-user-wide-secret"  # a fresh one: the old copy stays dead
        assert len(secret) >= 20
        device_columns = {c["name"] for c in inspect(db.engine).get_columns("devices")}
        assert "sip_ha1" not in device_columns
        with db.engine.begin() as c:
            assert c.execute(text("SELECT count(*) FROM devices")).scalar() == 1
            assert c.execute(text("SELECT count(*) FROM retired_refresh_tokens")).scalar() == 1
        _alembic(db, "upgrade", "head")
    finally:
        db.dispose()
