"""The audio worker's two record-then-play-back tests: their state and their steps.

- the pre-shift check's "do I sound right?" test: record the microphone, then play it on
  the headset;
- the noise-suppression listening test: record, play it raw, then filtered by a noise
  stage of its own (the call's noise estimate is not touched), announcing each step with
  `NoiseTestProgressed`.

`ListeningTests` is owned by the audio worker (`sip/audio/service.py`) and called only
on the audio thread. It holds no stream: it plays through the worker's tone slot, via
the callbacks it is given, and the worker keeps opening and closing devices.
"""

from __future__ import annotations

from collections.abc import Callable

from homeagent.core.audio_settings import NoiseStatus, NoiseTestPhase
from homeagent.core.events import Event, NoiseTestProgressed
from homeagent.sip.audio import dsp
from homeagent.sip.audio.bridge import CLOCK_RATE_HZ
from homeagent.sip.audio.denoise import NoiseSuppressor

NOISE_TEST_GAP_S = 0.4  # silence between the two playbacks of the listening test


class ListeningTests:
    """The recordings and playbacks of both tests; audio thread only."""

    def __init__(
        self,
        *,
        emit: Callable[[Event], None],
        set_playback: Callable[[bytes | None], None],
        close_playback: Callable[[], None],
        reconcile: Callable[[], None],
    ) -> None:
        # set_playback(pcm): what the worker's tone slot plays next (None: nothing);
        # close_playback(): close the tone stream; reconcile(): the worker's streams follow
        self._emit = emit
        self._set_playback = set_playback
        self._close_playback = close_playback
        self._reconcile = reconcile
        self._recording: bytearray | None = None  # the pre-shift check's mic test
        self._record_bytes = 0
        self._recorded = False
        self._test_pcm: bytearray | None = None  # listening test: recording
        self._test_bytes = 0
        self._test_next: bytes | None = None  # listening test: the filtered playback
        self._test_phase: NoiseTestPhase | None = None

    @property
    def recording(self) -> bool:
        """True while either test needs the microphone."""
        return self._recording is not None or self._test_pcm is not None

    @property
    def noise_test_phase(self) -> NoiseTestPhase | None:
        """Where the listening test is (None: not running)."""
        return self._test_phase

    # -- the pre-shift check's record and play back ---------------------------------------

    def start_recording(self, duration_s: float) -> None:
        """Record `duration_s` of the microphone; `recorded(pcm)` plays it back when full."""
        self._recording = bytearray()
        self._record_bytes = int(duration_s * CLOCK_RATE_HZ) * 2  # 16-bit mono

    def recorded(self, pcm: bytes) -> None:
        """A block from the microphone, for the pre-shift check's recording (if running)."""
        if self._recording is None:
            return
        self._recording += pcm
        if len(self._recording) >= self._record_bytes:
            take = bytes(self._recording[: self._record_bytes])
            self._recording = None
            self._close_playback()
            self._set_playback(take)
            self._recorded = True  # reconciled at the end of this tick (the mic may close)

    def take_recorded(self) -> bool:
        """True once after the recording filled up: the tick then reconciles."""
        done, self._recorded = self._recorded, False
        return done

    # -- the before/after listening test ---------------------------------------------------

    def start_noise_test(self, duration_s: float) -> None:
        """Record `duration_s` from the microphone, then play it raw, then filtered."""
        self.end_noise_test(None)
        self._test_pcm = bytearray()
        self._test_bytes = 2 * round(duration_s * CLOCK_RATE_HZ)
        self._test_phase = NoiseTestPhase.RECORDING
        self._emit(NoiseTestProgressed(NoiseTestPhase.RECORDING.value))

    def noise_test_recorded(self, pcm: bytes) -> None:
        """A block from the microphone, for the listening test's recording (if running)."""
        if self._test_pcm is None:
            return
        self._test_pcm += pcm
        if len(self._test_pcm) < self._test_bytes:
            return
        raw = bytes(self._test_pcm[: self._test_bytes])
        self._test_pcm = None
        stage = NoiseSuppressor()  # its own: the call's noise estimate is not touched
        filtered = stage.process(raw + dsp.silence(0.02, rate_hz=CLOCK_RATE_HZ))
        ok = stage.status is NoiseStatus.ACTIVE
        self._test_next = dsp.silence(NOISE_TEST_GAP_S) + (filtered if ok else raw)
        # called from the tick, which still uses the microphone: the tick reconciles
        # (closes it, opens the playback) when it is done with it
        self._play_test(raw, NoiseTestPhase.PLAYING_RAW, filtered=ok, reconcile=False)

    def noise_test_played(self) -> None:
        """A playback of the test ended: start the filtered one, or say it is done."""
        if self._test_phase is NoiseTestPhase.PLAYING_RAW and self._test_next is not None:
            nxt, self._test_next = self._test_next, None
            self._close_playback()
            self._play_test(nxt, NoiseTestPhase.PLAYING_FILTERED)
        elif self._test_phase is NoiseTestPhase.PLAYING_FILTERED:
            self.end_noise_test(NoiseTestPhase.DONE)

    def _play_test(
        self, pcm: bytes, phase: NoiseTestPhase, *, filtered: bool = True, reconcile: bool = True
    ) -> None:
        self._set_playback(pcm)
        self._test_phase = phase
        self._emit(NoiseTestProgressed(phase.value, filtered))
        if reconcile:
            self._reconcile()

    def end_noise_test(self, phase: NoiseTestPhase | None) -> None:
        """Stop the test wherever it is; `phase` (if any) is announced when one was running."""
        running = self._test_phase is not None
        if self._test_phase in (NoiseTestPhase.PLAYING_RAW, NoiseTestPhase.PLAYING_FILTERED):
            self._close_playback()
            self._set_playback(None)
        self._test_pcm, self._test_next, self._test_phase = None, None, None
        if running and phase is not None:
            self._emit(NoiseTestProgressed(phase.value))
