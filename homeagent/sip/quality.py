"""Call-quality figures: RTCP numbers to a MOS estimate with a simplified E-model.

The E-model (ITU-T G.107) rates a call with R = Ro - Is - Id - Ie,eff + A. With default
values Ro - Is = 93.2 and A = 0, only the delay impairment Id and the equipment
impairment Ie,eff (codec + packet loss) remain; R maps to a MOS between 1 and 4.5.
Codec figures come from ITU-T G.113 Appendix I (G.711 with packet-loss concealment:
Ie = 0, Bpl = 25.1). G.722 is scored on the narrowband scale like G.711, which
underestimates it a little: a conservative figure is the useful one for alerting.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeagent.core.events import CallQuality

_R0_MINUS_IS = 93.2


@dataclass(frozen=True, slots=True)
class CodecImpairment:
    ie: float  # equipment impairment with no loss
    bpl: float  # packet-loss robustness
    delay_ms: float  # frame + look-ahead


_CODECS = {
    "pcmu": CodecImpairment(ie=0.0, bpl=25.1, delay_ms=20.0),
    "pcma": CodecImpairment(ie=0.0, bpl=25.1, delay_ms=20.0),
    "g722": CodecImpairment(ie=0.0, bpl=25.1, delay_ms=21.5),
}
_UNKNOWN_CODEC = CodecImpairment(ie=10.0, bpl=10.0, delay_ms=30.0)


def codec_impairment(codec: str) -> CodecImpairment:
    """Figures for a codec name as pjsua2 reports it (``PCMA``, ``G722``…)."""
    return _CODECS.get(codec.lower().split("/", 1)[0], _UNKNOWN_CODEC)


def r_factor(loss_pct: float, jitter_ms: float, rtt_ms: float, codec: str = "PCMA") -> float:
    """The transmission rating R (0..100) for random loss, jitter and round-trip time."""
    imp = codec_impairment(codec)
    loss = min(max(loss_pct, 0.0), 100.0)
    # One-way mouth-to-ear delay: half the RTT, a jitter buffer of twice the jitter, codec.
    delay = max(rtt_ms, 0.0) / 2.0 + 2.0 * max(jitter_ms, 0.0) + imp.delay_ms
    i_d = 0.024 * delay
    if delay > 177.3:
        i_d += 0.11 * (delay - 177.3)
    # Random loss: BurstR = 1.
    ie_eff = imp.ie + (95.0 - imp.ie) * loss / (loss + imp.bpl)
    return min(max(_R0_MINUS_IS - i_d - ie_eff, 0.0), 100.0)


def mos_from_r(r: float) -> float:
    """G.107 mapping of R to an estimated MOS (1.0 .. 4.5)."""
    if r <= 0.0:
        return 1.0
    if r >= 100.0:
        return 4.5
    mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6
    return min(max(mos, 1.0), 4.5)


def estimate_mos(loss_pct: float, jitter_ms: float, rtt_ms: float, codec: str = "PCMA") -> float:
    """MOS estimate (1.0 .. 4.5) from loss, jitter and RTT; rounded to 2 decimals."""
    return round(mos_from_r(r_factor(loss_pct, jitter_ms, rtt_ms, codec)), 2)


def loss_pct(lost: int, received: int) -> float:
    """Share of packets lost, in percent, from RTCP counters (0 when nothing expected)."""
    expected = max(lost, 0) + max(received, 0)
    return 0.0 if expected == 0 else 100.0 * max(lost, 0) / expected


def build_quality(
    *,
    rx_lost: int,
    rx_received: int,
    tx_lost: int,
    tx_sent: int,
    jitter_ms: float,
    rtt_ms: float,
    codec: str,
) -> CallQuality:
    """A :class:`CallQuality` from raw RTCP counters; the MOS uses the worse direction."""
    rx = loss_pct(rx_lost, rx_received)
    tx = loss_pct(tx_lost, tx_sent)
    return CallQuality(
        rx_loss_pct=round(rx, 2),
        tx_loss_pct=round(tx, 2),
        jitter_ms=round(jitter_ms, 2),
        rtt_ms=round(rtt_ms, 2),
        mos=estimate_mos(max(rx, tx), jitter_ms, rtt_ms, codec),
        codec=codec,
    )
