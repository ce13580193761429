"""Kamailio with the ACD configuration (deploy/kamailio/acd) in front of a running server.

`running_acd_kamailio` starts it on a UDP port (free, or the one the server's provisioning
already names) with the http_client connection to the server's ACD hook, and returns
once it answers OPTIONS. Used by the server's ACD test and the desk's queue e2e test.
"""

from __future__ import annotations

import contextlib
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
    method: str, user: str, proxy_port: int, contact_port: int, via_port: int | None = None
) -> bytes:
    """A minimal out-of-dialog UDP request (OPTIONS probe, REGISTER of a bare endpoint)."""
    branch = f"z9hG4bK{uuid.uuid4().hex[:16]}"
    return (
        f"{method} sip:127.0.0.1:{proxy_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{via_port or contact_port};branch={branch}\r\n"
        f"From: <sip:{user}@127.0.0.1>;tag={uuid.uuid4().hex[:8]}\r\n"
        f"To: <sip:{user}@127.0.0.1>\r\n"
        f"Call-ID: {uuid.uuid4()}\r\n"
        f"CSeq: 1 {method}\r\n"
        f"Contact: <sip:{user}@127.0.0.1:{contact_port}>\r\n"
        "Expires: 300\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


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
    server_url: str, acd_token: str, work_dir: Path, port: int | None = None
) -> Iterator[AcdKamailio]:
    """Kamailio routing `queue-<name>` calls through the server at `server_url`."""
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
        "-A", f'ACD_HTTP_CONF="{conn}"',
    ]  # fmt: skip
    log = work_dir / "kamailio.log"
    with running(argv, log=log, ready=lambda: options_answered(port), ready_timeout_s=20):
        yield AcdKamailio(port, log)
