"""Property-based malformed INVITEs at a real engine: no crash, no stuck call, still works.

Hypothesis builds 2,000 mutated INVITEs (display names, numbers and contact-centre headers
in UTF-8, Latin-1, invalid UTF-8 or raw bytes; extra and compact headers; good, empty,
garbage and oversized SDP; wrong Content-Length; LF-only line ends; byte flips and
truncation) and sends them over UDP to an engine in a child process (engine_host.py), so
a PJSIP assertion shows as a dead process instead of killing pytest. Derandomized and
without a database or shrinking: CI replays the very same cases.

The sends are paced (DESIGN.md: a burst of ~32+ INVITEs within 0.5 s while rejecting can
abort pjsua2) and the engine's ring timeout is short, so every call that rang must have
ended by the end; then a normal call rings and is answered.
"""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.helpers.kamailio import Kamailio
from tests.helpers.sipp import SippRunner
from tests.integration.sip.invite_mutations import mutated_invites, render
from tests.integration.sip.peers import start_engine_host
from tests.integration.sip.test_robustness import Host

pytestmark = pytest.mark.integration

CASES = 2000
RING_TIMEOUT_S = 1.0
PACE_S = 0.008  # ~100 datagrams/s, with a pause every 50
TIME_BOUND_S = 60.0


@pytest.fixture
def host(tmp_path: Path, kamailio: Kamailio) -> Iterator[Host]:
    proc = start_engine_host(
        tmp_path, kamailio, "1001", "--max-calls", "4", "--ring-timeout", str(RING_TIMEOUT_S)
    )
    yield Host(proc)
    proc.stop()


def test_two_thousand_mutated_invites(host: Host, sipp: SippRunner) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    lport = sock.getsockname()[1]
    numbers = itertools.count()
    sent: list[int] = []
    started = time.monotonic()

    @settings(
        max_examples=CASES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.generate,),  # no shrinking: a dead engine would fail every replay
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_invites())
    def send(parts: dict[str, object]) -> None:
        n = next(numbers)
        sock.sendto(render(parts, host.port, lport, n), ("127.0.0.1", host.port))
        sent.append(n)
        time.sleep(PACE_S)
        if n % 50 == 49:
            time.sleep(0.05)
            assert host.alive(), f"the engine died after case {n} (derandomized: replayable)"

    try:
        send()
    finally:
        sock.close()
    fuzz_s = time.monotonic() - started
    assert host.alive(), "the engine died"
    # every call that rang ends by itself (ring timeout), nothing stays ringing
    time.sleep(RING_TIMEOUT_S + 2.0)
    rang = {e["call_id"] for e in host.proc.named("CallRinging")}
    ended = {e["call_id"] for e in host.proc.named("CallEnded")}
    rang_out = [e for e in host.proc.named("CallEnded") if e.get("rang_out")]
    figures = (
        f"{len(sent)} cases in {fuzz_s:.1f} s; {len(rang)} rang, {len(rang_out)} rang out (480), "
        f"{len(host.proc.named('IncomingCallRefused'))} refused by the engine"
    )
    print(figures)
    assert len(sent) >= CASES * 0.95, figures
    assert rang, f"no mutated INVITE ever rang: the generator is too destructive ({figures})"
    assert rang <= ended, f"stuck calls {sorted(rang - ended)[:10]}; {figures}"
    assert fuzz_s < TIME_BOUND_S, figures
    host.handled |= rang
    host.takes_a_normal_call(sipp)
