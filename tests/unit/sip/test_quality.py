"""E-model MOS estimate and RTCP figures."""

from __future__ import annotations

import pytest

from homeagent.sip.quality import build_quality, estimate_mos, loss_pct, mos_from_r, r_factor


def test_clean_lan_call_scores_about_4_4() -> None:
    assert 4.3 <= estimate_mos(0.0, 1.0, 1.0, "PCMA") <= 4.45


def test_mos_falls_with_each_impairment() -> None:
    base = estimate_mos(0, 5, 40)
    assert estimate_mos(2, 5, 40) < base
    assert estimate_mos(0, 60, 40) < base
    assert estimate_mos(0, 5, 600) < base
    assert estimate_mos(10, 5, 40) < estimate_mos(2, 5, 40)


def test_known_reference_points() -> None:
    # G.711 with PLC, 5 % random loss: Ie,eff = 95*5/(5+25.1) = 15.8
    r = r_factor(5.0, 0.0, 0.0, "PCMU")
    assert r == pytest.approx(93.2 - 0.024 * 20 - 95 * 5 / 30.1, abs=0.01)
    # the G.107 R -> MOS mapping at R = 50 and R = 93.2
    assert mos_from_r(50) == pytest.approx(1 + 0.035 * 50 + 50 * -10 * 50 * 7e-6)
    assert mos_from_r(93.2) == pytest.approx(4.41, abs=0.01)


def test_bounds() -> None:
    assert mos_from_r(-5) == 1.0
    assert mos_from_r(150) == 4.5
    assert estimate_mos(100, 1000, 10000) == 1.0
    assert 1.0 <= estimate_mos(-3, -1, -1) <= 4.5


def test_unknown_codec_is_scored_worse_than_g711() -> None:
    assert estimate_mos(1, 5, 20, "GSM") < estimate_mos(1, 5, 20, "PCMA")


def test_loss_pct() -> None:
    assert loss_pct(0, 0) == 0.0
    assert loss_pct(5, 95) == 5.0
    assert loss_pct(-1, 10) == 0.0


def test_build_quality_uses_the_worse_direction() -> None:
    quality = build_quality(
        rx_lost=0, rx_received=1000, tx_lost=100, tx_sent=900, jitter_ms=3.456, rtt_ms=20,
        codec="G722",
    )  # fmt: skip
    assert quality.rx_loss_pct == 0.0
    assert quality.tx_loss_pct == 10.0
    assert quality.jitter_ms == 3.46
    assert quality.codec == "G722"
    assert quality.mos == estimate_mos(10.0, 3.456, 20, "G722")
