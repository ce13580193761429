"""The device side of headset audio: Qt Multimedia on its own thread, plus the public facade.

`AudioService` is what the app and the settings page use. It starts an audio thread (a
QThread with its own event loop) that owns `QMediaDevices` and every source/sink, lists
devices by the names users see, follows hot-plug, rings, meters the microphone, plays a
test tone, and moves call audio between the devices and the pjsua2 bridge's drift
buffers. Its `bridge` is the `AudioAttachment` handed to the SIP engine. The two
record-then-play-back tests (the pre-shift mic test, the noise listening test) keep their
state and steps in `sip/audio/listening.py`, owned by the worker.

Events (`AudioDevicesChanged`, `AudioDeviceFellBack`, `MicLevelMeasured`) are passed to
`on_event` **on the audio thread**; the app's dispatcher queues them to the GUI.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices

from homeagent.core.audio_settings import (
    AudioSettings,
    NoiseStatus,
    NoiseTestPhase,
    effective_device,
)
from homeagent.core.audio_setup import AudioRole
from homeagent.core.events import (
    AudioDevice,
    AudioDeviceFellBack,
    AudioDevicesChanged,
    Event,
    MicLevelMeasured,
    NoiseSuppressionChanged,
    NoiseTestProgressed,
)
from homeagent.sip.audio import dsp
from homeagent.sip.audio.bridge import CLOCK_RATE_HZ, PjAudioBridge
from homeagent.sip.audio.denoise import NoiseSuppressor
from homeagent.sip.audio.listening import ListeningTests
from homeagent.sip.audio.pulse_watch import PulseDeviceWatch
from homeagent.sip.audio.ringbuffer import DriftBuffer, DriftStats
from homeagent.sip.audio.streams import (
    CaptureStream,
    LoopSource,
    OnceSource,
    PlaybackStream,
    device_id,
)

log = logging.getLogger(__name__)

TICK_MS = 10
METER_INTERVAL_S = 0.1
RECOVER_DELAY_MS = 300


@dataclass(frozen=True, slots=True)
class BridgeStats:
    """Where the call audio is and how the drift buffers are doing."""

    microphone_id: str | None  # device the call audio is captured from (None: not open)
    speaker_id: str | None
    uplink: DriftStats  # microphone -> pjsua2
    downlink: DriftStats  # pjsua2 -> headset
    speaker_queued_ms: float  # in the output device's buffer


def _to_audio_device(dev: QAudioDevice, is_input: bool) -> AudioDevice:
    return AudioDevice(
        id=device_id(dev), name=dev.description(), is_input=is_input, is_default=dev.isDefault()
    )


class _Worker(QObject):
    """Lives on the audio thread; every slot runs there."""

    def __init__(self, service: AudioService) -> None:
        super().__init__()
        self._svc = service
        self._devices: QMediaDevices | None = None
        self._watch: PulseDeviceWatch | None = None
        self._timer: QTimer | None = None
        self._qt_inputs: list[QAudioDevice] = []
        self._qt_outputs: list[QAudioDevice] = []
        self._inputs: tuple[AudioDevice, ...] = ()
        self._outputs: tuple[AudioDevice, ...] = ()
        self._call_active = False
        self._meter_on = False
        self._ringing = False
        self._mic: CaptureStream | None = None
        self._speaker: PlaybackStream | None = None
        self._ringer: PlaybackStream | None = None
        self._tone: PlaybackStream | None = None
        self._tone_source: OnceSource | None = None
        self._tone_role = AudioRole.SPEAKER
        self._ring_pcm: bytes | None = None
        self._peak = 0.0
        self._next_meter = 0.0
        self._announced: tuple[tuple[AudioDevice, ...], tuple[AudioDevice, ...]] = ((), ())
        self._recover_pending = False
        self._denoise: NoiseSuppressor | None = None  # the call's capture stage
        self._listening = ListeningTests(  # the pre-shift mic test and the noise test
            emit=service._emit,
            set_playback=self._set_playback,
            close_playback=self._close_tone,
            reconcile=self._reconcile,
        )

    # -- lifecycle ---------------------------------------------------------------------

    @Slot()
    def setup(self) -> None:
        self._devices = QMediaDevices(self)
        self._devices.audioInputsChanged.connect(self._on_devices_changed)
        self._devices.audioOutputsChanged.connect(self._on_devices_changed)
        watch = PulseDeviceWatch(self._svc._devices_dirty)
        self._watch = watch if watch.start() else None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._denoise = NoiseSuppressor(
            enabled=self._svc.settings.noise_suppression, on_status=self._svc._noise_changed
        )
        self._svc._noise_changed(self._denoise.status)
        self._refresh_lists()
        self._svc._emit(AudioDevicesChanged(self._inputs, self._outputs))
        self._announced = (self._inputs, self._outputs)
        self._svc._ready.set()

    @Slot()
    def shutdown(self) -> None:
        for attr in ("_mic", "_speaker", "_ringer", "_tone"):
            self._close(attr)
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)
            self._timer = None
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if self._devices is not None:
            self._devices.setParent(None)
            self._devices = None
        thread = self.thread()
        thread.quit()

    # -- commands from other threads -----------------------------------------------------

    @Slot(bool)
    def set_call_active(self, active: bool) -> None:
        self._call_active = active
        if active:
            if self._denoise is not None:
                self._denoise.reset()  # a fresh noise estimate for each call
            self._listening.end_noise_test(NoiseTestPhase.CANCELLED)  # the call wins
        self._reconcile()

    @Slot(bool)
    def set_mic_meter(self, on: bool) -> None:
        self._meter_on = on
        self._reconcile()

    @Slot(float)
    def record_and_play_back(self, duration_s: float) -> None:
        """Record `duration_s` of the microphone (metering meanwhile), then play it on the
        headset: the pre-shift check's "do I sound right?" test."""
        self._listening.start_recording(duration_s)
        self._reconcile()

    @Slot(bool)
    def set_ringing(self, on: bool) -> None:
        self._ringing = on
        if not on:
            self._close("_ringer")
        self._reconcile()

    @Slot(float, float)
    def play_test_tone(self, freq_hz: float, duration_s: float) -> None:
        self._listening.end_noise_test(NoiseTestPhase.CANCELLED)
        self._close("_tone")
        self._tone_source = OnceSource(dsp.tone(freq_hz, duration_s, rate_hz=CLOCK_RATE_HZ))
        self._tone_role = AudioRole.SPEAKER
        self._reconcile()

    @Slot(float)
    def noise_test(self, duration_s: float) -> None:
        """Record `duration_s` from the microphone, then play it raw, then filtered."""
        if self._call_active:
            self._svc._emit(NoiseTestProgressed(NoiseTestPhase.CANCELLED.value))
            return
        self._listening.start_noise_test(duration_s)
        # a microphone that delivers nothing must not leave the page waiting
        QTimer.singleShot(int(1000 * (duration_s + 3.0)), self, self._on_noise_test_timeout)
        self._reconcile()

    @Slot()
    def settings_changed(self) -> None:
        if self._denoise is not None:
            self._denoise.set_enabled(self._svc.settings.noise_suppression)
        if self._ringer is not None:
            self._close("_ringer")  # reopened at the new volume/device below
        self._reconcile()

    # -- devices ----------------------------------------------------------------------

    def _refresh_lists(self) -> None:
        self._qt_inputs = list(QMediaDevices.audioInputs())
        self._qt_outputs = list(QMediaDevices.audioOutputs())
        if self._watch is not None:
            # Qt (6.12, PulseAudio) keeps unplugged devices listed: drop what PA no longer has.
            sinks, sources = self._watch.present()
            self._qt_inputs = [d for d in self._qt_inputs if device_id(d) in sources]
            self._qt_outputs = [d for d in self._qt_outputs if device_id(d) in sinks]
        self._inputs = tuple(_to_audio_device(d, True) for d in self._qt_inputs)
        self._outputs = tuple(_to_audio_device(d, False) for d in self._qt_outputs)
        self._svc._set_devices(self._inputs, self._outputs)

    @Slot()
    def _on_devices_changed(self) -> None:
        self._refresh_lists()
        if (self._inputs, self._outputs) != self._announced:
            self._announced = (self._inputs, self._outputs)
            log.info(
                "audio devices changed: %d inputs, %d outputs",
                len(self._inputs),
                len(self._outputs),
            )
            self._svc._emit(AudioDevicesChanged(self._inputs, self._outputs))
        self._reconcile()

    def _qt_device(self, role: AudioRole) -> QAudioDevice | None:
        listed = self._inputs if role.is_input else self._outputs
        qt_list = self._qt_inputs if role.is_input else self._qt_outputs
        chosen = effective_device(self._svc.settings.chosen(role), listed)
        if chosen is None:
            return None
        for dev in qt_list:
            if device_id(dev) == chosen.id:
                return dev
        return None

    # -- streams ------------------------------------------------------------------------

    def _reconcile(self) -> None:
        """Open, close or move each stream so it matches what is wanted and available."""
        settings = self._svc.settings
        recording = self._listening.recording
        self._place("_mic", AudioRole.MICROPHONE, self._call_active or self._meter_on or recording)
        # The headset output is also opened while ringing, so the first words of an
        # answered call (and the engine's auto-answer zip tone) are not lost while the
        # output stream starts (~0.1-0.7 s under PulseAudio).
        self._place("_speaker", AudioRole.SPEAKER, self._call_active or self._ringing)
        self._place("_ringer", AudioRole.RINGER, self._ringing, volume=settings.ringer_volume)
        tone_wanted = self._tone_source is not None and not self._tone_finished()
        self._place("_tone", self._tone_role, tone_wanted)
        if not tone_wanted:
            self._tone_source = None
        busy = any(getattr(self, a) is not None for a in ("_mic", "_speaker", "_ringer", "_tone"))
        if self._timer is not None:
            if busy and not self._timer.isActive():
                self._timer.start()
            elif not busy and self._timer.isActive():
                self._timer.stop()

    def _place(self, attr: str, role: AudioRole, wanted: bool, volume: float = 1.0) -> None:
        stream: CaptureStream | PlaybackStream | None = getattr(self, attr)
        target = self._qt_device(role) if wanted else None
        if (
            stream is not None
            and target is not None
            and stream.device_id == device_id(target)
            and not stream.errored
        ):
            return
        lost: str | None = None
        if stream is not None:
            ids = {d.id for d in (self._inputs if role.is_input else self._outputs)}
            if stream.device_id not in ids and wanted:
                lost = stream.device_id
            self._close(attr)
        if target is None:
            return
        new = self._open(role, attr, target, volume)
        setattr(self, attr, new)
        if lost is not None and attr != "_tone":
            log.warning("%s %r disappeared; now on %r", role.value, lost, new.device_id)
            self._svc._emit(AudioDeviceFellBack(role.value, lost, new.device_id))

    def _open(
        self, role: AudioRole, attr: str, dev: QAudioDevice, volume: float
    ) -> CaptureStream | PlaybackStream:
        svc = self._svc
        if attr == "_mic":
            svc.uplink.clear()
            return CaptureStream(dev, self)
        if attr == "_speaker":
            svc.downlink.clear()
            return PlaybackStream(dev, self, svc.downlink.read, buffer_ms=svc.device_buffer_ms)
        if attr == "_ringer":
            if self._ring_pcm is None:
                self._ring_pcm = dsp.ring_pattern(rate_hz=CLOCK_RATE_HZ)
            return PlaybackStream(dev, self, LoopSource(self._ring_pcm), volume=volume)
        assert self._tone_source is not None
        return PlaybackStream(dev, self, self._tone_source)

    def _close(self, attr: str) -> None:
        stream: CaptureStream | PlaybackStream | None = getattr(self, attr)
        if stream is not None:
            stream.close()
            setattr(self, attr, None)

    def _tone_finished(self) -> bool:
        src = self._tone_source
        if src is None or not src.done:
            return False
        # the device is fed silence after the end: what it still queues may be only that
        return self._tone is None or self._tone.queued_ms <= max(0.5, src.padded_ms)

    @Slot()
    def _on_timer_timeout(self) -> None:
        errored = False
        if self._mic is not None:
            pcm = self._mic.poll()
            if pcm:
                if self._call_active:
                    self._svc.uplink.write(self._denoise.process(pcm) if self._denoise else pcm)
                self._listening.noise_test_recorded(pcm)
                if self._meter_on:
                    self._meter(pcm)
                self._listening.recorded(pcm)
            errored |= self._mic.errored
            phase = self._listening.noise_test_phase
            if phase is NoiseTestPhase.PLAYING_RAW and self._tone is None:
                self._reconcile()  # the listening test's recording just ended
        for stream in (self._speaker, self._ringer, self._tone):
            if stream is not None:
                stream.feed()
                errored |= stream.errored
        if self._listening.take_recorded():  # the pre-shift check's recording: play it back
            self._reconcile()
        elif self._tone_source is not None and self._tone_finished():
            self._listening.noise_test_played()
            self._reconcile()
        if errored and not self._recover_pending:
            # A stream died (device vanished before the list said so): retry shortly,
            # once per RECOVER_DELAY_MS at most.
            self._recover_pending = True
            QTimer.singleShot(RECOVER_DELAY_MS, self, self._on_recover_timeout)

    @Slot()
    def _on_recover_timeout(self) -> None:
        self._recover_pending = False
        self._refresh_lists()
        self._reconcile()

    def _meter(self, pcm: bytes) -> None:
        self._peak = max(self._peak, dsp.peak_level(pcm))
        now = time.monotonic()
        if now >= self._next_meter:
            self._svc._emit(MicLevelMeasured(round(self._peak, 4)))
            self._peak = 0.0
            self._next_meter = now + METER_INTERVAL_S

    # -- the listening tests play through the tone slot -------------------------------------

    def _set_playback(self, pcm: bytes | None) -> None:
        if pcm is None:
            self._tone_source = None
            return
        self._tone_source = OnceSource(pcm)
        self._tone_role = AudioRole.SPEAKER

    def _close_tone(self) -> None:
        self._close("_tone")

    @Slot()
    def _on_noise_test_timeout(self) -> None:
        if self._listening.noise_test_phase is NoiseTestPhase.RECORDING:
            log.warning("listening test: the microphone gave no audio")
            self._listening.end_noise_test(NoiseTestPhase.FAILED)
            self._reconcile()

    def stats(self) -> tuple[str | None, str | None, float]:
        return (
            self._mic.device_id if self._mic else None,
            self._speaker.device_id if self._speaker else None,
            self._speaker.queued_ms if self._speaker else 0.0,
        )


class _Commands(QObject):
    """Signals into the worker; emitted from any thread, delivered on the audio thread."""

    call_active = Signal(bool)  # True while at least one call's audio is attached
    mic_meter = Signal(bool)  # metering on/off
    ringing = Signal(bool)  # ringer on/off
    test_tone = Signal(float, float)  # frequency Hz, duration s
    record_playback = Signal(float)  # seconds to record, then played back
    noise_test = Signal(float)  # listening test: seconds to record
    settings_changed = Signal()  # AudioService.settings was replaced
    devices_dirty = Signal()  # PulseAudio reported a sink/source change (any thread)
    shutdown = Signal()  # stop everything and end the thread


class AudioService:
    """Headset audio for the app: devices, ringer, meter, test tone and the call bridge.

    Create after the Q(Core/Gui)Application, `start()` before the SIP engine starts, pass
    `bridge` to `SipEngine(..., audio=service.bridge)`, `stop()` after the engine stopped.
    """

    def __init__(
        self,
        on_event: Callable[[Event], None],
        settings: AudioSettings | None = None,
        *,
        on_settings_changed: Callable[[AudioSettings], None] | None = None,
        target_latency_ms: float = 30.0,
        device_buffer_ms: int = 40,
    ) -> None:
        self._on_event = on_event
        self._on_settings_changed = on_settings_changed
        self._settings = settings or AudioSettings()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._inputs: tuple[AudioDevice, ...] = ()
        self._outputs: tuple[AudioDevice, ...] = ()
        self.device_buffer_ms = device_buffer_ms
        self.uplink = DriftBuffer(rate_hz=CLOCK_RATE_HZ, target_ms=target_latency_ms)
        self.downlink = DriftBuffer(rate_hz=CLOCK_RATE_HZ, target_ms=target_latency_ms)
        self.bridge = PjAudioBridge(self.uplink, self.downlink, on_active=self._on_bridge_active)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._cmd: _Commands | None = None
        self._noise_status = (
            NoiseStatus.ACTIVE if self._settings.noise_suppression else NoiseStatus.OFF
        )

    # -- lifecycle ---------------------------------------------------------------------

    def start(self, timeout_s: float = 10.0) -> None:
        """Start the audio thread and wait until devices are listed."""
        if self._thread is not None:
            return
        thread = QThread()
        thread.setObjectName("homeagent-audio")
        worker = _Worker(self)
        worker.moveToThread(thread)
        cmd = _Commands()
        cmd.call_active.connect(worker.set_call_active)
        cmd.mic_meter.connect(worker.set_mic_meter)
        cmd.ringing.connect(worker.set_ringing)
        cmd.test_tone.connect(worker.play_test_tone)
        cmd.record_playback.connect(worker.record_and_play_back)
        cmd.noise_test.connect(worker.noise_test)
        cmd.settings_changed.connect(worker.settings_changed)
        cmd.devices_dirty.connect(worker._on_devices_changed)
        cmd.shutdown.connect(worker.shutdown)
        thread.started.connect(worker.setup)
        self._thread, self._worker, self._cmd = thread, worker, cmd
        thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("audio thread did not start")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Close every stream and end the audio thread (after the SIP engine stopped)."""
        if self._thread is None or self._cmd is None:
            return
        self._cmd.shutdown.emit()
        if not self._thread.wait(int(timeout_s * 1000)):
            raise RuntimeError("audio thread did not stop")
        self._thread = self._worker = self._cmd = None
        self._ready.clear()

    # -- devices and settings ------------------------------------------------------------

    def devices(self) -> AudioDevicesChanged:
        """The current device lists (thread-safe snapshot)."""
        with self._lock:
            return AudioDevicesChanged(self._inputs, self._outputs)

    @property
    def settings(self) -> AudioSettings:
        with self._lock:
            return self._settings

    def select(self, role: AudioRole, device_id: str | None) -> None:
        """Use `device_id` (None: the system default) for `role`, remembered in settings."""
        with self._lock:
            self._settings = self._settings.with_choice(role, device_id)
            settings = self._settings
        self._settings_updated(settings)

    def select_microphone(self, device_id: str | None) -> None:
        self.select(AudioRole.MICROPHONE, device_id)

    def select_speaker(self, device_id: str | None) -> None:
        self.select(AudioRole.SPEAKER, device_id)

    def select_ringer(self, device_id: str | None) -> None:
        self.select(AudioRole.RINGER, device_id)

    def set_ringer_volume(self, volume: float) -> None:
        with self._lock:
            self._settings = replace(self._settings, ringer_volume=min(1.0, max(0.0, volume)))
            settings = self._settings
        self._settings_updated(settings)

    def set_noise_suppression(self, on: bool) -> None:
        """Filter home noise from the microphone during calls (on by default)."""
        with self._lock:
            self._settings = replace(self._settings, noise_suppression=on)
            settings = self._settings
        self._settings_updated(settings)

    @property
    def noise_status(self) -> NoiseStatus:
        """What the noise filter does now; `NoiseSuppressionChanged` tells changes."""
        with self._lock:
            return self._noise_status

    # -- ringer, settings-page helpers ---------------------------------------------------

    def start_ringing(self) -> None:
        """Ring on the ringer device (and open the headset output, ready for the call)."""
        self._command().ringing.emit(True)

    def stop_ringing(self) -> None:
        self._command().ringing.emit(False)

    def set_mic_meter(self, on: bool) -> None:
        """While on, `MicLevelMeasured` arrives ~10 times a second (opens the microphone)."""
        self._command().mic_meter.emit(on)

    def play_test_tone(self, freq_hz: float = 440.0, duration_s: float = 1.5) -> None:
        """Play a tone on the speaker (headset) device."""
        self._command().test_tone.emit(freq_hz, duration_s)

    def record_and_play_back(self, duration_s: float = 3.0) -> None:
        """Record the microphone for `duration_s`, then play it on the headset."""
        self._command().record_playback.emit(duration_s)

    def record_noise_test(self, duration_s: float = 3.0) -> None:
        """Record from the microphone, play it back raw then filtered in the headset.

        `NoiseTestProgressed` events follow each step (cancelled when a call starts).
        """
        self._command().noise_test.emit(duration_s)

    def stats(self) -> BridgeStats:
        mic, speaker, queued = self._worker.stats() if self._worker else (None, None, 0.0)
        return BridgeStats(mic, speaker, self.uplink.stats(), self.downlink.stats(), queued)

    # -- internals ------------------------------------------------------------------------

    def _command(self) -> _Commands:
        if self._cmd is None:
            raise RuntimeError("AudioService not started")
        return self._cmd

    def _settings_updated(self, settings: AudioSettings) -> None:
        if self._cmd is not None:
            self._cmd.settings_changed.emit()
        if self._on_settings_changed is not None:
            self._on_settings_changed(settings)

    def _on_bridge_active(self, active: bool) -> None:
        # Engine thread: only queue the request to the audio thread.
        if self._cmd is not None:
            self._cmd.call_active.emit(active)

    def _noise_changed(self, status: NoiseStatus) -> None:
        # Audio thread (the stage's on_status): remember it, tell the app.
        with self._lock:
            changed, self._noise_status = self._noise_status is not status, status
        if changed:
            self._emit(NoiseSuppressionChanged(status.value))

    def _devices_dirty(self) -> None:
        # libpulse's thread: only queue a refresh to the audio thread.
        if self._cmd is not None:
            self._cmd.devices_dirty.emit()

    def _set_devices(
        self, inputs: tuple[AudioDevice, ...], outputs: tuple[AudioDevice, ...]
    ) -> None:
        with self._lock:
            self._inputs, self._outputs = inputs, outputs

    def _emit(self, event: Event) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("audio event handler failed for %r", event)
