"""The audio worker's record-then-play-back tests, driven without a device or a thread."""

from __future__ import annotations

from homeagent.core.audio_settings import NoiseTestPhase
from homeagent.core.events import Event, NoiseTestProgressed
from homeagent.sip.audio.bridge import CLOCK_RATE_HZ
from homeagent.sip.audio.listening import ListeningTests


class _Slot:
    """Records what the tests ask of the worker's tone slot."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.calls: list[tuple[str, int | None]] = []
        self.tests = ListeningTests(
            emit=self.events.append,
            set_playback=lambda pcm: self.calls.append(("play", None if pcm is None else len(pcm))),
            close_playback=lambda: self.calls.append(("close", None)),
            reconcile=lambda: self.calls.append(("reconcile", None)),
        )

    def phases(self) -> list[str]:
        return [e.phase for e in self.events if isinstance(e, NoiseTestProgressed)]


def _pcm(duration_s: float) -> bytes:
    return bytes(2 * round(duration_s * CLOCK_RATE_HZ))


def test_the_mic_test_plays_back_exactly_what_it_recorded_once_full() -> None:
    slot = _Slot()
    slot.tests.start_recording(0.5)
    assert slot.tests.recording
    slot.tests.recorded(_pcm(0.3))
    assert not slot.tests.take_recorded()
    assert slot.calls == []
    slot.tests.recorded(_pcm(0.3))
    assert slot.calls == [("close", None), ("play", len(_pcm(0.5)))]
    assert not slot.tests.recording
    assert slot.tests.take_recorded()
    assert not slot.tests.take_recorded()  # only once


def test_the_noise_test_records_plays_raw_then_filtered_then_is_done() -> None:
    slot = _Slot()
    slot.tests.start_noise_test(0.2)
    assert slot.tests.noise_test_phase is NoiseTestPhase.RECORDING
    assert slot.tests.recording
    slot.tests.noise_test_recorded(_pcm(0.2))
    assert slot.tests.noise_test_phase is NoiseTestPhase.PLAYING_RAW
    assert not slot.tests.recording
    assert ("reconcile", None) not in slot.calls  # the tick reconciles after the mic
    slot.tests.noise_test_played()
    assert slot.tests.noise_test_phase is NoiseTestPhase.PLAYING_FILTERED
    assert slot.calls[-1] == ("reconcile", None)
    slot.tests.noise_test_played()
    assert slot.tests.noise_test_phase is None
    assert slot.phases() == [
        NoiseTestPhase.RECORDING.value,
        NoiseTestPhase.PLAYING_RAW.value,
        NoiseTestPhase.PLAYING_FILTERED.value,
        NoiseTestPhase.DONE.value,
    ]


def test_ending_a_test_that_is_not_running_announces_nothing() -> None:
    slot = _Slot()
    slot.tests.end_noise_test(NoiseTestPhase.CANCELLED)
    slot.tests.noise_test_recorded(_pcm(0.1))  # no test: ignored
    slot.tests.recorded(_pcm(0.1))
    assert slot.events == []
    assert slot.calls == []


def test_a_cancelled_playback_stops_the_tone_slot() -> None:
    slot = _Slot()
    slot.tests.start_noise_test(0.1)
    slot.tests.noise_test_recorded(_pcm(0.1))
    slot.calls.clear()
    slot.tests.end_noise_test(NoiseTestPhase.CANCELLED)
    assert slot.calls == [("close", None), ("play", None)]
    assert slot.phases()[-1] == NoiseTestPhase.CANCELLED.value
