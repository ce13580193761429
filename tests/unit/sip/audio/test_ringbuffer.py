"""DriftBuffer between simulated clocks: drift absorbed, latency bounded, silence on underrun."""

from __future__ import annotations

import heapq
from array import array
from dataclasses import dataclass

import pytest

from homeagent.sip.audio.dsp import dominant_frequency, tone
from homeagent.sip.audio.ringbuffer import DriftBuffer

RATE = 16000


@dataclass
class Run:
    fills_ms: list[tuple[float, float]]  # (time s, fill ms) sampled at each read
    underruns_after_start: int
    buf: DriftBuffer


def simulate(
    buf: DriftBuffer,
    *,
    seconds: float,
    writer_ppm: float = 0.0,
    writer_chunk: int = 160,
    reader_chunk: int = 320,
    writer_burst: int = 1,
) -> Run:
    """Writer and reader on two clocks; the writer's runs `writer_ppm` fast (or slow).

    `writer_burst` > 1 delivers that many chunks at once (a device with a coarse period).
    """
    w_period = writer_chunk * writer_burst / (RATE * (1 + writer_ppm / 1e6))
    r_period = reader_chunk / RATE
    queue: list[tuple[float, int, str]] = [(0.0, 0, "w"), (r_period / 2, 1, "r")]
    seq = 2
    fills: list[tuple[float, float]] = []
    underruns_at_start = None
    chunk = bytes(2 * writer_chunk * writer_burst)
    while queue:
        t, _, who = heapq.heappop(queue)
        if t > seconds:
            break
        if who == "w":
            buf.write(chunk)
            heapq.heappush(queue, (t + w_period, seq, "w"))
        else:
            out = buf.read(reader_chunk)
            assert len(out) == 2 * reader_chunk
            if underruns_at_start is None and t > 1.0:
                underruns_at_start = buf.stats().underruns
            fills.append((t, buf.fill_samples / RATE * 1000))
            heapq.heappush(queue, (t + r_period, seq, "r"))
        seq += 1
    return Run(fills, buf.stats().underruns - (underruns_at_start or 0), buf)


def mean_fill(run: Run, start_s: float, end_s: float) -> float:
    vals = [f for t, f in run.fills_ms if start_s <= t < end_s]
    return sum(vals) / len(vals)


def test_equal_clocks_neither_drop_nor_insert() -> None:
    run = simulate(DriftBuffer(target_ms=30), seconds=60)
    stats = run.buf.stats()
    assert stats.dropped_samples == 0
    assert stats.inserted_samples == 0
    assert run.underruns_after_start == 0
    assert 15 <= mean_fill(run, 10, 60) <= 60


@pytest.mark.parametrize("ppm", [300.0, 1000.0, -300.0, -1000.0])
def test_drift_is_absorbed_without_latency_growing(ppm: float) -> None:
    # 10 minutes of a call: without control, 1000 ppm would add 600 ms of latency.
    run = simulate(DriftBuffer(target_ms=30), seconds=600, writer_ppm=ppm)
    stats = run.buf.stats()
    late = mean_fill(run, 540, 600)
    # Margin band is 15..60 ms; after a read, fill is the margin (plus a write chunk).
    assert 5 <= late <= 75, f"latency drifted to {late:.1f} ms"
    assert max(f for t, f in run.fills_ms if t > 5) <= 80
    assert stats.resyncs == 0, "drift should be handled smoothly, not by hard drops"
    assert run.underruns_after_start == 0
    # The control removed (or added) as many samples as the clocks disagree by, minus
    # what the buffer itself absorbed by moving inside its band (at most 45 ms).
    drift_samples = abs(ppm) / 1e6 * RATE * 600
    corrected = stats.dropped_samples if ppm > 0 else stats.inserted_samples
    assert drift_samples - 0.045 * RATE - 50 <= corrected <= drift_samples + 50
    assert (stats.inserted_samples if ppm > 0 else stats.dropped_samples) == 0


def test_bursty_writer_does_not_underrun_after_priming() -> None:
    # A device that delivers 40 ms at a time (2 x 20 ms periods), 200 ppm slow.
    run = simulate(
        DriftBuffer(target_ms=30), seconds=120, writer_ppm=-200, writer_chunk=320, writer_burst=2
    )
    assert run.underruns_after_start == 0
    assert max(f for t, f in run.fills_ms if t > 5) <= 120


def test_extreme_drift_stays_bounded_by_the_hard_limit() -> None:
    # 5 % fast is beyond smooth correction (at most 1/32 of a read): hard resyncs keep
    # latency bounded anyway.
    buf = DriftBuffer(target_ms=30)  # hard limit: 2 x 60 + 40 = 160 ms
    run = simulate(buf, seconds=120, writer_ppm=50_000)
    assert max(f for _, f in run.fills_ms) <= 160
    assert buf.stats().resyncs > 0


def test_underrun_gives_silence_then_reprimes_to_target() -> None:
    buf = DriftBuffer(target_ms=40)
    one = array("h", [1000] * 320).tobytes()
    buf.write(one * 2)  # 40 ms: not enough to read 20 ms and keep a 40 ms margin
    assert buf.read(320) == bytes(640)
    buf.write(one)  # 60 ms: primed
    assert buf.read(320) == one
    assert buf.read(320) == one
    assert buf.read(320) == one
    out = buf.read(320)
    assert out == bytes(640)
    assert buf.stats().underruns == 1
    buf.write(one * 2)  # 40 ms: re-priming, silence
    assert buf.read(320) == bytes(640)
    buf.write(one)  # 60 ms: plays again
    assert buf.read(320) == one


def test_partial_underrun_pads_with_silence() -> None:
    buf = DriftBuffer(target_ms=10)
    buf.write(bytes(2 * 480))  # primed: 20 ms read + 10 ms margin
    buf.read(320)
    buf.read(160)
    half = array("h", [7] * 200).tobytes()
    buf.write(half)
    out = array("h")
    out.frombytes(buf.read(320))
    assert list(out[:200]) == [7] * 200
    assert list(out[200:]) == [0] * 120


def test_overflow_drops_the_oldest_back_to_target() -> None:
    buf = DriftBuffer(target_ms=40, hard_ms=160)
    samples = array("h", range(4000)).tobytes()  # 250 ms at once
    buf.write(samples)
    assert buf.fill_samples == 640 + 320  # back to a 40 ms margin after a 20 ms read
    assert buf.stats().resyncs == 1
    first = array("h")
    first.frombytes(buf.read(320))
    assert first[0] == 4000 - 960  # the newest audio is kept, and plays at once


def test_drift_correction_keeps_the_pitch() -> None:
    # A 0.3 % surplus: a sample dropped on most reads still leaves a 1 kHz tone at 1 kHz.
    buf = DriftBuffer(target_ms=20, low_ms=10, high_ms=30, hard_ms=400)
    src = tone(1000, 10.0, rate_hz=RATE, amplitude=0.5)
    pos = 2 * 960
    buf.write(src[:pos])  # 60 ms: above the band from the start
    out = []
    for _ in range(300):
        buf.write(src[pos : pos + 2 * 321])
        pos += 2 * 321
        out.append(buf.read(320))
    assert buf.stats().dropped_samples > 100
    assert buf.stats().underruns == 0
    # Catching up from above the band speeds up by at most 1/32 (3 %, half a semitone);
    # once back in the band, the pitch is the source's.
    assert 980 <= dominant_frequency(b"".join(out[:100]), RATE, range(500, 1501, 10)) <= 1040
    assert dominant_frequency(b"".join(out[200:]), RATE, range(500, 1501, 10)) == 1000.0


def test_rejects_odd_byte_counts_and_bad_bands() -> None:
    buf = DriftBuffer()
    with pytest.raises(ValueError, match="16-bit"):
        buf.write(b"\x00")
    with pytest.raises(ValueError, match="low < target"):
        DriftBuffer(target_ms=40, low_ms=50)
