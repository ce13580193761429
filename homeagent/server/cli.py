"""`homeagent-server`: run and administer the central contact-centre server."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from homeagent.server import limits
from homeagent.server.admin import (
    AdminError,
    create_user,
    ensure_queue,
    ensure_team,
    list_devices,
    revoke_device,
)
from homeagent.server.call_supervision import POLICIES, POLICY_KEY
from homeagent.server.db import Database
from homeagent.server.passwords import password_problem

if TYPE_CHECKING:
    from homeagent.server.echo import EchoService


def default_db() -> str:
    """HOMEAGENT_SERVER_DB, else a SQLite file in the user's data folder."""
    env = os.environ.get("HOMEAGENT_SERVER_DB")
    if env:
        return env
    folder = Path(user_data_dir("homeagent-server"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.db'}"


def read_password(prompt: str) -> str:
    """From stdin (one line), or a hidden prompt on a terminal; never from argv."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="homeagent-server", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, text: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument(
            "--db", default=None, help="database URL or SQLite file (default: %(default)s)"
        )
        return c

    c = cmd("init", "create or upgrade the database schema and the server secrets")
    c.add_argument("--organisation")
    c.add_argument("--sip-host", help="SIP registrar host given to devices")
    c.add_argument("--sip-port", type=int)
    c.add_argument("--sip-domain")
    c.add_argument("--sip-transport", choices=("udp", "tcp", "tls"))
    c.add_argument("--srtp", choices=("disabled", "optional", "mandatory"))

    c = cmd("run", "serve the API")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8443)
    c.add_argument("--cert", help="TLS certificate (PEM); with --key serves HTTPS")
    c.add_argument("--key", help="TLS private key (PEM)")
    c.add_argument("--access-ttl-s", type=int, default=900)
    c.add_argument("--log-level", default="info")
    c.add_argument(
        "--forwarded-allow-ips",
        default="",
        help="addresses of the reverse proxies whose X-Forwarded-For is believed "
        "(comma-separated; default: none, the peer address is the client)",
    )
    c.add_argument(
        "--updates-dir",
        type=Path,
        help="serve this TUF repository (made by homeagent-release) read-only at /updates/",
    )
    c.add_argument(
        "--echo-port",
        type=int,
        help="UDP port of the pre-shift check's echo service (default: the same number as "
        "--port, on UDP; 0: no echo service)",
    )
    c.add_argument("--echo-host", help="address the echo service binds (default: --host)")
    c.add_argument(
        "--echo-public-host",
        default="",
        help="host name the desks send echo probes to (default: the API's host name)",
    )
    limits.add_arguments(c)

    c = cmd("create-user", "create a user; the password is read from stdin")
    c.add_argument("--name", required=True)
    c.add_argument("--role", required=True, choices=("agent", "team_lead", "admin"))
    c.add_argument("--team")
    c.add_argument("--display-name", default="")
    c.add_argument("--sip-username")

    c = cmd("set-queue", "create a call queue (sip:queue-NAME@…) or change its settings")
    c.add_argument("name", help="the queue's name (SIP user part without 'queue-')")
    c.add_argument("--team", required=True, help="the team whose agents take its calls")
    c.add_argument("--label", default="", help="the name leads see")
    c.add_argument("--rona-s", type=int, help="seconds an offer rings before RONA (15)")
    c.add_argument("--sl-threshold-s", type=int, help="service level: answered within (20 s)")
    c.add_argument(
        "--max-wait-s",
        type=int,
        help="a call nobody takes gets 480 after this long (300 s; 0: at once)",
    )

    c = cmd("seed-demo", "create a French demo organisation; its password is read from stdin")
    c.add_argument("--seed", type=int, default=42)
    c.add_argument("--contacts", type=int, default=3000)
    c.add_argument("--agents-per-team", type=int, default=6)

    c = cmd("revoke-device", "revoke a device (its tokens stop working at once)")
    c.add_argument("device_id", nargs="?")
    c.add_argument("--list", action="store_true", help="list devices instead")
    c.add_argument("--user", help="with --list: only this user's devices")

    c = cmd("export-profile", "write a signed provisioning profile")
    c.add_argument("--out", required=True, type=Path)
    c.add_argument("--server-url", required=True)
    c.add_argument("--ca", type=Path, help="PEM of the organisation CA pinned by the app")
    c.add_argument("--key", required=True, type=Path, help="organisation Ed25519 key (PEM)")
    c.add_argument("--valid-days", type=int, default=365)

    cmd("show-acd-token", "print the credential Kamailio uses for the ACD hook")

    c = cmd("diagnostics", "list the diagnostics bundles agents sent, or write one to a file")
    c.add_argument("--user", help="only this user's bundles (login name)")
    c.add_argument("--get", type=int, metavar="ID", help="write this bundle's zip (see the list)")
    c.add_argument("--out", type=Path, help="with --get: the zip file to write (0600)")

    c = cmd(
        "set-supervision-policy",
        "live call supervision: announced (the agent sees who listens; the default), "
        "silent (no indicator; still audited) or off (refused)",
    )
    c.add_argument("policy", choices=POLICIES)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = Database(args.db or default_db())
    try:
        return _dispatch(args, db)
    except AdminError as exc:
        print(f"homeagent-server: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()


def _dispatch(args: argparse.Namespace, db: Database) -> int:
    if args.command == "init":
        db.migrate()
        db.ensure_settings()
        _private_sqlite_file(db)
        for key, value in (
            ("organisation", args.organisation),
            ("sip_registrar_host", args.sip_host),
            ("sip_registrar_port", args.sip_port),
            ("sip_domain", args.sip_domain),
            ("sip_transport", args.sip_transport),
            ("sip_srtp", args.srtp),
        ):
            if value is not None:
                db.set_setting(key, str(value))
        print("database ready")
        return 0
    if args.command == "run":
        return _run(args, db)
    if args.command == "create-user":
        password = read_password("Password: ")
        uid = create_user(
            db,
            args.name,
            password,
            args.role,
            args.team,
            display_name=args.display_name,
            sip_username=args.sip_username,
        )
        print(uid)
        return 0
    if args.command == "set-queue":
        queue_id = ensure_queue(
            db,
            args.name,
            ensure_team(db, args.team),
            label=args.label,
            rona_s=args.rona_s,
            sl_threshold_s=args.sl_threshold_s,
            max_wait_s=args.max_wait_s,
        )
        print(queue_id)
        return 0
    if args.command == "seed-demo":
        from homeagent.server.seed import seed_demo

        password = read_password("Password for every demo user: ")
        problem = password_problem(password)
        if problem is not None:
            raise AdminError(problem)
        try:
            counts = seed_demo(
                db,
                password,
                seed=args.seed,
                contacts=args.contacts,
                agents_per_team=args.agents_per_team,
            )
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        print(", ".join(f"{v} {k}" for k, v in counts.items()))
        return 0
    if args.command == "revoke-device":
        if args.list:
            for device_id, user, name, revoked, sip_user in list_devices(db, args.user):
                state = "revoked" if revoked else "active"
                print(f"{device_id}\t{user}\t{name}\t{state}\t{sip_user or '-'}")
            return 0
        if not args.device_id:
            raise AdminError("give a device id (see --list)")
        revoke_device(db, args.device_id)
        print(f"device {args.device_id} revoked")
        return 0
    if args.command == "export-profile":
        return _export(args, db)
    if args.command == "set-supervision-policy":
        db.set_setting(POLICY_KEY, args.policy)
        print(f"supervision policy: {args.policy}")
        return 0
    if args.command == "diagnostics":
        return _diagnostics(args, db)
    if args.command == "show-acd-token":
        print(db.settings()["acd_token"])
        return 0
    raise AssertionError(args.command)


def _diagnostics(args: argparse.Namespace, db: Database) -> int:
    """IT on the server host: the bundles (newest first), or one written 0600 (audited)."""
    from sqlalchemy import select

    from homeagent.server import audit
    from homeagent.server.models import DiagnosticBundle, User

    if args.get is None:
        with db.read() as s:
            stmt = (
                select(DiagnosticBundle, User.name)
                .join(User, User.id == DiagnosticBundle.agent_id)
                .order_by(DiagnosticBundle.id.desc())
                .limit(200)
            )
            if args.user:
                stmt = stmt.where(User.name == args.user)
            for row, name in s.execute(stmt).all():
                files = len(row.manifest.get("files", [])) if isinstance(row.manifest, dict) else 0
                stamp = row.received_at.isoformat(timespec="seconds")
                print(f"{row.id}	{stamp}	{name}	{row.size_bytes} bytes	{files} files")
        return 0
    if args.out is None:
        raise AdminError("--get needs --out FILE.zip")
    with db.write() as s:
        found = s.get(DiagnosticBundle, args.get)
        if found is None:
            raise AdminError(f"no diagnostics bundle {args.get}")
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(found.content)
        audit.record(
            s,
            actor_id="server-cli",
            team_id=found.team_id,
            action="diagnostics_read",
            agent_id=found.agent_id,
            detail={"bundle_id": found.id},
        )
    print(f"bundle {args.get} written to {args.out}")
    return 0


def _private_sqlite_file(db: Database) -> None:
    """The SQLite file holds password hashes, SIP secrets and the token key: owner only."""
    path = db.engine.url.database
    if db.is_sqlite and path and Path(path).exists():
        Path(path).chmod(0o600)


def _run(args: argparse.Namespace, db: Database) -> int:
    import uvicorn

    from homeagent.server.app import create_app
    from homeagent.server.protocol import guarded_protocol

    if bool(args.cert) != bool(args.key):
        raise AdminError("--cert and --key go together")
    lim = limits.from_arguments(args)
    if args.updates_dir is not None and not (args.updates_dir / "metadata").is_dir():
        raise AdminError(f"--updates-dir {args.updates_dir}: no metadata/ (homeagent-release init)")
    _log_to_stderr(args.log_level)
    echo = _start_echo(args, db)
    try:
        app = create_app(
            db,
            access_ttl_s=args.access_ttl_s,
            limits=lim,
            updates_dir=args.updates_dir,
            echo=echo,
        )
    except RuntimeError as exc:
        if echo is not None:
            echo.stop()
        raise AdminError(str(exc)) from None
    proxies = [a.strip() for a in args.forwarded_allow_ips.split(",") if a.strip()]
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ssl_certfile=args.cert,
        ssl_keyfile=args.key,
        log_level=args.log_level,
        timeout_graceful_shutdown=3,
        http=guarded_protocol(lim),
        # X-Forwarded-For is believed only from the configured proxies (uvicorn trusts
        # loopback by default, so a local client could pick any address it liked).
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
    if echo is not None:
        echo.stop()
    return 0


def _start_echo(args: argparse.Namespace, db: Database) -> EchoService | None:
    """The pre-shift echo service, or None (--echo-port 0, or its port is taken: the
    server still serves, the desks' check says the test is unavailable)."""
    import logging

    from homeagent.server.echo import EchoService

    port = args.port if args.echo_port is None else args.echo_port
    if not port:
        return None
    secret = db.settings().get("token_secret")
    if not secret:
        return None  # create_app says the database is not initialised
    service = EchoService(
        secret,
        host=args.echo_host or args.host,
        port=port,
        public_host=args.echo_public_host,
    )
    try:
        return service.start()
    except OSError as exc:
        logging.getLogger("homeagent.server").error(
            "pre-shift echo service not started on udp %s:%d: %s",
            service.host,
            port,
            exc,
        )
        return None


def _log_to_stderr(level: str) -> None:
    """The server's own lines (audit included) next to uvicorn's, on standard error."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("homeagent.server")
    logger.addHandler(handler)
    logger.setLevel(level.upper() if level.upper() != "TRACE" else "DEBUG")
    logger.propagate = False


def _export(args: argparse.Namespace, db: Database) -> int:
    from homeagent.security.profile import sign_profile

    cfg = db.settings()
    now = datetime.now(UTC).replace(microsecond=0)
    profile = {
        "version": 1,
        "organisation": cfg.get("organisation", "HomeAgent"),
        "server_url": args.server_url.rstrip("/"),
        "ca_pem": args.ca.read_text() if args.ca else "",
        "sip": {
            "registrar_host": cfg["sip_registrar_host"],
            "registrar_port": int(cfg["sip_registrar_port"]),
            "domain": cfg["sip_domain"],
            "transport": cfg["sip_transport"],
            "srtp": cfg["sip_srtp"],
        },
        "default_region": "FR",
        "issued_at": now,
        "expires_at": now + timedelta(days=args.valid_days),
    }
    if cfg["sip_transport"] != "tls" or cfg["sip_srtp"] != "mandatory":
        print(
            f"homeagent-server: warning: this profile gives SIP over "
            f"{cfg['sip_transport'].upper()} with SRTP {cfg['sip_srtp']}: calls can be "
            "overheard on the agents' home networks. Use TLS and mandatory SRTP "
            "(`init --sip-transport tls --srtp mandatory`) outside a lab.",
            file=sys.stderr,
        )
    try:
        data = sign_profile(profile, args.key.read_bytes())
    except ValueError as exc:
        raise AdminError(f"cannot export the profile: {exc}") from None
    args.out.write_bytes(data)
    print(f"profile written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
