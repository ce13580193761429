"""Fixtures for Kamailio: a real registrar/proxy (deploy/kamailio/kamailio.cfg) per test.

``kamailio`` starts it on free UDP+TCP ports with digest auth and a few users;
``kamailio_tls`` also listens on TLS with a certificate from a CA made at test time
(never committed, see tests/helpers/certs.py).
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import certs
from tests.helpers.procs import free_port, port_open, require_tool, running

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "kamailio" / "kamailio.cfg"
DOMAIN = "homeagent.test"
USERS = ("1001", "1002", "1003", "1004", "2001", "2002", "2003")


@dataclass
class Kamailio:
    """A running Kamailio and what a test needs to use it."""

    host: str
    udp_port: int
    tcp_port: int
    tls_port: int | None
    domain: str
    passwords: dict[str, str]
    log: Path
    ca_file: Path | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def port(self, transport: str) -> int:
        if transport == "udp":
            return self.udp_port
        if transport == "tcp":
            return self.tcp_port
        assert self.tls_port is not None, "start it with the kamailio_tls fixture"
        return self.tls_port


def _write_db(db: Path, passwords: dict[str, str]) -> None:
    db.mkdir()
    (db / "version").write_text("table_name(string) table_version(int)\nsubscriber:7\n")
    rows = "".join(
        f"{i}:{user}:{DOMAIN}:{pw}\n" for i, (user, pw) in enumerate(passwords.items(), 1)
    )
    (db / "subscriber").write_text(
        "id(int,auto) username(string) domain(string) password(string)\n" + rows
    )


def kamailio_argv(
    binary: str,
    tmp: Path,
    *,
    host: str,
    udp: int,
    tcp: int,
    tls_port: int | None = None,
    tls_cfg: Path | None = None,
) -> list[str]:
    """Kamailio's command line for `tmp` (database in tmp/db), listening on `host`."""
    argv = [
        binary, "-DD", "-E", "-f", str(CONFIG), "-w", str(tmp),
        "-m", "32", "-M", "8", "-n", "2",
        "-l", f"udp:{host}:{udp}", "-l", f"tcp:{host}:{tcp}",
        "-A", f'DBURL="text://{tmp / "db"}"',
        "-A", f'SIP_DOMAIN="{DOMAIN}"',
    ]  # fmt: skip
    if tls_port is not None and tls_cfg is not None:
        argv += ["-l", f"tls:{host}:{tls_port}", "-A", "WITH_TLS", "-A", f'TLS_CFG="{tls_cfg}"']
    return argv


def write_tls_config(tmp: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A test CA and a server certificate for `host`; returns (tls.cfg, CA file)."""
    pki = tmp / "pki"
    pki.mkdir()
    authority = certs.make_ca()
    ca = authority.write(pki, "ca")
    server = certs.issue_cert((host, "localhost"), issuer=authority).write(pki, "server")
    tls_cfg = tmp / "tls.cfg"
    tls_cfg.write_text(
        "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
        f"require_certificate = no\nprivate_key = {server.key}\ncertificate = {server.cert}\n"
        "\n[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
        "require_certificate = no\n"
    )
    return tls_cfg, ca.cert


def start_kamailio(tmp: Path, *, tls: bool) -> Iterator[Kamailio]:
    """Start Kamailio in `tmp` (generator used by the fixtures)."""
    binary = require_tool("kamailio")
    passwords = {user: secrets.token_hex(8) for user in USERS}
    _write_db(tmp / "db", passwords)
    udp, tcp = free_port(), free_port()
    tls_port = free_port() if tls else None
    tls_cfg, ca_file = write_tls_config(tmp) if tls else (None, None)
    argv = kamailio_argv(
        binary, tmp, host="127.0.0.1", udp=udp, tcp=tcp, tls_port=tls_port, tls_cfg=tls_cfg
    )
    log = tmp / "kamailio.log"
    with running(argv, log=log, ready=lambda: port_open(tcp), ready_timeout_s=20) as proc:
        yield Kamailio(
            host="127.0.0.1",
            udp_port=udp,
            tcp_port=tcp,
            tls_port=tls_port,
            domain=DOMAIN,
            passwords=passwords,
            log=log,
            ca_file=ca_file,
            proc=proc,
        )


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    """A Kamailio registrar/proxy on UDP and TCP with digest auth (users in USERS)."""
    directory = tmp_path / "kamailio"
    directory.mkdir()
    yield from start_kamailio(directory, tls=False)


@pytest.fixture
def kamailio_tls(tmp_path: Path) -> Iterator[Kamailio]:
    """Like `kamailio`, plus a TLS listener whose certificate chains to `ca_file`."""
    directory = tmp_path / "kamailio"
    directory.mkdir()
    yield from start_kamailio(directory, tls=True)
