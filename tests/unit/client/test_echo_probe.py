"""The echo probe's parsing and figures, without a network."""

from __future__ import annotations

import base64

import pytest

from homeagent.client.echo_probe import (
    EchoSessionError,
    _figures,
    _Probe,
    build_probe,
    parse_echo_session,
)
from homeagent.core import preshift as ps

TOKEN = bytes(range(28))
GOOD = {
    "token": base64.urlsafe_b64encode(TOKEN).decode().rstrip("="),
    "host": "",
    "port": 8443,
    "packet_bytes": 172,
    "payload_bytes": 160,
    "max_packets": 1000,
    "max_pps": 150.0,
    "expires_at": "2026-12-02T08:02:00Z",
    "server_time": "2026-12-02T08:00:00Z",
}


def test_a_session_is_read_and_the_empty_host_is_the_api_s() -> None:
    s = parse_echo_session(GOOD, "acd.example.fr")
    assert (s.token, s.host, s.port) == (TOKEN, "acd.example.fr", 8443)
    assert s.server_time.tzinfo is not None
    assert parse_echo_session({**GOOD, "host": "echo.example.fr"}, "x").host == "echo.example.fr"


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {k: v for k, v in GOOD.items() if k != "token"},
        {**GOOD, "token": "!!!"},
        {**GOOD, "token": "AAAA"},  # 3 bytes
        {**GOOD, "port": 0},
        {**GOOD, "port": "x"},
        {**GOOD, "packet_bytes": 1400},  # we send 172 bytes, nothing else
        {**GOOD, "server_time": "yesterday"},
    ],
)
def test_a_bad_session_is_one_clear_error(bad: object) -> None:
    with pytest.raises(EchoSessionError):
        parse_echo_session(bad, "acd.example.fr")


def test_a_probe_is_rtp_sized_g722() -> None:
    p = build_probe(TOKEN, 0, 0, 0xABCDEF01, 123)
    assert len(p) == 172
    assert p[0] == 0x80  # version 2
    assert p[1] == 0x80 | 9  # marker on the first, payload type 9 (G.722)
    assert p[12:16] == b"HAEP"


def test_nothing_back_is_lost_both_ways_so_a_dead_burst_is_red() -> None:
    probes = [(i, _Probe(1, i * 0.01)) for i in range(200)]
    burst = _figures(probes, base_count=400)
    assert (burst.loss_pct, burst.up_loss_pct, burst.down_loss_pct) == (100.0, 100.0, 100.0)
    steady = ps.EchoFigures(400, 400, 0, 0, 0, 20, 2, 2, 1)
    item = ps.judge_bandwidth(
        ps.BurstFigures(burst.up_loss_pct, burst.down_loss_pct, 0, 160), steady
    )
    assert item.level is ps.Level.RED


def test_upstream_and_downstream_loss_are_told_apart_by_the_server_s_count() -> None:
    # 100 probes; 10 lost on the way up, so the server got 90; 10 of those lost on the
    # way down (11.1 % of what was sent back): 80 came back
    probes = []
    count = 0
    for i in range(100):
        p = _Probe(0, i * 0.02)
        reached = i % 10 != 3  # 10 lost on the way up
        if reached:
            count += 1
            if i % 10 != 7:  # and 10 of the 90 lost on the way down
                p.rx_s, p.server_rx_s, p.count = i * 0.02 + 0.03, i * 0.02 + 0.015, count
        probes.append((i, p))
    f = _figures(probes, base_count=0)
    assert f.received == 80
    assert f.up_loss_pct == pytest.approx(10.0, abs=0.01)
    assert f.down_loss_pct == pytest.approx(100 / 9, abs=0.01)
    assert f.loss_pct == pytest.approx(20.0)
    assert f.rtt_ms == pytest.approx(30.0)
    assert f.jitter_ms == pytest.approx(0.0, abs=1e-6)
