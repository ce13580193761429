"""What the diagnostics bundle costs (issue 15): masking per SIP message, a full bundle.

``python -m benchmarks.diag_bundle [--contacts 100000]``

- the SIP trace writer's masking of one ~1 KB INVITE (it runs on the trace's own thread;
  the SIP thread only queues), and the queueing itself;
- a full bundle: 4 MiB of SIP trace, 2 MiB of event log, a contact cache of `--contacts`
  names to mask, built and zipped (what "Créer un rapport de diagnostic" waits for).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import string
import tempfile
import time
from pathlib import Path

from homeagent.core.diag_mask import Masker
from homeagent.desktop import diag_bundle
from homeagent.sip.sip_trace import SipTraceFile

INVITE = (
    "RX 1043 bytes Request msg INVITE/cseq=5821 (rdata0x7f) from UDP 10.0.0.1:5060:\n"
    "INVITE sip:1001@192.168.1.24:5062;ob SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK5f2a.1;rport\r\n"
    "Max-Forwards: 69\r\n"
    'From: "Jeanne Martin" <sip:+33612345678@sip.example.fr>;tag=as6f1\r\n'
    "To: <sip:1001@sip.example.fr>\r\n"
    "Contact: <sip:+33612345678@10.0.0.1:5060>\r\n"
    "Call-ID: 7c1e9a4b2d@10.0.0.1\r\n"
    "CSeq: 5821 INVITE\r\n"
    'P-Asserted-Identity: "Jeanne Martin" <sip:+33612345678@sip.example.fr>\r\n'
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO\r\n"
    "Supported: replaces, timer\r\n"
    "X-Queue: support-fibre\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 312\r\n\r\n"
    "v=0\r\no=- 3912345678 3912345678 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\nm=audio 40000 RTP/AVP 9 8 0 101\r\na=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n--end msg--"
)


def _per_message_us(rounds: int = 2000) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        Masker().text(INVITE)
    return (time.perf_counter() - start) / rounds * 1e6


def _queue_us(folder: Path, rounds: int = 1500) -> float:
    trace = SipTraceFile(folder / "q" / "sip-trace.log")
    start = time.perf_counter()
    for _ in range(rounds):
        trace.write(4, INVITE)
    elapsed = time.perf_counter() - start
    trace.close(timeout_s=60)
    return elapsed / rounds * 1e6


def _full_bundle_s(folder: Path, contacts: int) -> tuple[float, int]:
    data = folder / "data"
    (data / "logs").mkdir(parents=True)
    entry = f"--- 2026-12-02T10:00:00.000Z level 4\n{INVITE}\n"
    with (data / "logs" / "sip-trace.log").open("w") as f:
        f.write(entry * (diag_bundle.MAX_TRACE_BYTES // len(entry)))
    now = dt.datetime.now(dt.UTC)
    with (data / "events.jsonl").open("w") as f:
        line = json.dumps({"ts": now.isoformat().replace("+00:00", "Z"), "event": "call_ended",
                           "call_id": 1, "mos": 4.1, "remote_number": "+*********78"})  # fmt: skip
        f.write((line + "\n") * (diag_bundle.MAX_EVENT_LOG_BYTES // (len(line) + 1)))
    rng = random.Random(15)
    names = tuple(
        "".join(rng.choices(string.ascii_letters, k=rng.randint(4, 10))) for _ in range(contacts)
    )
    sources = diag_bundle.Sources(data_dir=data, names=names, secrets=("s3cret-" * 3,))
    start = time.perf_counter()
    bundle = diag_bundle.build(folder / "b.zip", sources)
    return time.perf_counter() - start, bundle.size_bytes


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diag_bundle")
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    print(f"masking one {len(INVITE)}-byte INVITE: {_per_message_us():.0f} µs")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"queueing it (the SIP thread's cost): {_queue_us(Path(tmp)):.1f} µs")
        seconds, size = _full_bundle_s(Path(tmp), args.contacts)
    print(
        f"full bundle (4 MiB trace, 2 MiB log, {args.contacts} names): {seconds:.1f} s, "
        f"zip {size / 1024:.0f} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
