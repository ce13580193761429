"""Small pure-Python signal helpers for 16-bit PCM: tones, levels, channel and rate conversion.

numpy is not a dependency; these run on a few hundred samples at a time, using `array`
and builtins (`max`, `min`, slicing) that do the per-sample work in C where possible.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable, Sequence

_INT16_MAX = 32767


def _samples(pcm: bytes) -> array:
    a = array("h")
    a.frombytes(pcm)
    if sys.byteorder != "little":  # PCM on the wire and in Qt/pjsua2 is little-endian
        a.byteswap()
    return a


def _pcm(samples: array) -> bytes:
    if sys.byteorder != "little":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def peak_level(pcm: bytes) -> float:
    """Peak of 16-bit PCM as 0.0 .. 1.0."""
    if len(pcm) < 2:
        return 0.0
    a = _samples(pcm[: len(pcm) - len(pcm) % 2])
    peak: int = max(max(a), -min(a))
    return min(1.0, peak / 32768.0)


def tone(
    freq_hz: float | Sequence[float],
    duration_s: float,
    *,
    rate_hz: int = 16000,
    amplitude: float = 0.3,
    fade_ms: float = 5.0,
) -> bytes:
    """A sine (or a sum of sines, equal parts) as 16-bit mono PCM, with short fades."""
    freqs = [float(freq_hz)] if isinstance(freq_hz, int | float) else [float(f) for f in freq_hz]
    n = round(duration_s * rate_hz)
    fade = min(n // 2, round(fade_ms * rate_hz / 1000))
    scale = amplitude * _INT16_MAX / len(freqs)
    steps = [2 * math.pi * f / rate_hz for f in freqs]
    out = array("h", bytes(2 * n))
    for i in range(n):
        v = sum(math.sin(s * i) for s in steps) * scale
        if i < fade:
            v *= i / fade
        elif i >= n - fade:
            v *= (n - 1 - i) / fade
        out[i] = round(v)
    return _pcm(out)


def silence(duration_s: float, *, rate_hz: int = 16000) -> bytes:
    return bytes(2 * round(duration_s * rate_hz))


def ring_pattern(
    *,
    rate_hz: int = 16000,
    freqs_hz: Sequence[float] = (440.0, 480.0),
    cadence_s: Iterable[float] = (0.4, 0.2, 0.4, 2.0),
    amplitude: float = 0.5,
) -> bytes:
    """One cycle of a ring: tone, pause, tone, pause… (cadence alternates on/off)."""
    parts: list[bytes] = []
    for i, seconds in enumerate(cadence_s):
        if i % 2 == 0:
            parts.append(tone(freqs_hz, seconds, rate_hz=rate_hz, amplitude=amplitude))
        else:
            parts.append(silence(seconds, rate_hz=rate_hz))
    return b"".join(parts)


def goertzel_power(pcm: bytes, freq_hz: float, rate_hz: int) -> float:
    """Normalised power of one frequency in 16-bit mono PCM (Goertzel)."""
    a = _samples(pcm)
    n = len(a)
    if n == 0:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * freq_hz / rate_hz)
    s1 = s2 = 0.0
    for x in a:
        s0 = x + coeff * s1 - s2
        s2 = s1
        s1 = s0
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return power / (n * n)


def dominant_frequency(
    pcm: bytes, rate_hz: int, candidates_hz: Iterable[float] = range(100, 4001, 50)
) -> float:
    """The candidate frequency with the most energy in the signal."""
    best_f, best_p = 0.0, -1.0
    for f in candidates_hz:
        p = goertzel_power(pcm, float(f), rate_hz)
        if p > best_p:
            best_f, best_p = float(f), p
    return best_f


def to_mono(pcm: bytes, channels: int) -> bytes:
    """Interleaved 16-bit PCM with `channels` channels -> mono (the first channel).

    A headset microphone is mono even when the device reports two channels; taking one
    channel avoids a per-sample Python loop.
    """
    if channels == 1:
        return pcm
    a = _samples(pcm[: len(pcm) - len(pcm) % (2 * channels)])
    return _pcm(a[::channels])


def from_mono(pcm: bytes, channels: int) -> bytes:
    """Mono 16-bit PCM -> the same signal on every one of `channels` interleaved channels."""
    if channels == 1:
        return pcm
    a = _samples(pcm)
    out = array("h", bytes(2 * len(a) * channels))
    for c in range(channels):
        out[c::channels] = a
    return _pcm(out)


class Resampler:
    """Streaming linear-interpolation resampler for 16-bit mono PCM.

    Used only when a device refuses 16 kHz (PulseAudio accepts it and resamples itself).
    When decimating, a moving average over twice the ratio first removes most of what
    would alias (its first zero sits on the output's Nyquist frequency); about -2 dB at
    3 kHz: telephone-grade, which is what the codecs carry anyway.
    """

    def __init__(self, in_rate_hz: int, out_rate_hz: int) -> None:
        if in_rate_hz <= 0 or out_rate_hz <= 0:
            raise ValueError("rates must be positive")
        self.in_rate_hz = in_rate_hz
        self.out_rate_hz = out_rate_hz
        self._step = in_rate_hz / out_rate_hz
        self._taps = 2 * round(self._step) if self._step > 1.5 else 1
        self._pos = 0.0  # position of the next output sample, in input samples
        self._tail: list[int] = []  # input samples kept from the previous chunk
        self._hist: list[int] = []  # pre-filter history

    def process(self, pcm: bytes) -> bytes:
        if self.in_rate_hz == self.out_rate_hz:
            return pcm
        x = list(_samples(pcm))
        if self._taps > 1:
            x = self._smooth(x)
        data = self._tail + x
        out = array("h")
        pos = self._pos
        step = self._step
        last = len(data) - 1
        while pos < last:
            i = int(pos)
            frac = pos - i
            a = data[i]
            out.append(round(a + (data[i + 1] - a) * frac))
            pos += step
        keep = min(int(pos), len(data))
        self._tail = data[keep:]
        self._pos = pos - keep
        return _pcm(out)

    def _smooth(self, x: list[int]) -> list[int]:
        taps = self._taps
        hist = self._hist + x
        out: list[int] = []
        acc = sum(self._hist)  # at most taps - 1 samples from the previous chunk
        start = len(self._hist)
        for i in range(start, len(hist)):
            acc += hist[i]
            j = i - taps
            if j >= 0:
                acc -= hist[j]
            out.append(acc // taps)
        self._hist = hist[-(taps - 1) :]
        return out
