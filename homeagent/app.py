"""Composition root: builds, wires, starts and stops every service in a documented order."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `homeagent` command."""
    args = sys.argv[1:] if argv is None else argv
    print(f"homeagent: the agent desktop is not wired yet (args: {args})", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
