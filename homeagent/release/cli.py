"""`homeagent-release`: the organisation's TUF repository of HomeAgent updates.

  homeagent-release init --repo DIR --keys DIR            keys + root v1 (2-of-3 root keys)
  homeagent-release add --repo DIR --keys DIR FILE --version 0.2.0 --platform linux-x86_64
                        [--channel stable --channel pilot] [--rollout 10]
  homeagent-release rollout --repo DIR --keys DIR NAME --percent 50 [--channel stable]
  homeagent-release refresh-timestamp --repo DIR --keys DIR   (daily cron: online keys only)
  homeagent-release rotate --repo DIR --keys DIR --role root --add root-4 --remove root-1
  homeagent-release status --repo DIR

See docs/operations.md, "Updates".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from homeagent.core.update_policy import CHANNELS, PLATFORMS
from homeagent.release.repository import DEFAULT_EXPIRY_DAYS, ROLES, ReleaseError, Repository


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="homeagent-release",
        description="Create and sign the organisation's TUF repository of HomeAgent updates.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, text: str, keys: bool = True) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument("--repo", type=Path, required=True, help="the repository directory")
        if keys:
            c.add_argument("--keys", type=Path, required=True, help="the keys directory")
            for role in ROLES:
                c.add_argument(
                    f"--{role}-days",
                    type=int,
                    default=DEFAULT_EXPIRY_DAYS[role],
                    help=f"{role} metadata lifetime in days (default: %(default)s)",
                )
        return c

    c = cmd("init", "create a repository (and its keys, unless the keys directory has them)")
    c.add_argument("--root-keys", type=int, default=3)
    c.add_argument("--root-threshold", type=int, default=2)

    c = cmd("add", "publish a new version's file for one platform")
    c.add_argument("file", type=Path)
    c.add_argument("--version", required=True)
    c.add_argument("--platform", required=True, choices=sorted(PLATFORMS))
    c.add_argument("--channel", action="append", choices=CHANNELS, help="repeatable")
    c.add_argument("--rollout", type=int, default=100, help="percentage of devices (0-100)")

    c = cmd("rollout", "change a published version's rollout percentage or channels")
    c.add_argument("name", help="the target, e.g. homeagent-0.2.0-linux-x86_64.tar.gz")
    c.add_argument("--percent", type=int)
    c.add_argument("--channel", action="append", choices=CHANNELS)

    cmd("refresh-timestamp", "re-sign timestamp (and snapshot when due): run it daily")

    c = cmd("rotate", "a new root changing a role's keys, signed by old and new root keys")
    c.add_argument("--role", required=True, choices=ROLES)
    c.add_argument("--add", action="append", default=[], help="new key name (generated)")
    c.add_argument("--remove", action="append", default=[], help="key name or key id")
    c.add_argument("--threshold", type=int)

    cmd("status", "what is published and when each role expires", keys=False)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    repo = Repository(args.repo)
    if hasattr(args, "keys"):
        repo.expiry_days = {role: getattr(args, f"{role}_days") for role in ROLES}
        if any(days < 1 for days in repo.expiry_days.values()):
            print("homeagent-release: lifetimes are at least 1 day", file=sys.stderr)
            return 2
    try:
        if args.command == "init":
            repo.init(args.keys, root_keys=args.root_keys, root_threshold=args.root_threshold)
            print(f"repository created in {args.repo}; keys in {args.keys}")
        elif args.command == "add":
            name = repo.add_target(
                args.keys,
                args.file,
                version=args.version,
                platform=args.platform,
                channels=args.channel or ["stable"],
                rollout_percent=args.rollout,
            )
            print(f"published {name}")
        elif args.command == "rollout":
            repo.set_rollout(
                args.keys, args.name, rollout_percent=args.percent, channels=args.channel
            )
            print(f"{args.name}: re-signed")
        elif args.command == "refresh-timestamp":
            print(f"timestamp v{repo.refresh_timestamp(args.keys)}")
        elif args.command == "rotate":
            v = repo.rotate(
                args.keys, args.role, add=args.add, remove=args.remove, threshold=args.threshold
            )
            print(f"root v{v} written")
        else:
            print(json.dumps(repo.status(), indent=2))
    except (ReleaseError, OSError, ValueError) as exc:
        print(f"homeagent-release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
