"""The microphone's noise-suppression stage: framing, the switch, failure -> pass-through."""

from __future__ import annotations

import logging
import math
import random
from array import array

import pytest

from homeagent.core.audio_settings import AudioSettings, NoiseStatus
from homeagent.sip.audio.denoise import (
    FRAME_BYTES,
    FRAME_SAMPLES,
    NoiseSuppressor,
    webrtc_processor,
)


class Recorder:
    """A frame processor that negates each sample and records the frame sizes it saw."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, frame: bytes) -> bytes:
        self.sizes.append(len(frame))
        a = array("h", frame)
        return array("h", (-max(-32767, v) for v in a)).tobytes()


def ramp(n: int, start: int = 0) -> bytes:
    return array("h", ((start + i) % 30000 for i in range(n))).tobytes()


def negated(pcm: bytes) -> bytes:
    return array("h", (-max(-32767, v) for v in array("h", pcm))).tobytes()


@pytest.mark.parametrize("chunk_samples", [1, 7, 160, 341, 480, 1000])
def test_any_chunk_size_goes_through_in_whole_10ms_frames(chunk_samples: int) -> None:
    rec = Recorder()
    stage = NoiseSuppressor(factory=lambda: rec)
    pcm = ramp(16000)
    out = b"".join(
        stage.process(pcm[i : i + 2 * chunk_samples]) for i in range(0, len(pcm), 2 * chunk_samples)
    )
    assert set(rec.sizes) == {FRAME_BYTES}
    assert out == negated(pcm[: len(out)])  # every sample once, in order
    assert len(pcm) - len(out) < FRAME_BYTES  # at most one partial frame held back
    assert stage.held_ms == pytest.approx(1000 * (len(pcm) - len(out)) / 2 / 16000)


def test_switching_off_passes_audio_through_without_losing_what_was_held() -> None:
    rec = Recorder()
    stage = NoiseSuppressor(factory=lambda: rec)
    assert stage.status is NoiseStatus.ACTIVE
    first = stage.process(ramp(250))  # one frame out, 90 samples held
    assert len(first) == FRAME_BYTES
    statuses: list[NoiseStatus] = []
    stage._on_status = statuses.append
    stage.set_enabled(False)
    assert stage.status is NoiseStatus.OFF
    assert statuses == [NoiseStatus.OFF]
    second = stage.process(ramp(100, 250))
    assert second == ramp(250)[FRAME_BYTES:] + ramp(100, 250)  # held samples, then raw
    frames = len(rec.sizes)
    stage.process(ramp(500))
    assert len(rec.sizes) == frames  # off: the processor is not called


def test_switching_back_on_starts_a_fresh_noise_estimate() -> None:
    made: list[Recorder] = []

    def factory() -> Recorder:
        made.append(Recorder())
        return made[-1]

    stage = NoiseSuppressor(enabled=False, factory=factory)
    assert stage.status is NoiseStatus.OFF
    assert stage.process(ramp(320)) == ramp(320)
    stage.set_enabled(True)
    assert len(made) == 2  # one at creation (does it work?), one when switched on
    assert stage.process(ramp(320)) == negated(ramp(320))
    stage.reset()  # a new call
    assert len(made) == 3


def test_a_missing_package_means_unavailable_and_pass_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def missing() -> Recorder:
        raise ImportError("No module named 'webrtc_noise_gain'")

    with caplog.at_level(logging.WARNING):
        stage = NoiseSuppressor(factory=missing)
    assert stage.status is NoiseStatus.UNAVAILABLE
    assert stage.process(ramp(333)) == ramp(333)
    stage.set_enabled(False)
    stage.set_enabled(True)
    assert stage.status is NoiseStatus.UNAVAILABLE
    assert stage.process(ramp(10)) == ramp(10)
    assert "unavailable" in caplog.text


def test_a_failure_during_a_call_turns_to_pass_through_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = 0

    def flaky(frame: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("native code said no")
        return bytes(len(frame))  # silence: easy to tell from the input

    statuses: list[NoiseStatus] = []
    stage = NoiseSuppressor(factory=lambda: flaky, on_status=statuses.append)
    pcm = ramp(5 * FRAME_SAMPLES + 40)
    with caplog.at_level(logging.ERROR):
        out = stage.process(pcm)
    # two frames processed (silence), then the rest of the chunk raw: nothing lost
    assert out == bytes(2 * FRAME_BYTES) + pcm[2 * FRAME_BYTES :]
    assert stage.status is NoiseStatus.FAILED
    assert statuses == [NoiseStatus.FAILED]
    assert stage.process(ramp(50)) == ramp(50)  # and raw from then on
    stage.reset()
    assert stage.status is NoiseStatus.FAILED  # not trusted again until restart
    assert calls == 3
    assert "noise suppression failed" in caplog.text


def test_a_processor_returning_the_wrong_length_counts_as_a_failure() -> None:
    stage = NoiseSuppressor(factory=lambda: lambda frame: frame[:10])
    pcm = ramp(320)
    assert stage.process(pcm) == pcm
    assert stage.status is NoiseStatus.FAILED


def test_a_status_handler_that_raises_does_not_break_the_audio() -> None:
    def bad_handler(_status: NoiseStatus) -> None:
        raise ValueError("handler bug")

    stage = NoiseSuppressor(factory=lambda: Recorder(), on_status=bad_handler)
    stage.set_enabled(False)
    assert stage.process(ramp(10)) == ramp(10)


def test_the_real_webrtc_suppressor_quietens_steady_noise() -> None:
    pytest.importorskip("webrtc_noise_gain")
    rng = random.Random(15)
    n = 16000 * 2
    noise = array("h", (round(rng.gauss(0, 1500)) for _ in range(n))).tobytes()
    stage = NoiseSuppressor(factory=lambda: webrtc_processor(3))
    out = stage.process(noise)
    assert stage.status is NoiseStatus.ACTIVE
    tail_in, tail_out = noise[-16000:], out[-16000:]  # after the estimate settled

    def rms(pcm: bytes) -> float:
        a = array("h", pcm)
        return math.sqrt(sum(v * v for v in a) / len(a))

    assert rms(tail_out) < 0.25 * rms(tail_in)  # > 12 dB less noise


def test_settings_remember_the_switch_and_default_to_on() -> None:
    assert AudioSettings().noise_suppression is True
    off = AudioSettings(noise_suppression=False)
    assert AudioSettings.from_dict(off.to_dict()).noise_suppression is False
    assert AudioSettings.from_dict({"version": 1}).noise_suppression is True  # older file
    garbage = {"noise_suppression": "no", "ringer_volume": float("nan")}
    read = AudioSettings.from_dict(garbage)
    assert read.noise_suppression is True
    assert read.ringer_volume == 0.8
