"""`homeagent-server`: run and administer the central contact-centre server."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("homeagent-server: not built yet", file=sys.stderr)
    return 2
