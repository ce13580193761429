"""`homeagent update check|download|apply`: the desk's update client, for IT.

  homeagent update check [--json]       what this PC would take now, and why
  homeagent update download             …and download + verify it (prints the file)
  homeagent update apply --wait-pid N --platform P --version V FILE [--root DIR]
                                        (started by the desk itself: install after it quit)

The repository is the policy's `repository_url`, else `--repository-url`, else the accepted
provisioning profile's server (`<server>/updates`, TLS pinned to the profile's CA).
Exit codes: 0 done (check: an update is available, or none), 1 refused or failed, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from homeagent.core.update_policy import PolicyError, parse_policy
from homeagent.update import paths
from homeagent.update.client import UpdateClient, UpdateError, read_bootstrap_root
from homeagent.update.identity import app_version, device_id_of
from homeagent.update.install import InstallError, apply, current_platform, wait_for_exit


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="homeagent update", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("check", "download"):
        c = sub.add_parser(name, help=f"{name} the update this PC would take")
        c.add_argument("--data-dir", type=Path, help="the desk's data folder (default: the user's)")
        c.add_argument("--config-dir", type=Path, help="instead of the system config directory")
        c.add_argument("--repository-url", help="where the TUF repository is hosted")
        c.add_argument("--ca", help="CA bundle (PEM) for the repository's TLS")
        c.add_argument("--current-version", help="instead of the installed version")
        c.add_argument("--json", action="store_true")
    c = sub.add_parser("apply", help="install a verified file once the app has quit")
    c.add_argument("file", type=Path)
    c.add_argument("--wait-pid", type=int)
    c.add_argument("--platform", default=current_platform())
    c.add_argument("--version", required=True)
    c.add_argument("--root", type=Path)
    c.add_argument("--relaunch", action="store_true")
    c.add_argument("--sha256", default="", help="refuse the file unless it has this digest")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "apply":
        try:
            if args.wait_pid:
                wait_for_exit(args.wait_pid)
            apply(
                args.file,
                platform=args.platform,
                version=args.version,
                root=args.root,
                relaunch=args.relaunch,
                sha256=args.sha256,
            )
        except (InstallError, OSError, ValueError) as exc:
            print(f"homeagent update: {exc}", file=sys.stderr)
            return 1
        print(f"installed {args.version}")
        return 0
    try:
        return _check(args)
    except (UpdateError, PolicyError) as exc:
        print(f"homeagent update: {exc}", file=sys.stderr)
        return 1


def _check(args: argparse.Namespace) -> int:
    from homeagent.crm.store import default_data_dir

    config = args.config_dir or paths.system_config_dir()
    policy_file = config / paths.POLICY_FILE
    policy = (
        parse_policy(policy_file.read_bytes(), str(policy_file))
        if policy_file.exists()
        else parse_policy(b"{}")
    )
    data_dir = args.data_dir or default_data_dir()
    url, verify = policy.repository_url or args.repository_url, args.ca or True
    if not url:
        url, verify = _from_profile(data_dir, args.ca)
    client = UpdateClient(
        repository_url=url,
        bootstrap_root=read_bootstrap_root(config),
        data_dir=data_dir,
        platform=current_platform(),
        current_version=args.current_version or app_version(),
        device_id=device_id_of(data_dir),
        verify=verify,
    )
    result = client.check(policy)
    out: dict[str, object] = {
        "repository": url,
        "current_version": client.current_version,
        "channel": policy.channel,
        "offers": [o.path for o in result.offers],
        "result": result.choice.reason,
        "version": result.offer.version if result.offer else None,
    }
    if args.command == "download" and result.offer is not None:
        out["file"] = str(client.download(result.offer))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(out["result"])
        if "file" in out:
            print(f"verified: {out['file']}")
    return 0


def _from_profile(data_dir: Path, ca: str | None) -> tuple[str, str | bool]:
    from homeagent.security.provisioning import ProfileStore

    profile = ProfileStore().current()
    if profile is None:
        raise UpdateError(
            "no repository: set repository_url in update-policy.json, give --repository-url, "
            "or import the provisioning profile first"
        )
    if ca or not profile.ca_pem:
        return f"{profile.server_url}/updates", ca or True
    pem = paths.private_dir(data_dir / "updates") / "profile-ca.pem"
    pem.write_text(profile.ca_pem)
    pem.chmod(0o600)
    return f"{profile.server_url}/updates", str(pem)
