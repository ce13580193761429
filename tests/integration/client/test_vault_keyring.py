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
