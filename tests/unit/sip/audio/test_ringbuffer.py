"""DriftBuffer between simulated clocks: drift absorbed by resampling, latency bounded.

The simulations run in audio time (no wall clock, no threads): they cannot flake.
"""

from __future__ import annotations

import heapq
from array import array
from dataclasses import dataclass
from itertools import pairwise

import pytest

from homeagent.sip.audio.dsp import dominant_frequency, tone
from homeagent.sip.audio.ringbuffer import DriftBuffer, crossfade, slip

RATE = 16000


@dataclass
class Run:
    fills_ms: list[tuple[float, float]]  # (time s, fill ms) sampled at each read
    underruns_after_start: int
    buf: DriftBuffer


class SimClock:
    """The simulated time, for the buffer's time-averaged fill."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def buffer(**kw: float) -> DriftBuffer:
    """A DriftBuffer on a simulated clock (`simulate` advances it)."""
    return DriftBuffer(clock=SimClock(), **kw)  # type: ignore[arg-type]


def simulate(
    buf: DriftBuffer,
    *,
    seconds: float,
    writer_ppm: float = 0.0,
    writer_chunk: int = 160,
    reader_chunk: int = 320,
    writer_burst: int = 1,
    start_s: float = 0.0,
) -> Run:
    """Writer and reader on two clocks; the writer's runs `writer_ppm` fast (or slow).

    `writer_burst` > 1 delivers that many chunks at once (a device with a coarse period).
    """
    clock = buf._clock
    assert isinstance(clock, SimClock), "build the buffer with buffer()"
    w_period = writer_chunk * writer_burst / (RATE * (1 + writer_ppm / 1e6))
    r_period = reader_chunk / RATE
    queue: list[tuple[float, int, str]] = [(start_s, 0, "w"), (start_s + r_period / 2, 1, "r")]
    seq = 2
    fills: list[tuple[float, float]] = []
    underruns_at_start = None
    chunk = bytes(2 * writer_chunk * writer_burst)
    while queue:
        t, _, who = heapq.heappop(queue)
        if t > seconds:
            break
        clock.t = t
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


def margins(run: Run, start_s: float, end_s: float) -> list[float]:
    return [f for t, f in run.fills_ms if start_s <= t < end_s]


def test_equal_clocks_settle_without_dropping_anything() -> None:
    buf = buffer(target_ms=30)
    settled = simulate(buf, seconds=30).buf.stats()
    run = simulate(buf, seconds=60, start_s=30)
    stats = run.buf.stats()
    assert stats.dropped_samples == 0
    assert stats.resyncs == 0
    assert run.underruns_after_start == 0
    assert settled.corrections <= 150  # the start-up transient (about 6 ms)
    assert stats.corrections - settled.corrections <= 10  # then (almost) nothing
    assert abs(stats.drift_ppm) < 60
    assert stats.avg_fill_ms == pytest.approx(30, abs=1.5)


@pytest.mark.parametrize("ppm", [100.0, 300.0, 1000.0, -300.0, -1000.0])
def test_drift_is_resampled_away_without_dropping_or_latency_growing(ppm: float) -> None:
    # 10 minutes of a call: without control, 1000 ppm would add 600 ms of latency.
    run = simulate(buffer(target_ms=30), seconds=600, writer_ppm=ppm)
    stats = run.buf.stats()
    assert stats.dropped_samples == 0, "drift must be resampled, never dropped"
    assert stats.resyncs == 0
    assert run.underruns_after_start == 0
    # The fill level converges on the target (the time-averaged fill is the latency).
    assert stats.avg_fill_ms == pytest.approx(30, abs=1.0)
    assert max(f for t, f in run.fills_ms if t > 5) <= 60
    # The integrator found the clock drift, and the slips made up for all of it.
    assert stats.drift_ppm == pytest.approx(ppm, abs=0.05 * abs(ppm) + 10)
    drift_samples = abs(ppm) / 1e6 * RATE * 600
    corrected = stats.skipped_samples if ppm > 0 else stats.stretched_samples
    other = stats.stretched_samples if ppm > 0 else stats.skipped_samples
    assert drift_samples - 0.01 * RATE <= corrected - other <= drift_samples + 0.01 * RATE
    assert other <= 0.01 * RATE


def test_ci_guard_a_clock_0_1_percent_fast_loses_no_sample() -> None:
    # The cheap guard of the drift change: pjmedia's clock 0.1 % fast against the
    # device for 5 minutes; nothing dropped, nothing underrun, the level converges.
    buf = buffer(target_ms=20)
    run = simulate(buf, seconds=300, writer_ppm=1000.0, writer_chunk=320, reader_chunk=256)
    stats = buf.stats()
    assert stats.dropped_samples == 0
    assert stats.discarded_samples <= 320  # the trim at the start, before anything played
    assert stats.resyncs == 0
    assert run.underruns_after_start == 0
    # nothing lost: what went in is what came out, minus what is still buffered
    assert stats.written_samples - stats.discarded_samples - stats.read_samples == buf.fill_samples
    late = margins(run, 240, 300)
    assert max(late) - min(late) <= 25, "the level keeps swinging"
    assert stats.avg_fill_ms == pytest.approx(20, abs=1.0)
    assert stats.drift_ppm == pytest.approx(1000, abs=50)
    assert stats.skipped_samples == pytest.approx(0.001 * RATE * 300, abs=0.01 * RATE)


def test_bursty_writer_does_not_underrun_after_priming() -> None:
    # A device that delivers 40 ms at a time (2 x 20 ms periods), 200 ppm slow.
    run = simulate(
        buffer(target_ms=30), seconds=120, writer_ppm=-200, writer_chunk=320, writer_burst=2
    )
    assert run.underruns_after_start == 0
    assert run.buf.stats().dropped_samples == 0
    assert max(f for t, f in run.fills_ms if t > 5) <= 120


def test_extreme_drift_stays_bounded_by_the_hard_limit() -> None:
    # 5 % fast is beyond smooth correction (at most 1 %): hard resyncs keep latency
    # bounded anyway.
    buf = buffer(target_ms=30)  # hard limit: 2 x 60 + 40 = 160 ms
    run = simulate(buf, seconds=120, writer_ppm=50_000)
    assert max(f for _, f in run.fills_ms) <= 160 + 30
    assert buf.stats().resyncs > 0


def test_underruns_raise_the_target_and_quiet_time_brings_it_back() -> None:
    # A writer that stalls 45 ms every 5 s for a minute (a loaded PC: pjmedia's clock then
    # catches up with a burst), then runs evenly.
    buf = buffer(target_ms=20)
    clock = buf._clock
    assert isinstance(clock, SimClock)
    chunk = bytes(2 * 320)
    k, t_r, t = 0, 0.01, 0.0
    underruns_late = None
    target_peak = 0.0

    def write_time(k: int) -> float:
        nominal = 0.02 * k
        stall = 5.0 * int(nominal / 5.0)
        return stall + 0.045 if nominal < 60 and nominal < stall + 0.045 else nominal

    while t < 300:
        if write_time(k) <= t_r:
            t = clock.t = write_time(k)
            buf.write(chunk)
            k += 1
        else:
            t = clock.t = t_r
            buf.read(320)
            t_r += 0.02
            if underruns_late is None and t >= 30:
                underruns_late = buf.stats().underruns
            target_peak = max(target_peak, buf.stats().target_ms)
    stats = buf.stats()
    assert stats.underruns >= 1
    assert stats.underruns - (underruns_late or 0) == 0, "once raised, the stalls are absorbed"
    assert target_peak > 20
    assert stats.target_ms == 20  # relaxed back once the stalls stopped
    assert stats.avg_fill_ms == pytest.approx(20, abs=1.5)
    assert stats.dropped_samples == 0


def test_underrun_gives_silence_then_reprimes_to_target() -> None:
    buf = DriftBuffer(target_ms=40)  # starts at 40 ms + half a read: 800 samples
    one = array("h", [1000] * 320).tobytes()
    buf.write(one * 2)  # 640: not enough
    assert buf.read(320) == bytes(640)
    buf.write(one)  # 960: trimmed to 800, plays
    assert buf.read(320) == one
    assert buf.read(320) == one
    out = buf.read(320)  # 160 left: played, then silence
    assert out == one[:320] + bytes(320)
    assert buf.stats().underruns == 1
    assert buf.stats().target_ms == 50  # raised by the underrun
    buf.write(one * 2)  # re-priming: silence until 50 ms + half a read (960)
    assert buf.read(320) == bytes(640)
    buf.write(one * 2)
    assert buf.read(320) == one
    assert buf.stats().discarded_samples == 160 + 320  # the two trims to the start level


def test_partial_underrun_pads_with_silence() -> None:
    buf = DriftBuffer(target_ms=10)
    buf.write(bytes(2 * 320))  # primed: 10 ms + half a read
    buf.read(320)
    half = array("h", [7] * 200).tobytes()
    buf.write(half)
    out = array("h")
    out.frombytes(buf.read(320))
    assert list(out[:200]) == [7] * 200
    assert list(out[200:]) == [0] * 120


def test_a_late_reader_starts_with_the_newest_audio_not_a_backlog() -> None:
    # The speaker opens 1.3 s after the call's audio started (what PulseAudio takes):
    # what came before is not latency to play through, nor a resync.
    buf = DriftBuffer(target_ms=20)
    for i in range(65):
        buf.write(array("h", [i] * 320).tobytes())
    assert buf.fill_samples <= 320 + 320 + 320
    assert buf.stats().discarded_samples >= 64 * 320 - 3 * 320
    first = array("h")
    first.frombytes(buf.read(320))
    assert first[-1] >= 62  # recent audio
    assert buf.stats().resyncs == 0
    assert buf.stats().dropped_samples == 0


def test_overflow_while_playing_jumps_to_the_newest_with_a_crossfade() -> None:
    buf = DriftBuffer(target_ms=40, hard_ms=160)
    buf.write(array("h", [100] * 960).tobytes())
    buf.read(320)  # playing
    buf.write(array("h", range(4000)).tobytes())  # 250 ms at once (a stalled reader)
    out = array("h")
    out.frombytes(buf.read(320))
    stats = buf.stats()
    assert stats.resyncs == 1
    assert stats.dropped_samples > 0
    assert buf.fill_samples == 640  # back to the 40 ms margin
    assert out[-1] == 4000 - 640 - 1  # the newest audio is kept and plays at once
    assert out[0] < 300  # the first samples still come from before the cut, faded out
    steps = [abs(b - a) for a, b in pairwise(out)]
    assert max(steps) < 200, "the cut must be faded, not a jump"


def test_slips_are_smooth_and_keep_the_pitch() -> None:
    # A 1,000 ppm surplus: frames of 321 samples resampled to 320 keep a 1 kHz tone at
    # 1 kHz, with no sample-to-sample jump above the tone's own slope.
    src = tone(1000, 3.0, rate_hz=RATE, amplitude=0.5)
    out = []
    pos = 0
    for i in range(140):
        take = 321 if i % 2 else 320
        out.append(slip(src[pos : pos + 2 * take], 320, 64))
        pos += 2 * take
    pcm = b"".join(out)
    assert len(pcm) == 2 * 320 * 140
    assert dominant_frequency(pcm, RATE, range(500, 1501, 10)) == 1000.0
    a = array("h")
    a.frombytes(pcm)
    slope = 0.5 * 32767 * 2 * 3.1416 * 1000 / RATE  # the tone's largest step
    assert max(abs(y - x) for x, y in pairwise(a)) <= slope * 1.05 + 2
    short = array("h")
    short.frombytes(slip(src[: 2 * 319], 320, 64))  # a repeat: stretched, not padded
    assert len(short) == 320
    assert max(abs(y - x) for x, y in pairwise(short)) <= slope * 1.05 + 2


def test_crossfade_goes_from_one_signal_to_the_other() -> None:
    a = array("h", [1000] * 9)
    b = array("h", [-1000] * 9)
    out = crossfade(a, b)
    assert out[0] == 800
    assert out[-1] == -800
    assert list(out) == sorted(out, reverse=True)


def test_rejects_odd_byte_counts_and_bad_bands() -> None:
    buf = DriftBuffer()
    with pytest.raises(ValueError, match="16-bit"):
        buf.write(b"\x00")
    with pytest.raises(ValueError, match="low < target"):
        DriftBuffer(target_ms=40, low_ms=50)
