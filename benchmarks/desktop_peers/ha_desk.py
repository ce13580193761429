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
import os
from pathlib import Path

from homeagent.testing.vault import MemoryVault


class FileVault(MemoryVault):
    """`MemoryVault` saved to a JSON file after every change (benchmark only)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        if path.exists():
            self.items.update(json.loads(path.read_text()))

    def _set(self, name: str, value: str) -> None:
        super()._set(name, value)
        self._save()

    def _save(self) -> None:
        self._path.write_text(json.dumps(self.items))
        self._path.chmod(0o600)

    def data_key(self) -> bytes:
        had = self.has_data_key()
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

    # as installed: IT's trusted key in the system configuration directory; the app
    # makes its own profile store (nothing of the app is imported before `run_desk`)
    system = home / "system"
    system.mkdir(exist_ok=True)
    (system / "trusted-keys.pem").write_text(setup["trusted_key_pem"])
    os.environ["HOMEAGENT_SYSTEM_CONFIG_DIR"] = str(system)
    from homeagent.core.sip_config import EngineConfig
    from homeagent.desktop.app import AppOptions, run_desk

    def started(session: object) -> None:
        from homeagent.core.agent_state import AgentState

        session.model.set_presence(AgentState.AVAILABLE)  # type: ignore[attr-defined]

    return run_desk(
        AppOptions(
            profile_file=args.profile,
            lang="fr",
            data_dir=home / "agent",
            config_dir=home / "config",
            use_audio=False,
            vault=FileVault(home / "vault.json"),
            engine_config=EngineConfig(bind_address="127.0.0.1"),
            credentials=(setup["login"], setup["password"]),
            on_started=started,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
