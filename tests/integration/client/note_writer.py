"""A stand-in for the app writing call notes (run as a subprocess, killed with -9).

Prints `saved <note id>` after each note is durable (what the UI may call "saved").
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from homeagent.client.device import DeviceSession
from homeagent.security.profile import load_profile
from homeagent.security.provisioning import load_trusted_keys
from homeagent.security.vault import Vault


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", type=Path, required=True)
    ap.add_argument("--trust-dir", type=Path, required=True)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--contact", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--pause-s", type=float, default=0.0)
    args = ap.parse_args()
    logging.basicConfig(
        filename=args.data_dir / "logs" / f"writer-{args.prefix}.log", level=logging.DEBUG
    )
    profile = load_profile(args.profile.read_bytes(), load_trusted_keys(args.trust_dir))
    session = DeviceSession(profile, Vault(service=args.service), data_dir=args.data_dir)
    outbox = session.outbox
    for i in range(args.count):
        note_id = outbox.add_note(args.contact, f"{args.prefix} note {i}")
        sys.stdout.write(f"saved {note_id}\n")
        sys.stdout.flush()
        if args.pause_s:
            time.sleep(args.pause_s)
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
