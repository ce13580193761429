"""A bounded FIFO of 16-bit mono PCM between two audio clocks that drift apart.

One side writes at its own pace (the sound device, or pjsua2's null-device clock), the
other reads at its pace. What the buffer steers is the *margin*: the audio left in it
after a read (fill before the read minus the read). While the smoothed margin stays
inside [low, high] nothing is touched; outside the band each read drops or repeats one
sample (a 0.3 % speed change at 20 ms reads: far above real clock drift, inaudible on
speech), more the further out (at most 1/32 of a read), until the margin is back at the
target; past a hard limit on the fill, the oldest audio is dropped back to the target
(one glitch instead of a latency that keeps growing). An empty buffer gives silence
and re-primes to the target before playing again, so jitter does not cause a burst of
tiny underruns.

Added latency is about target + half a read + half a write chunk.

Thread safety: one writer thread and one reader thread; a lock guards the bytes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

SAMPLE_BYTES = 2  # 16-bit PCM


@dataclass(frozen=True, slots=True)
class DriftStats:
    """Counters of one buffer, for tests, logs and the benchmark."""

    fill_ms: float  # right now
    avg_margin_ms: float  # smoothed fill left after a read: what the drift control steers
    written_samples: int
    read_samples: int
    dropped_samples: int  # removed by drift control or hard resync or overflow
    inserted_samples: int  # repeated by drift control
    silence_samples: int  # handed out because the buffer was empty (underrun / priming)
    underruns: int
    resyncs: int  # hard drops back to the target


class DriftBuffer:
    """Bounded PCM FIFO with drift control; see the module docstring."""

    def __init__(
        self,
        *,
        rate_hz: int = 16000,
        target_ms: float = 30.0,
        low_ms: float | None = None,
        high_ms: float | None = None,
        hard_ms: float | None = None,
        smoothing: float = 0.05,
    ) -> None:
        if target_ms <= 0:
            raise ValueError("target_ms must be positive")
        self.rate_hz = rate_hz
        per_ms = rate_hz / 1000.0
        self._target = max(1, round(target_ms * per_ms))
        low_ms = target_ms / 2 if low_ms is None else low_ms
        high_ms = target_ms * 2 if high_ms is None else high_ms
        hard_ms = high_ms * 2 + 40.0 if hard_ms is None else hard_ms
        self._low = round(low_ms * per_ms)
        self._high = round(high_ms * per_ms)
        self._hard = round(hard_ms * per_ms)
        if not (0 <= self._low < self._target < self._high < self._hard):
            raise ValueError("need 0 <= low < target < high < hard")
        self._alpha = smoothing
        self._step_per = max(1.0, 10 * per_ms)  # one more sample per read per 10 ms out
        self._correcting = 0  # +1 dropping, -1 repeating, 0 inside the band
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._priming = True
        self._avg = float(self._target)
        self._last_read = round(20 * per_ms)  # until the reader tells us its size
        self._written = 0
        self._read = 0
        self._dropped = 0
        self._inserted = 0
        self._silence = 0
        self._underruns = 0
        self._resyncs = 0

    # -- writer side ---------------------------------------------------------------

    def write(self, pcm: bytes) -> None:
        """Append samples; beyond the hard limit the oldest are dropped."""
        if len(pcm) % SAMPLE_BYTES:
            raise ValueError("PCM length must be a whole number of 16-bit samples")
        with self._lock:
            self._buf += pcm
            self._written += len(pcm) // SAMPLE_BYTES
            excess = len(self._buf) // SAMPLE_BYTES - self._hard
            if excess > 0:
                # Keep the newest: drop back to the target margin plus one read, not just
                # under the limit, so latency returns to where it should be.
                keep = self._target + self._last_read
                cut = (len(self._buf) // SAMPLE_BYTES - keep) * SAMPLE_BYTES
                del self._buf[:cut]
                self._dropped += cut // SAMPLE_BYTES
                self._resyncs += 1
                self._avg = float(self._target)
                self._priming = False

    # -- reader side ---------------------------------------------------------------

    def read(self, n_samples: int) -> bytes:
        """Exactly `n_samples` samples: audio, drift-corrected, or silence when empty."""
        if n_samples <= 0:
            return b""
        want = n_samples * SAMPLE_BYTES
        with self._lock:
            self._last_read = n_samples
            avail = len(self._buf) // SAMPLE_BYTES
            if self._priming:
                if avail < self._target + n_samples:
                    self._silence += n_samples
                    return bytes(want)
                self._priming = False
                self._avg = float(avail - n_samples)
            if avail < n_samples:
                out = bytes(self._buf) + bytes(want - len(self._buf))
                self._buf.clear()
                self._read += avail
                self._silence += n_samples - avail
                self._underruns += 1
                self._priming = True
                return out
            self._avg += self._alpha * (avail - n_samples - self._avg)
            # One sample per read just outside the band (slow drift); more, up to 1/32 of
            # the read, the further out it is (a start-up burst converges in ~1 s).
            # Leaving the band starts a correction that goes on until the target is
            # reached again (hysteresis), so latency settles at the target, not at an edge.
            max_step = max(1, n_samples // 32)
            if self._avg > self._high:
                self._correcting = 1
            elif self._avg < self._low:
                self._correcting = -1
            elif (self._correcting > 0 and self._avg <= self._target) or (
                self._correcting < 0 and self._avg >= self._target
            ):
                self._correcting = 0
            take = n_samples
            if self._correcting > 0 and avail > n_samples:
                step = 1 + int(max(0.0, self._avg - self._high) / self._step_per)
                take = n_samples + min(step, max_step, avail - n_samples)
            elif self._correcting < 0 and n_samples > 2:
                step = 1 + int(max(0.0, self._low - self._avg) / self._step_per)
                take = n_samples - min(step, max_step)
            chunk = bytes(self._buf[: take * SAMPLE_BYTES])
            del self._buf[: take * SAMPLE_BYTES]
            self._read += take
            if take > n_samples:
                self._dropped += take - n_samples
            else:
                self._inserted += n_samples - take
        if take != n_samples:
            return _stretch(chunk, n_samples)
        return chunk

    def clear(self) -> None:
        """Forget the buffered audio and re-prime (a new call, a new device)."""
        with self._lock:
            self._buf.clear()
            self._priming = True
            self._correcting = 0
            self._avg = float(self._target)

    # -- figures ---------------------------------------------------------------------

    @property
    def fill_samples(self) -> int:
        with self._lock:
            return len(self._buf) // SAMPLE_BYTES

    def stats(self) -> DriftStats:
        with self._lock:
            per_ms = self.rate_hz / 1000.0
            return DriftStats(
                fill_ms=len(self._buf) / SAMPLE_BYTES / per_ms,
                avg_margin_ms=self._avg / per_ms,
                written_samples=self._written,
                read_samples=self._read,
                dropped_samples=self._dropped,
                inserted_samples=self._inserted,
                silence_samples=self._silence,
                underruns=self._underruns,
                resyncs=self._resyncs,
            )


def _stretch(chunk: bytes, n_samples: int) -> bytes:
    """Drop or repeat samples spread evenly so `chunk` becomes `n_samples` long."""
    have = len(chunk) // SAMPLE_BYTES
    diff = have - n_samples
    k = abs(diff)
    parts: list[bytes] = []
    pos = 0
    for i in range(1, k + 1):
        cut = (i * have // (k + 1)) * SAMPLE_BYTES  # evenly spaced points in the chunk
        if diff > 0:  # drop the sample at `cut`
            parts.append(chunk[pos:cut])
            pos = cut + SAMPLE_BYTES
        else:  # repeat the sample at `cut`
            parts.append(chunk[pos : cut + SAMPLE_BYTES])
            pos = cut
    parts.append(chunk[pos:])
    return b"".join(parts)
