"""INVITEs whose headers are not UTF-8 still ring, readably, and reach the event log.

Regression: ``X-Queue: Fran\\xe7ais`` (Latin-1, as old PBXs send) got 180, but the ringing
event carried a surrogate-escaped string, the event log's strict UTF-8 write raised in the
desk's ringing handler and the window kept saying "Disponible" while the call rang.
Raw UDP INVITEs at a real engine, whose events drive the real (Qt-free) desk and event log.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import socket
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import Screen
from homeagent.core.eventlog import EventLog
from homeagent.core.events import CallEnded, CallRinging, Event
from homeagent.core.sip_config import EngineConfig
from homeagent.core.text import is_clean
from homeagent.sip.engine import SipEngine
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, RecordingSink
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import account_for

pytestmark = pytest.mark.integration

SDP = (
    b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    b"m=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"
)


def _invite(port: int, lport: int, n: int, from_name: bytes, queue_name: bytes) -> bytes:
    head = (
        f"INVITE sip:1001@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{lport};branch=z9hG4bK-enc{n}\r\n"
        f'From: "FROMNAME" <sip:+3361234{n:04d}@127.0.0.1:{lport}>;tag=enc{n}\r\n'
        f"To: <sip:1001@127.0.0.1:{port}>\r\n"
        f"Call-ID: enc-{n}@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
        f"Contact: <sip:enc@127.0.0.1:{lport}>\r\nMax-Forwards: 70\r\n"
        "X-Queue: QUEUE\r\nSubject: caf\u00e9 ok\r\n"
        f"Content-Type: application/sdp\r\nContent-Length: {len(SDP)}\r\n\r\n"
    ).encode()
    return head.replace(b"FROMNAME", from_name).replace(b"QUEUE", queue_name) + SDP


def _strings(event: Event) -> list[str]:
    out: list[str] = []
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, Mapping):
            out += [str(k) for k in value] + [str(v) for v in value.values()]
    return out


CASES = [
    # (From display name bytes, X-Queue bytes, expected display name, expected queue)
    (b"Ren\xe9 M\xfcller", b"Fran\xe7ais", "René Müller", "Français"),  # Latin-1
    # invalid UTF-8: read as Windows-1252, byte for byte
    (
        b"Bad \xc3\x28 utf8",
        b"Support \xff\xfe \x81",
        "Bad \u00c3( utf8",
        "Support \u00ff\u00fe \ufffd",
    ),
    ("Zoé Ærø".encode(), "Français".encode(), "Zoé Ærø", "Français"),  # real UTF-8 untouched
]


@pytest.mark.parametrize("case", range(len(CASES)), ids=["latin1", "invalid-utf8", "utf8"])
def test_non_utf8_headers_ring_readably_and_are_logged(
    kamailio: Kamailio, tmp_path: Path, case: int
) -> None:
    from_name, queue_name, want_name, want_queue = CASES[case]
    inbox: queue.Queue[Event] = queue.Queue()
    directory = FakeDirectory()
    sink = RecordingSink(directory=directory)
    log_path = tmp_path / "events.jsonl"
    event_log = EventLog(log_path)
    desk = DeskModel(directory=directory, sink=sink, log=event_log)
    engine = SipEngine(EngineConfig(ring_timeout_s=2.0), account_for(kamailio, "1001"), inbox.put)
    engine.start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        desk.configure(agent_name="Alice", team=DEMO_TEAM)
        desk.set_presence(AgentState.AVAILABLE)
        sock.sendto(
            _invite(engine.local_port, sock.getsockname()[1], case, from_name, queue_name),
            ("127.0.0.1", engine.local_port),
        )
        ringing: CallRinging | None = None
        ended: CallEnded | None = None
        deadline = time.monotonic() + 10
        while ended is None and time.monotonic() < deadline:
            try:
                event = inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            desk.handle(event)  # must not raise
            if isinstance(event, CallRinging):
                ringing = event
                assert desk.snapshot().screen is Screen.RINGING
            elif isinstance(event, CallEnded):
                ended = event
        assert ringing is not None, "the INVITE never rang"
        assert all(is_clean(s) for s in _strings(ringing)), _strings(ringing)
        assert ringing.display_name == want_name
        assert ringing.queue == want_queue
        assert ringing.headers["Subject"] == "café ok"  # the UTF-8 header stays UTF-8
        assert ended is not None
        assert ended.rang_out
    finally:
        sock.close()
        engine.stop(timeout_s=8)
        event_log.close()
    lines = [json.loads(x) for x in log_path.read_bytes().decode("utf-8").splitlines()]
    logged = [x for x in lines if x["event"] == "call_ringing"]
    assert logged, [x["event"] for x in lines]
    assert logged[0]["queue"] == ringing.queue
    assert "36123400" not in log_path.read_text(encoding="utf-8")  # the number is masked
