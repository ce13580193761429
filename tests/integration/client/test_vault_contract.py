"""The same behaviour from the fake vault (unit tests) and the real one (gnome-keyring)."""

from __future__ import annotations

import uuid

import pytest

from homeagent.security.vault import SecretStore, Vault
from homeagent.testing.vault import MemoryVault
from tests.helpers.keyring_session import KeyringSession

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "gnome-keyring"])
def store(request: pytest.FixtureRequest) -> SecretStore:
    if request.param == "memory":
        return MemoryVault()
    session: KeyringSession = request.getfixturevalue("keyring_session")
    assert session.bus_address
    return Vault(service=f"HomeAgent-contract-{uuid.uuid4()}")


def test_contract(store: SecretStore) -> None:
    assert store.get_refresh_token() is None
    assert store.get_sip_secret() is None
    assert not store.has_data_key()
    store.set_refresh_token("r1")
    store.set_refresh_token("r2")  # rotation replaces
    store.set_sip_secret("s")
    key = store.data_key()
    assert len(key) == 32
    assert store.data_key() == key
    assert store.get_refresh_token() == "r2"
    with pytest.raises(ValueError, match="empty"):
        store.set_refresh_token("")
    store.wipe()
    assert store.get_refresh_token() is None
    assert store.get_sip_secret() is None
    assert not store.has_data_key()
    assert store.data_key() != key  # a new key after a wipe: the old cache is unreadable
    store.wipe()
