"""The HomeAgent desk as its own process, for ``benchmarks/desktop_peers.py``.

    python benchmarks/desktop_peers/ha_desk.py --setup SETUP.json [--profile FILE]

Runs the real app (`homeagent.desktop.app.run_desk`: Qt, profile store, device session, cache,
SIP engine, window, event stream) against the benchmark's server and Kamailio. The one
stand-in is the secret store: the demo's in-memory vault, kept in a JSON file between
runs (benchmark data only), so that the second start is a returning agent's start (no
enrolment), as it is with the OS keyring. Once started the agent goes Available (as in
the demo) so that calls ring instead of getting 486.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from homeagent.testing.vault import MemoryVault


class FileVault(MemoryVault):
    """`MemoryVault` saved to a JSON file after every change (benchmark only)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        if path.exists():
            saved = json.loads(path.read_text())
            self._sip, self._refresh = saved["sip"], saved["refresh"]
            self._key = bytes.fromhex(saved["key"]) if saved["key"] else None

    def _save(self) -> None:
        key = self._key.hex() if self._key else None
        self._path.write_text(json.dumps({"sip": self._sip, "refresh": self._refresh, "key": key}))
        self._path.chmod(0o600)

    def set_sip_secret(self, value: str) -> None:
        super().set_sip_secret(value)
        self._save()

    def set_refresh_token(self, value: str) -> None:
        super().set_refresh_token(value)
        self._save()

    def data_key(self) -> bytes:
        had = self._key is not None
        key = super().data_key()
        if not had:
            self._save()
        return key

    def wipe(self) -> None:
        super().wipe()
        self._save()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", type=Path, required=True)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    setup = json.loads(args.setup.read_text())
    home = Path(setup["home"])

    from homeagent.core.sip_config import EngineConfig
    from homeagent.desktop.app import AppOptions, run_desk
    from homeagent.security.profile import parse_public_key
    from homeagent.security.provisioning import ProfileStore

    def started(session: object) -> None:
        from homeagent.core.agent_state import AgentState

        session.model.set_presence(AgentState.AVAILABLE)  # type: ignore[attr-defined]

    store = ProfileStore(
        user_config_dir=home / "config",
        system_dir=home / "system",
        trusted_keys=[parse_public_key(setup["trusted_key_pem"].encode())],
    )
    return run_desk(
        AppOptions(
            profile_file=args.profile,
            lang="fr",
            data_dir=home / "agent",
            config_dir=home / "config",
            use_audio=False,
            profile_store=store,
            vault=FileVault(home / "vault.json"),
            engine_config=EngineConfig(bind_address="127.0.0.1"),
            credentials=(setup["login"], setup["password"]),
            on_started=started,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
