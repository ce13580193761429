"""Kamailio with the ACD configuration (deploy/kamailio/acd) in front of a running server.

`running_acd_kamailio` starts it on a UDP port (free, or the one the server's provisioning
already names) with the http_client connection to the server's ACD hook, and returns
once it answers OPTIONS. Used by the server's ACD test and the desk's queue e2e test.
Agents authenticate with digest (their SIP secret from the server); customer calls to
`queue-*` from `gateway_ip` need none. `register` is a minimal digest REGISTER client.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.procs import free_port, require_tool, running

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "deploy" / "kamailio" / "acd" / "kamailio-acd.cfg"
MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")


@dataclass
class AcdKamailio:
    """A running ACD Kamailio: its UDP port on 127.0.0.1 and its log."""

    port: int
    log: Path


def sip_request(
    method: str,
    user: str,
    proxy_port: int,
    contact_port: int,
    via_port: int | None = None,
    *,
    call_id: str | None = None,
    cseq: int = 1,
    extra: str = "",
    ruri: str | None = None,
    via_host: str = "127.0.0.1",
    domain: str = "127.0.0.1",
) -> bytes:
    """A minimal out-of-dialog UDP request (OPTIONS probe, REGISTER of a bare endpoint)."""
    branch = f"z9hG4bK{uuid.uuid4().hex[:16]}"
    return (
        f"{method} {ruri or f'sip:127.0.0.1:{proxy_port}'} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {via_host}:{via_port or contact_port};branch={branch}\r\n"
        f"From: <sip:{user}@{domain}>;tag={uuid.uuid4().hex[:8]}\r\n"
        f"To: <{ruri or f'sip:{user}@{domain}'}>\r\n"
        f"Call-ID: {call_id or uuid.uuid4()}\r\n"
        f"CSeq: {cseq} {method}\r\n"
        f"Contact: <sip:{user}@{via_host}:{contact_port}>\r\n"
        f"{extra}"
        "Expires: 300\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def register(
    port: int,
    user: str,
    password: str,
    contact_port: int,
    *,
    auth_user: str | None = None,
    domain: str = "127.0.0.1",
) -> int:
    """REGISTER `user`@`domain` (contact on `contact_port`) answering the digest challenge
    as `auth_user` (default: `user`; MD5, qop=auth when offered); the final status code
    (200, or 403 for a wrong password or a device acting for another user)."""
    auth_user = auth_user or user
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.bind(("127.0.0.1", 0))
        local, call_id, uri = s.getsockname()[1], str(uuid.uuid4()), f"sip:127.0.0.1:{port}"
        s.sendto(
            sip_request(
                "REGISTER", user, port, contact_port, local, call_id=call_id, domain=domain
            ),
            ("127.0.0.1", port),
        )
        reply = s.recv(65535)
        if _status(reply) != 401:
            return _status(reply)
        header = re.search(rb"(?im)^WWW-Authenticate:\s*Digest\s+(.*)$", reply)
        assert header is not None, reply
        params = dict(re.findall(r'(\w+)="?([^",]*)"?', header.group(1).decode()))
        realm, nonce = params["realm"], params["nonce"]
        ha1 = hashlib.md5(f"{auth_user}:{realm}:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"REGISTER:{uri}".encode()).hexdigest()
        auth = f'Digest username="{auth_user}", realm="{realm}", nonce="{nonce}", uri="{uri}"'
        if "auth" in params.get("qop", "").split(","):
            cnonce = uuid.uuid4().hex[:16]
            digest = hashlib.md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}".encode())
            auth += f', qop=auth, nc=00000001, cnonce="{cnonce}"'
        else:
            digest = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode())
        auth += f', response="{digest.hexdigest()}"'
        message = sip_request(
            "REGISTER", user, port, contact_port, local, call_id=call_id, cseq=2,
            extra=f"Authorization: {auth}\r\n", domain=domain,
        )  # fmt: skip
        s.sendto(message, ("127.0.0.1", port))
        return _status(s.recv(65535))


def options_answered(port: int) -> bool:
    """Whether a SIP server on 127.0.0.1:`port` (UDP) answers an OPTIONS right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.bind(("127.0.0.1", 0))
        s.sendto(sip_request("OPTIONS", "probe", port, s.getsockname()[1]), ("127.0.0.1", port))
        try:
            return s.recv(4096).startswith(b"SIP/2.0")
        except OSError:
            return False


@contextlib.contextmanager
def running_acd_kamailio(
    server_url: str,
    acd_token: str,
    work_dir: Path,
    port: int | None = None,
    gateway_ip: str = "127.0.0.1",
    sipcred_cache_s: int = 30,
    defines: tuple[str, ...] = (),
) -> Iterator[AcdKamailio]:
    """Kamailio routing `queue-<name>` calls through the server at `server_url`; it keeps
    the devices' SIP credentials `sipcred_cache_s` (the cfg's SIPCRED_CACHE_S); `defines`
    are more `-A` defines (e.g. "REG_MAX_EXPIRES_S=4", "GATEWAY_DIRECT")."""
    binary = require_tool("kamailio")
    if not (MODULES / "http_client.so").exists():
        pytest.fail("Kamailio http_client module missing: install kamailio-utils-modules")
    port = port or free_port(socket.SOCK_DGRAM)
    conn = work_dir / "acd-http.cfg"
    conn.write_text(
        f"[acd]\nurl = {server_url}/api/v1/acd\nusername = acd\n"
        f"password = {acd_token}\nauthmethod = 1\ntimeout = 2\n"
    )
    conn.chmod(0o600)
    argv = [
        binary, "-f", str(CONFIG), "-DD", "-E", "-L", str(MODULES),
        "-l", f"udp:127.0.0.1:{port}", "-w", str(work_dir), "-Y", str(work_dir),
        "-m", "32", "-M", "8",
        "-A", f'ACD_HTTP_CONF="{conn}"', "-A", f'GATEWAY_IP="{gateway_ip}"',
        "-A", f"SIPCRED_CACHE_S={int(sipcred_cache_s)}",
    ]  # fmt: skip
    for define in defines:
        argv += ["-A", define]
    log = work_dir / "kamailio.log"
    with running(argv, log=log, ready=lambda: options_answered(port), ready_timeout_s=20):
        yield AcdKamailio(port, log)
