"""Pure-Python signal helpers: levels, tones, channel and rate conversion."""

from __future__ import annotations

import random
from array import array

import pytest

from homeagent.sip.audio import dsp


def test_peak_level_of_silence_full_scale_and_half() -> None:
    assert dsp.peak_level(bytes(640)) == 0.0
    assert dsp.peak_level(array("h", [0, -32768, 5]).tobytes()) == 1.0
    assert dsp.peak_level(array("h", [16384, -100]).tobytes()) == pytest.approx(0.5)
    assert dsp.peak_level(b"") == 0.0


def test_tone_has_its_frequency_and_amplitude() -> None:
    pcm = dsp.tone(1000, 0.5, rate_hz=16000, amplitude=0.5)
    assert len(pcm) == 2 * 8000
    assert dsp.peak_level(pcm) == pytest.approx(0.5, abs=0.01)
    assert dsp.dominant_frequency(pcm, 16000) == 1000.0


def test_ring_pattern_alternates_tone_and_silence() -> None:
    cycle = dsp.ring_pattern(rate_hz=16000, cadence_s=(0.5, 0.5))
    on, off = cycle[: 2 * 8000], cycle[2 * 8000 :]
    assert dsp.peak_level(on) > 0.3
    assert dsp.peak_level(off) == 0.0
    assert dsp.dominant_frequency(on, 16000, range(300, 700, 20)) in (440.0, 480.0)


@pytest.mark.parametrize(("src", "dst"), [(48000, 16000), (16000, 48000), (44100, 16000)])
def test_resampler_keeps_frequency_and_length(src: int, dst: int) -> None:
    pcm = dsp.tone(1000, 1.0, rate_hz=src)
    r = dsp.Resampler(src, dst)
    chunk = 2 * (src // 50)  # 20 ms chunks, streamed
    out = b"".join(r.process(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk))
    assert abs(len(out) // 2 - dst) <= 3
    assert dsp.dominant_frequency(out, dst, range(500, 1501, 10)) == 1000.0


def test_resampler_attenuates_what_would_alias() -> None:
    # 7 kHz at 48 kHz folds to 9 kHz -> 7 kHz at 16 kHz if not filtered; it must be weaker.
    pcm = dsp.tone(7000, 0.5, rate_hz=48000)
    out = dsp.Resampler(48000, 16000).process(pcm)
    assert dsp.peak_level(out) < 0.5 * dsp.peak_level(pcm)


def test_channel_conversion() -> None:
    stereo = array("h", [1, -1, 2, -2, 3, -3]).tobytes()
    assert dsp.to_mono(stereo, 2) == array("h", [1, 2, 3]).tobytes()
    assert dsp.from_mono(array("h", [5, 6]).tobytes(), 2) == array("h", [5, 5, 6, 6]).tobytes()
    assert dsp.to_mono(b"ab", 1) == b"ab"


def _reference_decimation(samples: list[int], taps: list[float], factor: int) -> list[int]:
    ints = [round(t * 2**13) for t in taps]
    padded = [0] * (len(ints) - 1) + samples
    return [
        max(-32768, min(32767, (sum(c * padded[i - k] for k, c in enumerate(ints)) + 4096) >> 13))
        for i in range(len(ints) - 1, len(padded), factor)
    ]


@pytest.mark.parametrize("factor", [2, 3])
def test_decimator_is_exactly_the_fir_whatever_the_block_sizes(factor: int) -> None:
    rng = random.Random(7)
    x = [rng.randint(-20000, 20000) for _ in range(6000)]
    x[1000], x[1001], x[3000] = 32767, -32768, 32767  # loud enough to clip: the slow path
    dec = dsp.Decimator(factor, in_rate_hz=16000 * factor)
    sizes = [300, 1024, 7, 1, 2048, 513, 0]
    out, pos, i = b"", 0, 0
    while pos < len(x):
        n = sizes[i % len(sizes)]
        i += 1
        out += dec.process(array("h", x[pos : pos + n]).tobytes())
        pos += n
    got = array("h")
    got.frombytes(out)
    taps = dsp.lowpass_taps(36, 0.475 * 16000, 16000 * factor)
    assert list(got) == _reference_decimation(x, taps, factor)


def test_decimator_passes_speech_band_and_stops_aliases() -> None:
    def level(freq: float) -> float:
        dec = dsp.Decimator(3)
        out = dec.process(dsp.tone(freq, 0.5, rate_hz=48000, amplitude=0.5))
        return dsp.goertzel_power(out[2000:], freq if freq < 8000 else 16000 - freq, 16000)

    ref = level(1000)
    for f in (300, 3000, 5000, 6000):
        assert level(f) > ref * 10 ** (-1.0 / 10), f"{f} Hz cut by more than 1 dB"
    assert level(7000) > ref * 10 ** (-3.5 / 10)
    assert level(11000) < ref * 10 ** (-40 / 10), "11 kHz aliases to 5 kHz"
