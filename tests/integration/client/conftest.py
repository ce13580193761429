"""Fixtures of the client integration tests: the real server, profile, vault, logs."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from homeagent.client.server import ServerClient
from homeagent.core.profile import Profile
from homeagent.security.provisioning import ProfileStore
from homeagent.security.vault import Vault
from tests.helpers.keyring_session import KeyringSession
from tests.integration.client.realserver import PASSWORD, ServerInstance


class MemoryTokens:
    """Refresh token kept in memory: for the team lead's side of the tests only."""

    def __init__(self) -> None:
        self.token: str | None = None

    def get_refresh_token(self) -> str | None:
        return self.token

    def set_refresh_token(self, value: str) -> None:
        self.token = value


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerInstance]:
    inst = ServerInstance(tmp_path / "server")
    yield inst
    inst.stop()


@pytest.fixture
def profile(server: ServerInstance, tmp_path: Path) -> Profile:
    """The server's exported profile, imported the way the app does."""
    data = server.export_profile(tmp_path / "org.homeagent-profile")
    store = ProfileStore(user_config_dir=tmp_path / "config", system_dir=server.trust_dir)
    return store.import_bytes(data).profile


@pytest.fixture
def vault(keyring_session: KeyringSession) -> Iterator[Vault]:
    v = Vault(service=f"HomeAgent-test-{uuid.uuid4()}")
    yield v
    v.wipe()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The app's data folder, with the test process's log file in it (scanned later)."""
    d = tmp_path / "data"
    (d / "logs").mkdir(parents=True)
    handler = logging.FileHandler(d / "logs" / "app.log")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield d
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def lead_client(server: ServerInstance, name: str) -> ServerClient:
    client = ServerClient(server.url, MemoryTokens(), ca_pem=server.ca.cert_pem.decode())
    client.login(name, PASSWORD, "lead-pc")
    return client


def scan_for(folder: Path, needles: dict[str, str]) -> list[str]:
    """Which secrets appear (as bytes, plain or UTF-16) in any file under `folder`."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        blob = path.read_bytes()
        for label, secret in needles.items():
            for enc in (secret.encode(), secret.encode("utf-16-le")):
                if enc in blob:
                    found.append(f"{label} in {path.name}")
    return found
