r"""Check a HomeAgent package against its signed release metadata before installing it.

    python -m installers.verify homeagent_0.1.0_all.deb \
        [--trusted-keys /etc/homeagent/trusted-keys.pem]

Exit status 0 and one line "OK name version sha256" when it verifies; 1 and the reason
otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from installers.release import ReleaseRefused, verify_release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path)
    parser.add_argument("--metadata", type=Path, help="default: <package>.json")
    parser.add_argument(
        "--trusted-keys", type=Path, default=Path("/etc/homeagent/trusted-keys.pem")
    )
    args = parser.parse_args(argv)
    metadata = args.metadata or args.package.with_name(args.package.name + ".json")
    try:
        release = verify_release(args.package, metadata, [args.trusted_keys.read_bytes()])
    except (ReleaseRefused, OSError, ValueError) as exc:
        print(f"REFUSED {args.package.name}: {exc}", file=sys.stderr)
        return 1
    print(f"OK {release['name']} {release['version']} {release['sha256']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
