"""A stand-in for the app whose server refuses every write (a subprocess, killed with -9).

Prints `dead <id>` once an entry is a dead letter, `discarded <id>` once one is discarded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from homeagent.client.errors import ApiError
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore


class Refuser:
    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        raise ApiError(422, "invalid_input", "text: refused by this test")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--key-hex", required=True)
    args = ap.parse_args()
    store = LocalStore.open(bytes.fromhex(args.key_hex), args.data_dir)
    outbox = Outbox(store)
    previous = ""
    i = 0
    while True:  # until killed
        note_id = outbox.add_note(f"c{i}", f"note {i}")  # one record each: none waits
        outbox.send_pending(Refuser())
        sys.stdout.write(f"dead {note_id}\n")
        if i % 4 == 3 and previous:
            outbox.discard_dead_letter(previous)
            sys.stdout.write(f"discarded {previous}\n")
        sys.stdout.flush()
        previous = note_id
        i += 1


if __name__ == "__main__":
    sys.exit(main())
