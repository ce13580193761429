"""The team lead's window of `homeagent demo --lead`: `python -m homeagent.demo.lead_window`.

A second app process beside the demo agent's desk (a process of its own: one pjsua2
Endpoint per process, and the lead has SIP provisioning too, to switch to the desk). It
runs the same entry as the desk (`homeagent.desktop.app.run_desk`), enrolled as the demo
team's lead with a throw-away in-memory vault; what the lead's role opens (the console)
is the app's decision.

``--config FILE``: JSON readable by its owner only (it holds the demo's password):
``{"profile_path", "trusted_key_pem", "login", "password", "data_dir", "config_dir",
"lang", "use_audio"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load_config(path: Path) -> dict[str, Any]:
    """The window's JSON configuration; refused unless readable by its owner only."""
    if path.stat().st_mode & 0o077:
        raise SystemExit(f"lead window: {path} must be readable by its owner only (chmod 600)")
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for key in ("profile_path", "trusted_key_pem", "login", "password", "data_dir"):
        if key not in config:
            raise SystemExit(f"lead window: {path} has no {key!r}")
    return config


def main(argv: list[str] | None = None) -> int:
    """Open the lead's window until it is closed (or the demo stops it)."""
    p = argparse.ArgumentParser(prog="python -m homeagent.demo.lead_window", description=__doc__)
    p.add_argument("--config", type=Path, required=True)
    args = p.parse_args(argv)
    config = load_config(args.config)

    from homeagent.core.sip_config import EngineConfig
    from homeagent.demo.placement import place
    from homeagent.desktop.app import AppOptions, run_desk
    from homeagent.security.profile import parse_public_key
    from homeagent.security.provisioning import ProfileStore
    from homeagent.testing.vault import MemoryVault

    data_dir = Path(config["data_dir"])
    config_dir = Path(config.get("config_dir") or data_dir / "config")
    store = ProfileStore(
        user_config_dir=config_dir,
        system_dir=data_dir / "system",
        trusted_keys=[parse_public_key(str(config["trusted_key_pem"]).encode())],
    )
    return run_desk(
        AppOptions(
            profile_file=Path(config["profile_path"]),
            lang=str(config.get("lang") or "fr"),
            data_dir=data_dir,
            config_dir=config_dir,
            use_audio=bool(config.get("use_audio", True)),
            profile_store=store,
            vault=MemoryVault(),
            engine_config=EngineConfig(bind_address="127.0.0.1"),
            credentials=(str(config["login"]), str(config["password"])),
            on_started=lambda session: place(session.window, "right"),  # beside the desk
        )
    )


if __name__ == "__main__":
    sys.exit(main())
