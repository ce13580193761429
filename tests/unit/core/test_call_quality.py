"""Call-quality samples for the lead's board: within the contract's ranges, paced to the
server's limit (1 a second), the newest kept, a call's final never lost to a periodic one."""

from __future__ import annotations

from homeagent.core.call_quality import MIN_INTERVAL_S, QualityPacer, QualitySample
from homeagent.core.events import CallQuality


def _q(mos: float = 4.2, **kw: float) -> CallQuality:
    return CallQuality(mos=mos, **kw)


def test_a_sample_keeps_the_worse_direction_and_the_contract_ranges() -> None:
    sample = QualitySample.of(
        "abc@host",
        _q(4.6, rx_loss_pct=1.5, tx_loss_pct=3.25, jitter_ms=90_000, rtt_ms=-2),
        final=True,
    )
    assert sample is not None
    assert sample.to_wire() == {
        "sip_call_id": "abc@host", "mos": 4.5, "loss_pct": 3.25, "jitter_ms": 60_000.0,
        "rtt_ms": 0.0, "final": True,
    }  # fmt: skip


def test_no_sample_before_rtcp_gave_a_figure() -> None:
    assert QualitySample.of("x", _q(0.0), final=False) is None


def _sample(call: str = "a", mos: float = 4.0, final: bool = False) -> QualitySample:
    return QualitySample(call, mos, 0.0, 0.0, 0.0, final)


def test_never_two_posts_within_the_interval_and_the_newest_wins() -> None:
    pacer = QualityPacer()
    pacer.offer(_sample(mos=4.0))
    assert pacer.take(10.0) == _sample(mos=4.0)
    pacer.offer(_sample(mos=3.9))
    pacer.offer(_sample(mos=3.5))  # replaces the waiting one
    assert pacer.take(10.5) is None  # too soon
    assert 0 < pacer.wait_s(10.5) <= MIN_INTERVAL_S
    assert pacer.take(10.0 + MIN_INTERVAL_S) == _sample(mos=3.5)
    assert pacer.dropped == 1
    assert not pacer.waiting


def test_a_call_s_final_replaces_its_periodic_sample_and_goes_first() -> None:
    pacer = QualityPacer()
    pacer.take(0.0)
    pacer.offer(_sample("a", 4.1))
    pacer.offer(_sample("b", 4.0))  # the next call's first sample
    pacer.offer(_sample("a", 3.0, final=True))
    pacer.offer(_sample("a", 4.4))  # late periodic of a call that is over: ignored
    now = 100.0
    assert pacer.take(now) == _sample("a", 3.0, final=True)
    assert pacer.take(now + MIN_INTERVAL_S) == _sample("b", 4.0)
    assert pacer.take(now + 3 * MIN_INTERVAL_S) is None
