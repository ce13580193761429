"""Fixtures for Kamailio: a real registrar/proxy (deploy/kamailio/kamailio.cfg) per test.

``kamailio`` starts it on free UDP+TCP ports with digest auth and a few users;
``kamailio_tls`` also listens on TLS with a certificate from a CA made at test time
(never committed). ``make_ca`` / ``make_cert`` build certificates for negative TLS tests.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def make_ca(
    directory: Path, name: str = "HomeAgent Test CA"
) -> tuple[CertFiles, x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A self-signed CA certificate and key in `directory`."""
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    files = CertFiles(
        directory / f"{name.replace(' ', '_')}.pem", directory / f"{name.replace(' ', '_')}.key"
    )
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, files.key)
    return files, cert, key


def make_cert(
    directory: Path,
    stem: str,
    *,
    names: tuple[str, ...] = ("127.0.0.1", "localhost"),
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    expired: bool = False,
) -> CertFiles:
    """A server certificate for `names` (IPs or DNS names), signed by `issuer` or self-signed."""
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.UTC)
    start, end = (
        (now - dt.timedelta(days=30), now - dt.timedelta(days=1))
        if expired
        else (now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    )
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    issuer_cert, issuer_key = issuer if issuer is not None else (None, key)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(issuer_key, hashes.SHA256())
    )
    files = CertFiles(directory / f"{stem}.pem", directory / f"{stem}.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, files.key)
    return files


def _write_db(db: Path, passwords: dict[str, str]) -> None:
    db.mkdir()
    (db / "version").write_text("table_name(string) table_version(int)\nsubscriber:7\n")
    rows = "".join(
        f"{i}:{user}:{DOMAIN}:{pw}\n" for i, (user, pw) in enumerate(passwords.items(), 1)
    )
    (db / "subscriber").write_text(
        "id(int,auto) username(string) domain(string) password(string)\n" + rows
    )


def start_kamailio(tmp: Path, *, tls: bool) -> Iterator[Kamailio]:
    """Start Kamailio in `tmp` (generator used by the fixtures)."""
    binary = require_tool("kamailio")
    passwords = {user: secrets.token_hex(8) for user in USERS}
    _write_db(tmp / "db", passwords)
    udp, tcp = free_port(), free_port()
    argv = [
        binary, "-DD", "-E", "-f", str(CONFIG), "-w", str(tmp),
        "-m", "32", "-M", "8", "-n", "2",
        "-l", f"udp:127.0.0.1:{udp}", "-l", f"tcp:127.0.0.1:{tcp}",
        "-A", f'DBURL="text://{tmp / "db"}"',
        "-A", f'SIP_DOMAIN="{DOMAIN}"',
    ]  # fmt: skip
    tls_port = None
    ca_file = None
    if tls:
        pki = tmp / "pki"
        pki.mkdir()
        ca, ca_cert, ca_key = make_ca(pki)
        server = make_cert(pki, "server", issuer=(ca_cert, ca_key))
        tls_cfg = tmp / "tls.cfg"
        tls_cfg.write_text(
            "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
            f"require_certificate = no\nprivate_key = {server.key}\ncertificate = {server.cert}\n"
            "\n[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\n"
            "require_certificate = no\n"
        )
        tls_port = free_port()
        argv += ["-l", f"tls:127.0.0.1:{tls_port}", "-A", "WITH_TLS", "-A", f'TLS_CFG="{tls_cfg}"']
        ca_file = ca.cert
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
