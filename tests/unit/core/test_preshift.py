"""The pre-shift check's pure decisions: E-model against published values, thresholds."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from homeagent.core import preshift as ps


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (93.2, 4.41),  # G.107 defaults: the G.711 ceiling every E-model table gives
        (80.0, 4.02),
        (70.0, 3.60),
        (50.0, 2.58),
        (0.0, 1.0),
        (100.0, 4.5),
        (-5.0, 1.0),
    ],
)
def test_mos_from_r_matches_g107_annex_b(r: float, expected: float) -> None:
    assert ps.mos_from_r(r) == pytest.approx(expected, abs=0.005)


def test_defaults_give_r_93_2_and_mos_4_41_for_pcma() -> None:
    assert ps.r_factor(ps.PCMA, loss_pct=0, ta_ms=0) == pytest.approx(93.2)
    assert ps.mos(ps.PCMA, loss_pct=0, ta_ms=0) == pytest.approx(4.41, abs=0.005)


def test_g722_is_on_the_wideband_scale() -> None:
    # Rmax 129 − Ie,wb 13 = 116 → 116 / 1.29 = 89.9 → MOS 4.34 (G.107.1)
    assert ps.r_factor(ps.G722, loss_pct=0, ta_ms=0) == pytest.approx(116.0)
    assert ps.mos(ps.G722, loss_pct=0, ta_ms=0) == pytest.approx(4.34, abs=0.005)


@pytest.mark.parametrize(
    ("ta_ms", "idd"),
    [(50, 0.0), (100, 0.0), (200, 3.04), (400, 24.07)],  # G.107 eq. 7-28 worked by hand
)
def test_delay_impairment_idd(ta_ms: float, idd: float) -> None:
    assert ps.delay_impairment(ta_ms) == pytest.approx(idd, abs=0.01)


def test_loss_lowers_the_mos_with_g113_robustness() -> None:
    # PCMA with PLC, Bpl 25.1: 2 % random loss → Ie,eff = 95·2/27.1 = 7.01 → R 86.19
    assert ps.effective_ie(ps.PCMA, 2.0) == pytest.approx(7.011, abs=0.001)
    assert ps.r_factor(ps.PCMA, loss_pct=2.0, ta_ms=0) == pytest.approx(86.19, abs=0.01)
    # bursty loss hurts more than random loss of the same rate
    assert ps.effective_ie(ps.PCMA, 2.0, burst_r=2.0) > ps.effective_ie(ps.PCMA, 2.0)
    values = [ps.mos(ps.G722, loss_pct=p, ta_ms=80) for p in (0, 1, 3, 10, 50)]
    assert values == sorted(values, reverse=True)
    assert ps.mos(ps.PCMA, loss_pct=100, ta_ms=2000) == 1.0


def test_burst_ratio() -> None:
    assert ps.burst_ratio([False] * 100) == 1.0
    rng = random.Random(3)
    random_loss = [rng.random() < 0.1 for _ in range(20000)]
    assert ps.burst_ratio(random_loss) == pytest.approx(1.0, abs=0.1)
    bursty = ([False] * 45 + [True] * 5) * 40  # losses in runs of 5
    assert ps.burst_ratio(bursty) > 4


def test_rfc3550_jitter() -> None:
    steady = [(i * 0.02, 0.1 + i * 0.02) for i in range(100)]
    assert ps.interarrival_jitter(steady) == pytest.approx(0.0)
    assert ps.interarrival_jitter(steady[:1]) == 0.0
    # alternating ±5 ms transit: |D| = 10 ms every time, so J converges to 10 ms
    wobbly = [(i * 0.02, 0.1 + i * 0.02 + (0.005 if i % 2 else -0.005)) for i in range(400)]
    assert ps.interarrival_jitter(wobbly) == pytest.approx(10.0, abs=0.01)


def _echo(**kw: float) -> ps.EchoFigures:
    base = dict(
        sent=400, received=400, loss_pct=0.0, up_loss_pct=0.0, down_loss_pct=0.0,
        rtt_ms=30.0, jitter_ms=3.0, up_jitter_ms=3.0, down_jitter_ms=2.0,
    )  # fmt: skip
    base.update(kw)
    return ps.EchoFigures(**base)  # type: ignore[arg-type]


def test_echo_verdicts_and_advice() -> None:
    good = ps.judge_echo(_echo())
    assert (good.level, good.advice) == (ps.Level.GREEN, ps.Advice.OK)
    assert good.figures["mos_pcma"] == pytest.approx(4.41, abs=0.01)
    lossy = ps.judge_echo(_echo(loss_pct=12, up_loss_pct=6, down_loss_pct=6))
    assert (lossy.level, lossy.advice) == (ps.Level.RED, ps.Advice.NET_WIRED)
    jittery = ps.judge_echo(_echo(jitter_ms=35, up_jitter_ms=35))
    assert (jittery.level, jittery.advice) == (ps.Level.AMBER, ps.Advice.NET_JITTER)
    far = ps.judge_echo(_echo(rtt_ms=200))
    assert (far.level, far.advice) == (ps.Level.AMBER, ps.Advice.NET_SLOW)
    silent = ps.judge_echo(_echo(received=0, loss_pct=100))
    assert (silent.level, silent.advice) == (ps.Level.RED, ps.Advice.ECHO_SILENT)
    assert ps.judge_echo(None, available=False).advice is ps.Advice.ECHO_UNAVAILABLE


def test_bandwidth_verdict_names_the_direction() -> None:
    steady = _echo()
    ok = ps.judge_bandwidth(ps.BurstFigures(0.5, 0.0, 35, 160), steady)
    assert ok.level is ps.Level.GREEN
    up = ps.judge_bandwidth(ps.BurstFigures(8.0, 0.0, 40, 160), steady)
    assert (up.level, up.advice) == (ps.Level.RED, ps.Advice.BANDWIDTH_UP)
    down = ps.judge_bandwidth(ps.BurstFigures(0.0, 3.0, 40, 160), steady)
    assert (down.level, down.advice) == (ps.Level.AMBER, ps.Advice.BANDWIDTH_DOWN)
    queued = ps.judge_bandwidth(ps.BurstFigures(0.0, 0.0, 230, 160), steady)
    assert queued.level is ps.Level.RED  # the round trip grew by 200 ms: queues filling


def test_other_lines() -> None:
    assert ps.judge_server(None).level is ps.Level.RED
    assert ps.judge_server(80).level is ps.Level.GREEN
    assert ps.judge_server(200).advice is ps.Advice.SERVER_SLOW
    assert ps.judge_clock(0.4).level is ps.Level.GREEN
    assert ps.judge_clock(-30).level is ps.Level.AMBER
    assert ps.judge_clock(600).advice is ps.Advice.CLOCK_OFF
    assert ps.judge_microphone(0.3).level is ps.Level.GREEN
    assert ps.judge_microphone(0.01).advice is ps.Advice.MIC_LOW
    assert ps.judge_microphone(0.0).advice is ps.Advice.MIC_SILENT
    assert ps.judge_microphone(None, present=False).advice is ps.Advice.DEVICE_MISSING
    assert ps.judge_heard(ps.ItemId.RINGER, False).level is ps.Level.RED
    assert ps.judge_sip(True).level is ps.Level.GREEN
    assert ps.judge_sip(False).advice is ps.Advice.SIP_FAILED
    sent = dt.datetime(2026, 12, 2, 8, 0, 0, tzinfo=dt.UTC)
    server = sent + dt.timedelta(seconds=5.05)
    assert ps.clock_offset_s(server, sent, 0.1) == pytest.approx(5.0)


def test_report_round_trip_and_worst_level() -> None:
    at = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
    items = [ps.judge_clock(0.1), ps.judge_echo(_echo()), ps.judge_server(None)]
    report = ps.make_report(items, at)
    assert [i.id for i in report.items] == [ps.ItemId.SERVER, ps.ItemId.ECHO, ps.ItemId.CLOCK]
    assert report.level is ps.Level.RED
    data = json.loads(report.dumps())
    assert data["at"] == "2026-12-02T08:00:00Z"
    assert data["network"]["mos_g722"] == pytest.approx(4.34, abs=0.01)
    back = ps.parse_report(report.dumps())
    assert back.to_json() == report.to_json()  # figures kept to 3 decimals
    for broken in ("{", "[]", '{"version": 1, "at": "x", "items": []}', "\x00"):
        with pytest.raises(ps.MalformedReport):
            ps.parse_report(broken)
