"""A bounded FIFO of 16-bit mono PCM between two audio clocks that drift apart.

One side writes at its own pace (the sound device, or pjsua2's null-device clock), the
other reads at its pace. What the buffer steers is its *time-averaged fill*: the latency
it adds. (The fill seen right after a read jumps by a whole write chunk whenever a write
lands just before instead of just after a read; the time average does not.) Measured on
the tests' virtual devices (`benchmarks/audio_bridge.py`), the two clocks agree within
~50 ppm but each side is bursty (the speaker takes 15-20 ms more now and then, pjmedia's
clock catches up after a stall): so a slow loop, never a reaction to one read.

Drift control is a PI controller (integrated in audio time; the averaging runs on an
injectable clock, so simulations are exact): the smoothed fill's error from the target
drives a rate correction `ratio_ppm` (proportional part plus an integrator that converges
on the real clock drift, capped at 1 %). Its fractional samples accumulate; each whole
sample becomes one *slip*: the read takes one sample more (or less) than it hands out,
and the frame is resampled around the slip by a short crossfade with itself shifted by
one sample (linear interpolation over 4 ms: a 1.6 % rate change for 4 ms, no
discontinuity). 1,000 ppm of drift is 16 slips a second at 16 kHz.

Hard cases: before the reader has started (priming) only the newest audio is kept, so a
speaker that opens late does not start with the backlog (counted `discarded`); past the
hard limit while playing, the buffer jumps back to the target with a crossfade across the
cut (counted in `dropped` and `resyncs`); an empty buffer gives silence and re-primes to
the target before playing again, so jitter does not cause a burst of tiny underruns.

Added latency is the target (the mean fill), measured as `avg_fill_ms`. The target
adapts like a jitter buffer's: each underrun while playing raises it by 10 ms (up to
`max_target_ms`), and every 30 s without one lowers it by 5 ms back towards the
configured value, so a quiet PC keeps the low latency and a loaded one stops clicking.

Thread safety: one writer thread and one reader thread; a lock guards the bytes.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from operator import add, mul, rshift, sub

SAMPLE_BYTES = 2  # 16-bit PCM

# PI controller (audio time). Kp: 10 ms off target -> 0.25 % faster; Ki: critically
# damped with Kp (natural frequency 0.125 rad/s): 1,000 ppm of drift settles in ~40 s
# and moves the fill by a few ms at most.
KP_PER_S = 0.25
KI_PER_S2 = 0.0156
MAX_RATIO = 0.01  # 1 %: 17 cents, and only while far from the target
MAX_INTEGRATOR = 0.005  # the drift estimate: 5,000 ppm is beyond any real device
SMOOTHING_S = 0.5  # time constant of the fill average
WARMUP_S = 2.0  # after (re)priming, the integrator waits for the average to settle
SLIP_WINDOW_MS = 4.0  # crossfade length around one slip
RESYNC_FADE_MS = 5.0
UNDERRUN_STEP_MS = 10.0  # target raised per underrun while playing
RELAX_AFTER_S = 30.0  # without underruns, the target comes back down by...
RELAX_STEP_MS = 5.0


@dataclass(frozen=True, slots=True)
class DriftStats:
    """Counters of one buffer, for tests, logs and the benchmark."""

    fill_ms: float  # right now
    avg_fill_ms: float  # time-averaged fill: the latency added, what the control steers
    written_samples: int
    read_samples: int  # taken out of the buffer (output minus silence, plus slips' net)
    dropped_samples: int  # removed by a hard resync or an overflow while playing
    discarded_samples: int  # older audio thrown away before the reader started (priming)
    silence_samples: int  # handed out because the buffer was empty (underrun / priming)
    underruns: int
    resyncs: int  # hard jumps back to the target
    corrections: int  # slips: one-sample rate corrections, each spread over a crossfade
    skipped_samples: int  # samples absorbed by playing faster (writer fast)
    stretched_samples: int  # samples added by playing slower (writer slow)
    ratio_ppm: float  # the current rate correction (+: consuming faster than reading)
    drift_ppm: float  # the integrator: the controller's estimate of the clock drift
    target_ms: float  # the mean fill steered to now (raised by underruns, then relaxed)


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
        smoothing_s: float = SMOOTHING_S,
        max_target_ms: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if target_ms <= 0:
            raise ValueError("target_ms must be positive")
        self.rate_hz = rate_hz
        per_ms = rate_hz / 1000.0
        self._per_ms = per_ms
        self._target = max(1, round(target_ms * per_ms))
        self._base_target = self._target
        # low/high: the band the fill normally stays in; the controller steers to the
        # target continuously, and only `hard` changes behaviour.
        low_ms = target_ms / 2 if low_ms is None else low_ms
        high_ms = target_ms * 2 if high_ms is None else high_ms
        hard_ms = high_ms * 2 + 40.0 if hard_ms is None else hard_ms
        self._low = round(low_ms * per_ms)
        self._high = round(high_ms * per_ms)
        self._hard = round(hard_ms * per_ms)
        if not (0 <= self._low < self._target < self._high < self._hard):
            raise ValueError("need 0 <= low < target < high < hard")
        max_target_ms = target_ms + 60.0 if max_target_ms is None else max_target_ms
        self._max_target = max(self._target, min(round(max_target_ms * per_ms), self._hard // 2))
        self._step = round(UNDERRUN_STEP_MS * per_ms)
        self._relax_step = round(RELAX_STEP_MS * per_ms)
        self._relax_after = round(RELAX_AFTER_S * rate_hz)
        self._clean = 0  # samples played since the last underrun or relaxation
        self._cap = max(self._hard * 4, round(1000 * per_ms))  # memory bound: a stalled reader
        self._smoothing_s = smoothing_s
        self._clock = clock
        self._t_last = clock()
        self._slip_window = max(2, round(SLIP_WINDOW_MS * per_ms))
        self._fade = max(2, round(RESYNC_FADE_MS * per_ms))
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._priming = True
        self._avg = float(self._target)
        self._integ = 0.0
        self._ratio = 0.0
        self._debt = 0.0  # fractional samples owed by the rate correction
        self._warmup = 0  # samples to read before the integrator learns again
        self._last_read = round(20 * per_ms)  # until the reader tells us its size
        self._written = 0
        self._read = 0
        self._dropped = 0
        self._discarded = 0
        self._silence = 0
        self._underruns = 0
        self._resyncs = 0
        self._corrections = 0
        self._skipped = 0
        self._stretched = 0

    # -- writer side ---------------------------------------------------------------

    def write(self, pcm: bytes) -> None:
        """Append samples. Before the reader starts only the newest audio is kept."""
        if len(pcm) % SAMPLE_BYTES:
            raise ValueError("PCM length must be a whole number of 16-bit samples")
        with self._lock:
            self._average()
            self._buf += pcm
            self._written += len(pcm) // SAMPLE_BYTES
            fill = len(self._buf) // SAMPLE_BYTES
            keep = self._target + self._last_read
            if self._priming and fill > keep + self._last_read:
                # Nothing is playing yet: the oldest audio would only be latency.
                cut = fill - keep
                del self._buf[: cut * SAMPLE_BYTES]
                self._discarded += cut
            elif fill > self._cap:
                cut = fill - keep
                del self._buf[: cut * SAMPLE_BYTES]
                self._dropped += cut
                self._resyncs += 1

    def _average(self) -> None:
        """Fold the fill since the last event into the time average (lock held)."""
        now = self._clock()
        dt = now - self._t_last
        self._t_last = now
        if dt > 0 and not self._priming:
            fill = len(self._buf) // SAMPLE_BYTES
            self._avg += (1.0 - math.exp(-dt / self._smoothing_s)) * (fill - self._avg)

    # -- reader side ---------------------------------------------------------------

    def read(self, n_samples: int) -> bytes:
        """Exactly `n_samples` samples: audio, drift-corrected, or silence when empty."""
        if n_samples <= 0:
            return b""
        want = n_samples * SAMPLE_BYTES
        with self._lock:
            self._average()
            self._last_read = n_samples
            avail = len(self._buf) // SAMPLE_BYTES
            if self._priming:
                # Start when what is left after this read, plus what arrives until the
                # next, averages about the target.
                start = self._target + n_samples // 2
                if avail < start:
                    self._silence += n_samples
                    return bytes(want)
                if avail > start:  # nothing has played yet: trim to the exact start level
                    del self._buf[: (avail - start) * SAMPLE_BYTES]
                    self._discarded += avail - start
                    avail = start
                self._priming = False
                self._avg = float(self._target)
                self._warmup = round(WARMUP_S * self.rate_hz)
            if avail < n_samples:
                out = bytes(self._buf) + bytes(want - len(self._buf))
                self._buf.clear()
                self._read += avail
                self._silence += n_samples - avail
                self._underruns += 1
                self._priming = True
                self._debt = 0.0
                self._target = min(self._max_target, self._target + self._step)
                self._clean = 0
                return out
            if avail - n_samples > self._hard:
                return self._resync(n_samples, avail)
            take = n_samples + self._control(n_samples, avail)
            chunk = bytes(self._buf[: take * SAMPLE_BYTES])
            del self._buf[: take * SAMPLE_BYTES]
            self._read += take
        if take != n_samples:
            return slip(chunk, n_samples, self._slip_window)
        return chunk

    def _control(self, n: int, avail: int) -> int:
        """One step of the PI controller; the whole samples to slip on this read (lock held)."""
        dt = n / self.rate_hz
        self._clean += n
        if self._clean >= self._relax_after:
            self._clean = 0
            self._target = max(self._base_target, self._target - self._relax_step)
        err_s = (self._avg - self._target) / self.rate_hz
        if self._warmup > 0:  # the average is still settling: no drift learnt from it
            self._warmup -= n
        else:
            self._integ = max(
                -MAX_INTEGRATOR, min(MAX_INTEGRATOR, self._integ + KI_PER_S2 * err_s * dt)
            )
        self._ratio = max(-MAX_RATIO, min(MAX_RATIO, KP_PER_S * err_s + self._integ))
        self._debt += self._ratio * n
        k = int(self._debt)  # toward zero
        if k == 0:
            return 0
        limit = max(1, n // 32)  # never more than 3 % in one read
        k = max(-limit, min(limit, k, avail - n))
        if k == 0 or (k < 0 and n < 2 * self._slip_window):
            return 0  # nothing to spare, or too short a read to stretch smoothly: later
        self._debt -= k
        self._corrections += abs(k)
        if k > 0:
            self._skipped += k
        else:
            self._stretched -= k
        return k

    def _resync(self, n: int, avail: int) -> bytes:
        """Jump back to the target with a crossfade across the cut (lock held)."""
        cut = avail - (self._target + n)
        fade = min(self._fade, n)
        old = _samples(bytes(self._buf[: fade * SAMPLE_BYTES]))
        new = _samples(bytes(self._buf[cut * SAMPLE_BYTES : (cut + n) * SAMPLE_BYTES]))
        del self._buf[: (cut + n) * SAMPLE_BYTES]
        self._read += cut + n
        self._dropped += cut
        self._resyncs += 1
        self._avg = float(self._target)
        self._debt = 0.0
        head = crossfade(old, new[:fade])
        return _pcm(head + new[fade:])

    def clear(self) -> None:
        """Forget the buffered audio and re-prime (a new call, a new device).

        The drift estimate is kept: the same two clocks are still there.
        """
        with self._lock:
            self._buf.clear()
            self._priming = True
            self._avg = float(self._target)
            self._debt = 0.0

    # -- figures ---------------------------------------------------------------------

    @property
    def fill_samples(self) -> int:
        with self._lock:
            return len(self._buf) // SAMPLE_BYTES

    def stats(self) -> DriftStats:
        with self._lock:
            per_ms = self._per_ms
            return DriftStats(
                fill_ms=len(self._buf) / SAMPLE_BYTES / per_ms,
                avg_fill_ms=self._avg / per_ms,
                written_samples=self._written,
                read_samples=self._read,
                dropped_samples=self._dropped,
                discarded_samples=self._discarded,
                silence_samples=self._silence,
                underruns=self._underruns,
                resyncs=self._resyncs,
                corrections=self._corrections,
                skipped_samples=self._skipped,
                stretched_samples=self._stretched,
                ratio_ppm=self._ratio * 1e6,
                drift_ppm=self._integ * 1e6,
                target_ms=self._target / per_ms,
            )


def _samples(pcm: bytes) -> array:
    a = array("h")
    a.frombytes(pcm)
    if sys.byteorder != "little":  # PCM in Qt and pjsua2 is little-endian
        a.byteswap()
    return a


def _pcm(samples: array) -> bytes:
    if sys.byteorder != "little":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


_RAMPS: dict[int, list[int]] = {}


def crossfade(a: array, b: array) -> array:
    """`a` fading into `b` (same length) with a linear ramp; per-sample work in C (`map`)."""
    w = len(a)
    ramp = _RAMPS.get(w)
    if ramp is None:
        ramp = _RAMPS[w] = [((j + 1) << 15) // (w + 1) for j in range(w)]
    return array("h", map(add, a, map(rshift, map(mul, map(sub, b, a), ramp), repeat(15))))


def slip(chunk: bytes, n_samples: int, window: int) -> bytes:
    """Resample `chunk` (n_samples ± k samples) to `n_samples` with k one-sample slips.

    Each slip is a crossfade of `window` samples between the signal and itself shifted by
    one sample (linear interpolation at a rate of 1 ± 1/window), spread evenly over the
    frame: no discontinuity, and the rest of the frame is copied untouched.
    """
    x = _samples(chunk)
    k = len(x) - n_samples
    if k == 0:
        return chunk
    m = abs(k)
    seg = n_samples // m
    w = max(1, min(window, seg - 1))
    out = array("h")
    src = 0
    for s in range(m):
        o_len = seg if s < m - 1 else n_samples - seg * (m - 1)
        a = x[src : src + w]
        if k > 0:  # drop: fade into the signal one sample ahead
            b = x[src + 1 : src + 1 + w]
            after = src + 1 + w
        else:  # repeat: fade into the signal one sample behind
            b = x[src - 1 : src - 1 + w] if src else x[:1] + x[: w - 1]
            after = src - 1 + w
        out += crossfade(a, b)
        plain = o_len - w
        out += x[after : after + plain]
        src = after + plain
    return _pcm(out)
