"""Qt Multimedia streams for one role each, always 16 kHz mono Int16 towards the bridge.

Every object here lives on the audio thread and is driven by its 10 ms tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QIODevice, QObject
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QAudioSource, QtAudio

from homeagent.sip.audio import dsp

log = logging.getLogger(__name__)

BRIDGE_RATE_HZ = 16000
BYTES_PER_SAMPLE = 2


def device_id(device: QAudioDevice) -> str:
    """A device's stable identity as text (PulseAudio: the sink/source name)."""
    return bytes(device.id().data()).decode("utf-8", errors="backslashreplace")


CAPTURE_RATE_HZ = 48000
ERROR_CHECK_EVERY = 10  # ticks: a lost device is noticed within 100 ms, not every 10 ms


class _ErrorWatch:
    """Asks a stream for its error every few ticks only (each ask converts a Qt enum: ~5 µs).

    Once an error is seen it is reported on every call until the stream is replaced.
    """

    _OK = (QtAudio.Error.NoError, QtAudio.Error.UnderrunError)

    def __init__(self) -> None:
        self._countdown = 0
        self._failed = False

    def check(self, stream: QAudioSource | QAudioSink) -> bool:
        if self._failed:
            return True
        self._countdown -= 1
        if self._countdown <= 0:
            self._countdown = ERROR_CHECK_EVERY
            self._failed = stream.error() not in self._OK
        return self._failed


def choose_format(
    device: QAudioDevice, rates_hz: tuple[int, ...] = (BRIDGE_RATE_HZ,)
) -> QAudioFormat:
    """Mono Int16 at the first of `rates_hz` the device takes, else at its own rate."""
    fmt = QAudioFormat()
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    for rate in rates_hz:
        fmt.setSampleRate(rate)
        if device.isFormatSupported(fmt):
            return fmt
    preferred = device.preferredFormat()
    fmt.setSampleRate(preferred.sampleRate() or 48000)
    fmt.setChannelCount(max(1, preferred.channelCount()))
    return fmt


class CaptureStream:
    """A microphone opened in push mode; `poll()` returns 16 kHz mono PCM.

    Measured with Qt 6.12 on PulseAudio: a QAudioSource hands data over in 2048-byte
    blocks whatever the format (64 ms at 16 kHz mono, 21 ms at 48 kHz mono), and with an
    explicit `setBufferSize` it *loses* data (4,053 of 16,000 samples/s with 20 ms).
    So the default buffer is kept and the microphone is captured at 48 kHz, decimated to
    16 kHz here (`dsp.Decimator`: a real anti-aliasing filter, ~0.25 % of a core): 40 ms
    less latency than capturing at 16 kHz. A device rate that is not a multiple of 16 kHz
    goes through the slower interpolating `dsp.Resampler`.
    """

    def __init__(self, device: QAudioDevice, parent: QObject) -> None:
        self.device = device
        self.device_id = device_id(device)
        fmt = choose_format(device, (CAPTURE_RATE_HZ, BRIDGE_RATE_HZ))
        self._channels = fmt.channelCount()
        rate = fmt.sampleRate()
        self._resampler: dsp.Decimator | dsp.Resampler = (
            dsp.Decimator(rate // BRIDGE_RATE_HZ, in_rate_hz=rate)
            if rate % BRIDGE_RATE_HZ == 0
            else dsp.Resampler(rate, BRIDGE_RATE_HZ)
        )
        self._source = QAudioSource(device, fmt, parent)
        self._io: QIODevice | None = self._source.start()
        self._partial = b""
        self._errors = _ErrorWatch()
        self.failed = self._io is None or self._source.error() != QtAudio.Error.NoError
        log.info(
            "microphone %r opened: %d Hz x%d", self.device_id, fmt.sampleRate(), self._channels
        )

    def poll(self) -> bytes:
        if self._io is None:
            return b""
        data = bytes(self._io.readAll().data())  # already bytes in PySide6: no copy
        if self._partial:
            data = self._partial + data
        frame = BYTES_PER_SAMPLE * self._channels
        cut = len(data) - len(data) % frame
        if cut != len(data):
            self._partial = data[cut:]
            data = data[:cut]
        else:
            self._partial = b""
        if not data:
            return b""
        return self._resampler.process(dsp.to_mono(data, self._channels))

    @property
    def errored(self) -> bool:
        return self._errors.check(self._source)

    def close(self) -> None:
        self._source.stop()
        self._source.setParent(None)
        self._io = None


class PlaybackStream:
    """An output opened in push mode, fed from a pull function of 16 kHz mono PCM."""

    def __init__(
        self,
        device: QAudioDevice,
        parent: QObject,
        pull: Callable[[int], bytes],
        *,
        buffer_ms: int = 60,
        volume: float = 1.0,
    ) -> None:
        self.device = device
        self.device_id = device_id(device)
        fmt = choose_format(device)
        self._rate = fmt.sampleRate()
        self._channels = fmt.channelCount()
        self._frame_bytes = BYTES_PER_SAMPLE * self._channels
        self._resampler = dsp.Resampler(BRIDGE_RATE_HZ, self._rate)
        self._pull = pull
        self._sink = QAudioSink(device, fmt, parent)
        self._sink.setBufferSize(fmt.bytesForDuration(buffer_ms * 1000))
        self._sink.setVolume(volume)
        self._io: QIODevice | None = self._sink.start()
        self._pending = b""
        self._errors = _ErrorWatch()
        self.failed = self._io is None or self._sink.error() != QtAudio.Error.NoError
        log.info("output %r opened: %d Hz x%d", self.device_id, self._rate, self._channels)

    def feed(self) -> None:
        """Top the device buffer up (called every tick)."""
        if self._io is None:
            return
        free = self._sink.bytesFree()
        if self._pending:
            n = self._io.write(self._pending[:free])
            self._pending = self._pending[max(0, n) :]
            free -= max(0, n)
        frames = free // self._frame_bytes
        samples = frames * BRIDGE_RATE_HZ // self._rate
        if samples <= 0 or self._pending:
            return
        pcm = self._resampler.process(self._pull(samples))
        data = dsp.from_mono(pcm, self._channels)
        n = self._io.write(data)
        self._pending = data[max(0, n) :]

    @property
    def errored(self) -> bool:
        return self._errors.check(self._sink)

    @property
    def queued_ms(self) -> float:
        """Audio written to the device but not yet played (the sink's buffer)."""
        queued = self._sink.bufferSize() - self._sink.bytesFree() + len(self._pending)
        return 1000.0 * queued / (self._frame_bytes * self._rate)

    def close(self) -> None:
        self._sink.stop()
        self._sink.setParent(None)
        self._io = None


class LoopSource:
    """Pull function that repeats a PCM cycle forever (the ring pattern)."""

    def __init__(self, pcm: bytes) -> None:
        self._pcm = pcm
        self._pos = 0

    def __call__(self, n_samples: int) -> bytes:
        want = n_samples * BYTES_PER_SAMPLE
        out = bytearray()
        while len(out) < want:
            take = self._pcm[self._pos : self._pos + want - len(out)]
            out += take
            self._pos = (self._pos + len(take)) % len(self._pcm)
        return bytes(out)


class OnceSource:
    """Pull function that plays PCM once, then silence; `done` once all was handed out."""

    def __init__(self, pcm: bytes) -> None:
        self._pcm = pcm
        self._pos = 0
        self._padded_bytes = 0

    @property
    def done(self) -> bool:
        return self._pos >= len(self._pcm)

    @property
    def padded_ms(self) -> float:
        """Silence handed out after the end: once it covers the device's queue, all played."""
        return 1000.0 * self._padded_bytes / (BYTES_PER_SAMPLE * BRIDGE_RATE_HZ)

    def __call__(self, n_samples: int) -> bytes:
        want = n_samples * BYTES_PER_SAMPLE
        take = self._pcm[self._pos : self._pos + want]
        self._pos += len(take)
        self._padded_bytes += want - len(take)
        return take + bytes(want - len(take))
