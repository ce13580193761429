"""A diagnostics bundle of a plausible afternoon, for screenshots and the demo: built by
the real builder (`homeagent.desktop.diag_bundle`) over sample files, so what is shown
is exactly what the masking makes of them."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from types import SimpleNamespace

from homeagent.core.diagnostics import BundlePreview
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore
from homeagent.desktop.diag_desk import build_preview
from homeagent.sip.sip_trace import SipTraceFile

_INVITE = (
    "RX 1043 bytes Request msg INVITE/cseq=5821 (rdata0x7f) from UDP 10.0.0.1:5060:\n"
    "INVITE sip:1001@192.168.1.24:5062;ob SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK5f2a.1\r\n"
    'From: "Jeanne Martin" <sip:+33612345678@sip.example.fr>;tag=as6f1\r\n'
    "To: <sip:1001@sip.example.fr>\r\n"
    "Call-ID: 7c1e9a4b2d@10.0.0.1\r\n"
    "CSeq: 5821 INVITE\r\n"
    'P-Asserted-Identity: "Jeanne Martin" <sip:+33612345678@sip.example.fr>\r\n'
    "X-Queue: support-fibre\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 212\r\n\r\n"
    "v=0\r\no=- 3912345678 3912345678 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\nm=audio 40000 RTP/AVP 9 8 0 101\r\na=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n--end msg--"
)
_REGISTER = (
    "TX 612 bytes Request msg REGISTER/cseq=37 (tdta0x7f) to UDP 10.0.0.1:5060:\n"
    "REGISTER sip:sip.example.fr SIP/2.0\r\n"
    'Authorization: Digest username="1001.dev42", realm="sip.example.fr", '
    'nonce="ZmVkY2JhOTg3NjU0MzIxMA", uri="sip:sip.example.fr", '
    'response="4f2a9c0d1e8b7a6f5e4d3c2b1a098765", algorithm=MD5\r\n'
    "Expires: 300\r\nContent-Length: 0\r\n\r\n--end msg--"
)


def sample_preview(folder: Path) -> BundlePreview:
    """A bundle built in `folder` from a sample event log, SIP trace and pre-shift check."""
    data = folder / "data"
    (data / "logs").mkdir(parents=True)
    now = dt.datetime.now(dt.UTC)
    events: list[tuple[str, dict[str, object]]] = [
        ("app_started", {"version": "0.1.0", "system": "Linux"}),
        ("registration", {"state": "registered", "code": 200}),
        ("agent_state", {"state": "available", "reason": "", "previous": "offline"}),
        ("call_answered", {"call_id": 3}),
        ("call_ended", {"call_id": 3, "code": 200, "answered": True, "duration_s": 184.2,
                        "mos": 3.6, "loss_pct": 2.4, "jitter_ms": 31.0, "rtt_ms": 86.0,
                        "codec": "G722"}),
        ("wrap_up_submitted", {"record_id": "r-1", "disposition": "ok", "callback": False}),
    ]  # fmt: skip
    with (data / "events.jsonl").open("w", encoding="utf-8") as f:
        for n, (event, fields) in enumerate(events):
            at = now - dt.timedelta(minutes=30 - 4 * n)
            stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            f.write(json.dumps({"ts": stamp, "event": event, **fields}) + "\n")
    trace = SipTraceFile(data / "logs" / "sip-trace.log")
    trace.write(4, _REGISTER)
    trace.write(4, _INVITE)
    trace.close()
    (data / "last-check.json").write_text(
        json.dumps({"overall": "amber", "mos_g722": 3.7, "loss_pct": 2.1, "jitter_ms": 28})
    )
    audio = {
        "inputs": [{"name": "Casque USB Jabra Evolve2 30 Mono", "default": True}],
        "outputs": [{"name": "Casque USB Jabra Evolve2 30 Stéréo", "default": True}],
    }
    store = LocalStore.open(secrets.token_bytes(32), folder / "cache")
    try:
        outbox = Outbox(store)
        outbox.add_note("c-1", "sample")  # one waiting: what an outage leaves
        device = SimpleNamespace(
            vault=None, client=None, is_enrolled=True, store=store, outbox=outbox
        )
        return build_preview(device, data, audio, 7)
    finally:
        store.close()
