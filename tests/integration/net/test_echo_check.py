"""The pre-shift echo test through our UDP impairment relay: what it reports is what we did.

The relay (tests/helpers/udp_relay.py) sits between the desk's probe and the real echo
service, like the home router; it drops and delays each datagram independently in each
direction, from a seeded generator.

Tolerances, and why:
- loss: 5 % dropped each way over 400 probes. The count of losses is binomial
  (σ = √(400·0.05·0.95) ≈ 4.4 probes ≈ 1.1 points), so each direction is asserted
  within ±3 points (≈ 2.7 σ) and the round trip, 1 − 0.95² = 9.75 %, within ±4 points.
  The generator is seeded, but which datagram draws which number depends on the order
  the relay thread sees them in, so the figures vary a little between runs.
- jitter: each datagram is delayed 60 ms ± 40 ms (uniform). The mean of RFC 3550's J over
  arrival order is then ≈ 29.0 ms per direction — `_expected_jitter_ms` computes it by
  running the same formula over the same model without a network (seeded, 20,000
  packets; other seeds give 29.0 ± 0.1). The measure is asserted within ±25 % of that:
  the relay's thread wakes ±1–2 ms late on a loaded 2-core machine (it adds jitter),
  and the mean over 400 packets itself varies by about ±5 %.
- round trip: the median of 60 + 60 ms ± the jitter, asserted within 105–140 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from homeagent.client.echo_probe import EchoSession, ProbePlan, run_echo
from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.client.preshift import NetworkCheck
from homeagent.core import preshift as ps
from homeagent.server.echo import EchoService, token_text
from tests.helpers.udp_relay import UdpRelay

pytestmark = pytest.mark.integration


@pytest.fixture
def echo() -> Iterator[EchoService]:
    svc = EchoService("test-secret").start()
    yield svc
    svc.stop()


def _session(svc: EchoService, address: tuple[str, int]) -> EchoSession:
    host, port = address
    return EchoSession(svc.new_token(), host, port, 1000, 150.0, dt.datetime.now(dt.UTC))


def _expected_jitter_ms(delay_s: float, jitter_s: float, seed: int = 1) -> float:
    rng = random.Random(seed)
    pairs = [
        (i * 0.02, i * 0.02 + delay_s + rng.uniform(-jitter_s, jitter_s)) for i in range(20_000)
    ]
    return ps.interarrival_jitter(sorted(pairs, key=lambda p: p[1]))


@pytest.mark.timeout(60)
def test_5_percent_loss_and_40_ms_jitter_are_reported_within_tolerance(
    echo: EchoService,
) -> None:
    with UdpRelay(("127.0.0.1", echo.bound_port), seed=15) as relay:
        relay.impair(drop=0.05, delay_s=0.06, jitter_s=0.04)
        started = time.monotonic()
        result = run_echo(_session(echo, relay.address), ProbePlan())
        elapsed = time.monotonic() - started
    steady = result.steady
    assert steady.sent == 400
    assert steady.up_loss_pct == pytest.approx(5.0, abs=3.0)
    assert steady.down_loss_pct == pytest.approx(5.0, abs=3.0)
    assert steady.loss_pct == pytest.approx(9.75, abs=4.0)
    expected = _expected_jitter_ms(0.06, 0.04)
    assert expected == pytest.approx(29.0, abs=0.5)
    assert steady.up_jitter_ms == pytest.approx(expected, rel=0.25)
    assert steady.down_jitter_ms == pytest.approx(expected, rel=0.25)
    assert 105 <= steady.rtt_ms <= 140
    assert result.burst is not None
    assert result.burst.kbit_s == 160.0  # 100/s × 200 bytes: twice a G.722 call
    assert elapsed < ProbePlan().total_s + 0.5
    # what the agent is told: a red line (jitter 29 ms is amber; the loss makes it red)
    item = ps.judge_echo(steady)
    assert (item.level, item.advice) == (ps.Level.RED, ps.Advice.NET_WIRED)


@pytest.mark.timeout(30)
def test_a_clean_path_is_green(echo: EchoService) -> None:
    with UdpRelay(("127.0.0.1", echo.bound_port), seed=2) as relay:
        result = run_echo(
            _session(echo, relay.address), ProbePlan(steady_s=2.0, burst_s=1.0, tail_s=0.5)
        )
    assert (result.steady.sent, result.steady.received) == (100, 100)
    assert result.steady.loss_pct == 0.0
    assert result.steady.jitter_ms < 5
    assert ps.judge_echo(result.steady).level is ps.Level.GREEN
    assert result.burst is not None
    assert ps.judge_bandwidth(result.burst, result.steady).level is ps.Level.GREEN


@pytest.mark.timeout(30)
def test_an_echo_port_that_never_answers_is_red_within_the_plan() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as mute:  # takes, never answers
        mute.bind(("127.0.0.1", 0))
        svc = EchoService("x")  # for a token only: not started
        plan = ProbePlan(steady_s=1.0, burst_s=0.5, tail_s=0.5)
        started = time.monotonic()
        result = run_echo(_session(svc, mute.getsockname()), plan)
        elapsed = time.monotonic() - started
    assert result.steady.received == 0
    assert elapsed < plan.total_s + 0.5
    item = ps.judge_echo(result.steady)
    assert (item.level, item.advice) == (ps.Level.RED, ps.Advice.ECHO_SILENT)


class _DeadApi:
    """A REST API that never answers: every call waits its timeout, then gives up."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def probe(
        self, method: str, path: str, body: object = None, *, timeout_s: float, auth: bool = True
    ) -> object:
        self.calls.append((path, timeout_s))
        threading.Event().wait(timeout_s)
        raise ServerUnreachable(f"{method} {path}: timed out")


@pytest.mark.timeout(30)
def test_a_server_that_does_not_answer_gives_red_lines_quickly() -> None:
    api = _DeadApi()
    started = time.monotonic()
    items = NetworkCheck(api, "127.0.0.1").run()
    elapsed = time.monotonic() - started
    assert elapsed < 2.5  # one health attempt (1.5 s), then no echo test at all
    by_id = {i.id: i for i in items}
    assert by_id[ps.ItemId.SERVER].level is ps.Level.RED
    assert by_id[ps.ItemId.SERVER].advice is ps.Advice.SERVER_DOWN
    assert by_id[ps.ItemId.ECHO].level is ps.Level.RED
    assert by_id[ps.ItemId.BANDWIDTH].level is ps.Level.RED
    assert api.calls == [("/health", 1.5)]


class _BusyOnceApi:
    """Health answers; the first echo session is 429 (a check run again at once)."""

    def __init__(self, svc: EchoService) -> None:
        self.svc = svc
        self.sessions = 0

    def probe(
        self, method: str, path: str, body: object = None, *, timeout_s: float, auth: bool = True
    ) -> object:
        if path == "/health":
            return {"ok": True}
        self.sessions += 1
        if self.sessions == 1:
            raise ApiError(429, "too_many_checks", "retry in 5 s")
        return {
            "token": token_text(self.svc.new_token()), "host": "", "port": self.svc.bound_port,
            "packet_bytes": 172, "payload_bytes": 160, "max_packets": 1000, "max_pps": 150,
            "expires_at": "2099-01-01T00:00:00Z",
            "server_time": dt.datetime.now(dt.UTC).isoformat(),
        }  # fmt: skip


@pytest.mark.timeout(30)
def test_a_check_told_to_wait_waits_once_then_runs(
    echo: EchoService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("homeagent.client.preshift.SESSION_RETRY_S", 0.2)
    api = _BusyOnceApi(echo)
    plan = ProbePlan(steady_s=1.0, burst_s=0.5, tail_s=0.3)
    items = {i.id: i for i in NetworkCheck(api, "127.0.0.1", plan=plan).run()}
    assert api.sessions == 2
    assert items[ps.ItemId.ECHO].level is ps.Level.GREEN
    assert items[ps.ItemId.CLOCK].level is ps.Level.GREEN
