"""Noise suppression on the microphone path: WebRTC NS on 10 ms frames of 16 kHz PCM.

`NoiseSuppressor` sits between the microphone's 16 kHz stream (`CaptureStream.poll`,
after the 48 kHz -> 16 kHz resampling) and the uplink drift buffer, on the audio thread.
It cuts what it is given into 10 ms frames (160 samples, what WebRTC's suppressor takes),
processes whole frames and keeps the remainder (< 10 ms) for the next call: that is all
the latency it adds (WebRTC NS itself gives its output frame aligned with its input).

It never breaks a call: when the `webrtc_noise_gain` package is missing it is
`UNAVAILABLE` and passes audio through; when processing raises, it logs once, turns
`FAILED` and passes audio through from then on (`on_status` is told, on the audio thread).

Why WebRTC NS (`webrtc-noise-gain`) and not RNNoise (`pyrnnoise`) or `noisereduce`:
measured in benchmarks/README.md, "Noise suppression" (PESQ, CPU, latency, wheels, licence).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from homeagent.core.audio_settings import NoiseStatus

log = logging.getLogger(__name__)

RATE_HZ = 16000
FRAME_SAMPLES = 160  # 10 ms at 16 kHz: the only frame WebRTC's suppressor takes
FRAME_BYTES = 2 * FRAME_SAMPLES
# WebRTC NS level 0..4 (mild .. very high). 3 measured best on PESQ at 0-10 dB SNR for
# home noises (benchmarks/README.md); 4 eats speech at 10 dB.
DEFAULT_LEVEL = 3


class FrameProcessor(Protocol):
    """One 10 ms frame (320 bytes of 16-bit mono PCM) in, the same length out."""

    def __call__(self, frame: bytes) -> bytes: ...


def webrtc_processor(level: int = DEFAULT_LEVEL) -> FrameProcessor:
    """A fresh WebRTC noise suppressor (no automatic gain); ImportError if not installed."""
    from webrtc_noise_gain import AudioProcessor  # the optional native package

    if not 0 <= level <= 4:
        raise ValueError(f"noise suppression level {level} outside 0..4")
    proc: Any = AudioProcessor(0, level)

    def process(frame: bytes) -> bytes:
        out = proc.Process10ms(frame).audio
        return bytes(out)

    return process


def _default_factory() -> FrameProcessor:
    return webrtc_processor(DEFAULT_LEVEL)


class NoiseSuppressor:
    """The capture-path stage: `process(pcm)` returns suppressed PCM (audio thread only).

    `factory` makes a new frame processor (a fresh noise estimate); it is called once at
    creation to learn whether the component works, and again at each `reset()` (a new call,
    so the estimate of the last call's room is not carried over).
    """

    def __init__(
        self,
        *,
        enabled: bool = True,
        factory: Callable[[], FrameProcessor] = _default_factory,
        on_status: Callable[[NoiseStatus], None] | None = None,
    ) -> None:
        self._factory = factory
        self._on_status = on_status
        self._enabled = enabled
        self._pending = b""
        self._proc: FrameProcessor | None = None
        self._failed = False
        self._available = True
        self._proc = self._make()
        self.frames_processed = 0

    # -- state -------------------------------------------------------------------------

    @property
    def status(self) -> NoiseStatus:
        if not self._available:
            return NoiseStatus.UNAVAILABLE
        if self._failed:
            return NoiseStatus.FAILED
        return NoiseStatus.ACTIVE if self._enabled else NoiseStatus.OFF

    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        """Switch on or off; takes effect on the next frame (audio thread)."""
        if on == self._enabled:
            return
        before = self.status
        self._enabled = on
        if on:
            self.reset()
        self._announce(before)

    def reset(self) -> None:
        """Start afresh (a new call): new noise estimate, no held-back samples.

        After a failure the stage stays failed until the app restarts: a component that
        raised once in a call is not trusted with the next one.
        """
        self._pending = b""
        if self._available and not self._failed and self._enabled:
            self._proc = self._make()

    # -- audio -------------------------------------------------------------------------

    def process(self, pcm: bytes) -> bytes:
        """Suppressed PCM for `pcm` (16 kHz mono Int16), whole 10 ms frames at a time.

        Off, unavailable or failed: `pcm` unchanged (plus whatever was held back when it
        was switched off, so no sample is lost).
        """
        proc = self._proc
        if not self._enabled or proc is None or self._failed:
            if self._pending:
                pcm, self._pending = self._pending + pcm, b""
            return pcm
        data = self._pending + pcm
        whole = len(data) - len(data) % FRAME_BYTES
        self._pending = data[whole:]
        out = bytearray()
        try:
            for i in range(0, whole, FRAME_BYTES):
                frame = proc(data[i : i + FRAME_BYTES])
                if len(frame) != FRAME_BYTES:
                    raise ValueError(f"suppressor returned {len(frame)} bytes for {FRAME_BYTES}")
                out += frame
                self.frames_processed += 1
        except Exception:
            log.exception("noise suppression failed; the microphone goes through untouched")
            before = self.status
            self._failed = True
            self._proc = None
            self._announce(before)
            # This chunk goes out raw (what was processed of it stays processed).
            rest = data[len(out) :]
            self._pending = b""
            return bytes(out) + rest
        return bytes(out)

    @property
    def held_ms(self) -> float:
        """Audio held back waiting for a whole frame (the latency this stage adds now)."""
        return 1000.0 * (len(self._pending) // 2) / RATE_HZ

    # -- internals ---------------------------------------------------------------------

    def _make(self) -> FrameProcessor | None:
        try:
            return self._factory()
        except ImportError as exc:
            if self._available:
                log.warning("noise suppression unavailable (%s): microphone not filtered", exc)
            self._available = False
        except Exception:
            log.exception("noise suppression could not start: microphone not filtered")
            self._failed = True
        return None

    def _announce(self, before: NoiseStatus) -> None:
        after = self.status
        if after is not before and self._on_status is not None:
            try:
                self._on_status(after)
            except Exception:
                log.exception("noise status handler failed")


def self_check() -> str:
    """For ``homeagent --self-test``: the filter loads and quietens steady noise by > 10 dB.

    Raises when the component is missing (where it is a dependency) or does not work.
    """
    import math
    import random
    import sys
    from array import array

    if sys.platform == "win32":
        return "not part of the Windows build: calls go through unfiltered"
    stage = NoiseSuppressor(factory=lambda: webrtc_processor(DEFAULT_LEVEL))
    if stage.status is not NoiseStatus.ACTIVE:
        raise RuntimeError(f"the noise filter is {stage.status.value} (webrtc_noise_gain)")
    rng = random.Random(15)  # noqa: S311 - a reproducible test noise, not a secret
    noise = array("h", (round(rng.gauss(0, 2000)) for _ in range(2 * RATE_HZ))).tobytes()
    out = stage.process(noise)
    if stage.status is not NoiseStatus.ACTIVE:
        raise RuntimeError("the noise filter failed while processing")

    def power(pcm: bytes) -> float:
        a = array("h", pcm[len(pcm) // 2 :])
        return sum(v * v for v in a) / max(1, len(a)) or 1e-9

    drop_db = 10 * math.log10(power(noise) / power(out))
    if drop_db < 10:
        raise RuntimeError(f"the noise filter removed only {drop_db:.1f} dB of steady noise")
    return f"WebRTC noise suppression: steady noise {drop_db:.0f} dB quieter"
