"""Call-quality samples the desk publishes for the team lead's board (Qt-free).

During a call the engine measures the call's quality every 5 s (RTCP: loss, jitter,
round trip, and a MOS estimate, `homeagent.sip.quality`); the desk publishes each sample
(`POST /agents/me/call-quality`, docs/lead-contract.md) and one more, `final`, when the
call ends. A sample is only useful live: it is sent at once or dropped, never queued
for later (the server stamps it on receipt; replayed after an outage it would show the
lead, and the quality alert, a call that ended long ago). `QualityPacer` keeps at most
the newest sample waiting and paces the posts to the server's limit (1 a second).
"""

from __future__ import annotations

from dataclasses import dataclass

from homeagent.core.events import CallQuality

QUALITY_PATH = "/agents/me/call-quality"
MIN_INTERVAL_S = 1.05  # the server answers 429 past 1 a second; a margin for clocks
_MOS = (1.0, 4.5)
_MAX_MS = 60_000.0


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(float(value), low), high)


@dataclass(frozen=True, slots=True)
class QualitySample:
    """One publication: the contract's body, within its ranges."""

    sip_call_id: str
    mos: float
    loss_pct: float
    jitter_ms: float
    rtt_ms: float
    final: bool = False

    @classmethod
    def of(cls, sip_call_id: str, quality: CallQuality, *, final: bool) -> QualitySample | None:
        """The sample of a measurement; None before RTCP gave a figure (MOS 0)."""
        if quality.mos <= 0:
            return None
        return cls(
            sip_call_id=sip_call_id[:255],
            mos=round(_clamp(quality.mos, *_MOS), 2),
            loss_pct=round(_clamp(max(quality.rx_loss_pct, quality.tx_loss_pct), 0, 100), 2),
            jitter_ms=round(_clamp(quality.jitter_ms, 0, _MAX_MS), 2),
            rtt_ms=round(_clamp(quality.rtt_ms, 0, _MAX_MS), 2),
            final=final,
        )

    def to_wire(self) -> dict[str, object]:
        """The body of POST /agents/me/call-quality."""
        return {
            "sip_call_id": self.sip_call_id,
            "mos": self.mos,
            "loss_pct": self.loss_pct,
            "jitter_ms": self.jitter_ms,
            "rtt_ms": self.rtt_ms,
            "final": self.final,
        }


class QualityPacer:
    """Which sample goes next, and when: never two posts within `min_interval_s`.

    At most one periodic sample waits (a newer one replaces it: only the latest is worth
    sending) and one final per call; a call's final replaces its waiting periodic one.
    Finals go first. Times are the caller's monotonic seconds.
    """

    def __init__(self, min_interval_s: float = MIN_INTERVAL_S) -> None:
        self._interval_s = min_interval_s
        self._last_post_s: float | None = None
        self._periodic: QualitySample | None = None
        self._finals: list[QualitySample] = []
        self.dropped = 0  # samples replaced before they could go

    def offer(self, sample: QualitySample) -> None:
        """A new sample to publish."""
        if sample.final:
            if self._periodic is not None and self._periodic.sip_call_id == sample.sip_call_id:
                self._periodic = None
                self.dropped += 1
            self._finals = [f for f in self._finals if f.sip_call_id != sample.sip_call_id]
            self._finals.append(sample)
            return
        if any(f.sip_call_id == sample.sip_call_id for f in self._finals):
            self.dropped += 1
            return  # that call is over: its final says the last word
        if self._periodic is not None:
            self.dropped += 1
        self._periodic = sample

    @property
    def waiting(self) -> bool:
        return self._periodic is not None or bool(self._finals)

    def wait_s(self, now_s: float) -> float:
        """Seconds until the next post may go (0: now)."""
        if self._last_post_s is None:
            return 0.0
        return max(0.0, self._last_post_s + self._interval_s - now_s)

    def take(self, now_s: float) -> QualitySample | None:
        """The sample to post now, if one waits and the pace allows it."""
        if not self.waiting or self.wait_s(now_s) > 0:
            return None
        self._last_post_s = now_s
        if self._finals:
            return self._finals.pop(0)
        sample, self._periodic = self._periodic, None
        return sample

    def posted_at(self, now_s: float) -> None:
        """A post ended at `now_s` (the server counts from its arrival: pace from here)."""
        self._last_post_s = now_s
