"""``python -m tests.e2e.desk_process``: the real desk (`desktop.app.run_desk`) as a process.

Everything is the production path (keyring vault, sign-in dialog, device session, SIP
engine, window) except where trust comes from: the test's organisation key is passed on
the command line instead of being installed under /etc/homeagent. With `--user`, the app
enrols without the dialog into a memory vault (several apps on one display and keyring).
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from homeagent.core.sip_config import EngineConfig
from homeagent.desktop.app import AppOptions, run_desk
from homeagent.security.profile import parse_public_key
from homeagent.security.provisioning import ProfileStore


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--profile", type=Path, required=True)
    p.add_argument("--trusted-key", type=Path, required=True, help="organisation key (PEM)")
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--config-dir", type=Path, required=True)
    p.add_argument("--lang", default="fr")
    p.add_argument(
        "--user",
        help="enrol as this user without the dialog, with a memory vault (the password is "
        "read from $HOMEAGENT_E2E_PASSWORD); default: the keyring and the sign-in dialog",
    )
    p.add_argument(
        "--audio",
        action="store_true",
        help="headset audio on the PulseAudio of $PULSE_SERVER (default: the null device)",
    )
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    store = ProfileStore(
        user_config_dir=args.config_dir,
        system_dir=args.config_dir / "system",
        trusted_keys=[parse_public_key(args.trusted_key.read_bytes())],
    )
    vault, credentials = None, None
    if args.user:
        from homeagent.testing.vault import MemoryVault

        vault, credentials = MemoryVault(), (args.user, os.environ["HOMEAGENT_E2E_PASSWORD"])
    return run_desk(
        AppOptions(
            profile_file=args.profile,
            lang=args.lang,
            data_dir=args.data_dir,
            config_dir=args.config_dir,
            use_audio=args.audio,
            profile_store=store,
            engine_config=EngineConfig(bind_address="127.0.0.1"),
            vault=vault,
            credentials=credentials,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
