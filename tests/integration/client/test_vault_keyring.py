"""The vault against a real gnome-keyring Secret Service on a private D-Bus."""

from __future__ import annotations

import uuid

import pytest

from homeagent.security.vault import Vault
from tests.helpers.keyring_session import KeyringSession

pytestmark = pytest.mark.integration


def test_secrets_round_trip_and_wipe(keyring_session: KeyringSession) -> None:
    vault = Vault(service=f"HomeAgent-test-{uuid.uuid4()}")
    assert "SecretService" in vault.backend_name
    assert vault.get_refresh_token() is None
    vault.set_refresh_token("rt-123")
    vault.set_sip_secret("sip-456")
    key = vault.data_key()
    assert len(key) == 32
    assert vault.data_key() == key  # stable once created
    # A second instance (a restarted app) sees the same secrets.
    again = Vault(service=vault._service)
    assert again.get_refresh_token() == "rt-123"
    assert again.get_sip_secret() == "sip-456"
    assert again.data_key() == key
    again.wipe()
    assert vault.get_refresh_token() is None
    assert vault.get_sip_secret() is None
    assert not vault.has_data_key()
    vault.wipe()  # idempotent


@pytest.mark.parametrize(
    "env_change",
    [
        {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"},  # no Secret Service
        {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
        {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    ],
)
def test_app_refuses_to_start_without_a_secure_keyring(
    keyring_session: KeyringSession, env_change: dict[str, str]
) -> None:
    import subprocess
    import sys

    env = {**keyring_session.env, **env_change}
    out = subprocess.run(
        [sys.executable, "-c", "from homeagent.security.vault import Vault; Vault()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode != 0
    assert "VaultUnavailable: No secure system keyring is available" in out.stderr
