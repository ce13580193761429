"""Per-device SIP credentials: the HA1 Kamailio checks, issued and looked up per device."""

from __future__ import annotations

from pathlib import Path

from homeagent.server import sip_credentials
from homeagent.server.admin import create_user, revoke_device
from homeagent.server.db import Database
from homeagent.server.models import Device, User


def test_ha1_is_rfc_2617_md5() -> None:
    # RFC 2617 section 3.5's example: HA1 = MD5("Mufasa:testrealm@host.com:Circle Of Life")
    ha1 = sip_credentials.digest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life")
    assert ha1 == "939e7578ed9e3c518a452acee763bce9"


def _db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'server.db'}")
    db.migrate()
    db.ensure_settings()
    return db


def _device(db: Database, user_id: str) -> str:
    with db.write() as s:
        device = Device(user_id=user_id, name="pc")
        s.add(device)
        s.flush()
        return device.id


def test_each_device_gets_its_own_identity_and_only_live_ones_answer(tmp_path: Path) -> None:
    db = _db(tmp_path)
    try:
        uid = create_user(db, "agent7", "un-mot-de-passe-solide", "agent", "Lyon A")
        first, second = _device(db, uid), _device(db, uid)
        with db.write() as s:
            user = s.get(User, uid)
            assert user is not None
            a = sip_credentials.issue(s, s.get(Device, first), user, "example.org")  # type: ignore[arg-type]
            b = sip_credentials.issue(s, s.get(Device, second), user, "example.org")  # type: ignore[arg-type]
        assert a.auth_username != b.auth_username
        assert a.auth_username.startswith("agent7.")
        assert a.secret != b.secret
        assert a.secret not in repr(a)  # never in a log line by accident
        with db.read() as s:
            stored = s.get(Device, first)
            assert stored is not None
            ha1 = sip_credentials.digest_ha1(a.auth_username, "example.org", a.secret)
            assert stored.sip_ha1 == ha1
            assert a.secret not in (stored.sip_ha1 or "")  # only the HA1 is kept
            assert sip_credentials.for_kamailio(s, a.auth_username) == (stored.sip_ha1, "agent7")
            assert sip_credentials.for_kamailio(s, "agent7") is None  # the AOR is no identity
        revoke_device(db, first)
        with db.read() as s:
            assert sip_credentials.for_kamailio(s, a.auth_username) is None
            assert sip_credentials.for_kamailio(s, b.auth_username) is not None
        with db.write() as s:
            user = s.get(User, uid)
            assert user is not None
            user.active = False
        with db.read() as s:
            assert sip_credentials.for_kamailio(s, b.auth_username) is None  # disabled user
    finally:
        db.dispose()
