"""Incoming-call latency of the SIP engine: sipp INVITE -> 180, and -> CallRinging event.

Run from the repository root::

    .venv/bin/python -m benchmarks.sip_latency --calls 300 --rate 20

sipp (tests/sipp/uac_ring_only.xml) sends INVITEs straight to a SipEngine running in this
process (UDP on loopback), waits for the 180 and CANCELs. Timestamps: sipp's message trace
(wall clock, microseconds) for "INVITE sent" and "180 received"; the engine's wall clock
when ``on_event`` delivered CallRinging. Both are on the same host, matched by Call-ID.
Also printed: the engine-internal part (pjsua2 onIncomingCall -> event delivered).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from homeagent.core.events import CallRinging, Event
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.engine import SipEngine
from tests.helpers.procs import free_port
from tests.helpers.sipp import SippRunner

_BLOCK = re.compile(
    r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n(.*?)(?=^-{20,} |\Z)", re.M | re.S
)


def _sipp_times(messages: str) -> tuple[dict[str, float], dict[str, float]]:
    """Call-ID -> epoch seconds of the INVITE sent and of the first 180 received."""
    sent: dict[str, float] = {}
    ringing: dict[str, float] = {}
    for stamp, block in _BLOCK.findall(messages):
        when = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if len(lines) < 2:
            continue
        call_id = next(
            (ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("call-id:")), ""
        )
        if "message sent" in lines[0] and lines[1].startswith("INVITE "):
            sent.setdefault(call_id, when)
        elif "message received" in lines[0] and lines[1].startswith("SIP/2.0 180"):
            ringing.setdefault(call_id, when)
    return sent, ringing


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50_ms": round(_pct(values_ms, 50), 3),
        "p99_ms": round(_pct(values_ms, 99), 3),
        "max_ms": round(max(values_ms), 3),
        "mean_ms": round(statistics.fmean(values_ms), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second")
    args = parser.parse_args()

    lock = threading.Lock()
    event_wall: dict[str, float] = {}
    internal_ms: list[float] = []

    def on_event(event: Event) -> None:
        if isinstance(event, CallRinging):
            now_wall = time.time()
            now_mono = time.monotonic_ns()
            with lock:
                event_wall[event.sip_call_id] = now_wall
                internal_ms.append((now_mono - event.monotonic_ns) / 1e6)

    # No registrar is needed for INVITEs from the trusted host; registration just fails.
    account = SipAccountConfig(
        "127.0.0.1", free_port(), "bench.test", "1001", "x", first_retry_s=30, retry_interval_s=30
    )
    engine = SipEngine(EngineConfig(max_calls=4, log_level=1), account, on_event)
    engine.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runner = SippRunner(Path(tmp))
            result = runner.run(
                "uac_ring_only.xml",
                f"127.0.0.1:{engine.local_port}",
                calls=args.calls,
                rate=args.rate,
                limit=4,
                timeout_s=int(args.calls / args.rate) + 60,
            )
            runner.close()
    finally:
        engine.stop()
    sent, ringing = _sipp_times(result.messages)
    to_180 = [(ringing[c] - sent[c]) * 1000 for c in sent if c in ringing]
    to_event = [(event_wall[c] - sent[c]) * 1000 for c in sent if c in event_wall]
    report = {
        "calls": args.calls,
        "rate_per_s": args.rate,
        "sipp_successful": result.successful,
        "sipp_failed": result.failed,
        "invite_to_180": _summary(to_180),
        "invite_to_ringing_event": _summary(to_event),
        "engine_onIncomingCall_to_event": _summary(internal_ms),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
