"""What the engine exposes on the wire: codecs offered, no ICE, no presence server."""

from __future__ import annotations

import re
import socket
import time

import pytest

from homeagent.core import commands as cmd
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import EngineRunner, account_for

pytestmark = pytest.mark.integration


def _receive_invite(sock: socket.socket, timeout_s: float = 10.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            data, _ = sock.recvfrom(65535)
        except TimeoutError:
            break
        text = data.decode(errors="replace")
        if text.startswith("INVITE "):
            return text
    raise TimeoutError("no INVITE received")


def test_offer_has_only_g722_pcma_pcmu_in_that_order_and_no_ice(
    kamailio: Kamailio, engines: EngineRunner
) -> None:
    engine, _ = engines.start(account_for(kamailio, "1001"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        engine.submit(cmd.Dial(f"sip:probe@127.0.0.1:{port}"))
        invite = _receive_invite(sock)
    body = invite.split("\r\n\r\n", 1)[1]
    media = re.search(r"^m=audio \d+ RTP/AVP ([\d ]+)\r?$", body, re.M)
    assert media is not None, body
    payloads = media.group(1).split()
    rtpmap = dict(re.findall(r"^a=rtpmap:(\d+) ([^/\r\n]+)", body, re.M))
    names = [
        rtpmap.get(pt, {"0": "PCMU", "8": "PCMA", "9": "G722"}.get(pt, "?")) for pt in payloads
    ]
    audio = [n for n in names if n != "telephone-event"]
    assert audio == ["G722", "PCMA", "PCMU"], body
    assert "telephone-event" in names
    assert "a=candidate" not in body
    assert "a=ice-" not in body
    assert "a=crypto" not in body  # SRTP disabled in this account


def test_subscribe_is_refused_no_presence_server(kamailio: Kamailio, engines: EngineRunner) -> None:
    engine, _ = engines.start(account_for(kamailio, "1001"))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        lport = sock.getsockname()[1]
        request = (
            f"SUBSCRIBE sip:1001@127.0.0.1:{engine.local_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK-sub1\r\n"
            f"From: <sip:watcher@127.0.0.1:{lport}>;tag=w1\r\n"
            f"To: <sip:1001@{kamailio.domain}>\r\n"
            "Call-ID: subscribe-1@probe\r\nCSeq: 1 SUBSCRIBE\r\n"
            f"Contact: <sip:watcher@127.0.0.1:{lport}>\r\n"
            "Event: presence\r\nExpires: 600\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        sock.sendto(request.encode(), ("127.0.0.1", engine.local_port))
        sock.settimeout(5)
        status = ""
        while not status or status.startswith("SIP/2.0 1"):
            status = sock.recvfrom(65535)[0].decode(errors="replace").split("\r\n", 1)[0]
    assert status == "SIP/2.0 403 Forbidden"  # onIncomingSubscribe refuses every SUBSCRIBE
