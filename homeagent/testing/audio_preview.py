"""A fake audio service (same methods as `AudioService`) and the page's screenshot.

``python -m homeagent.testing.audio_preview OUT.png [--lang fr|en] [--dark]`` saves the audio
settings page over the fake, with a headset unplugged and the meter moving
(``--noise-test``: the noise filter's listening test playing back).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

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

BUILT_IN_MIC = AudioDevice(
    "alsa_input.pci-0000_00_1f.3.analog-stereo", "Microphone interne", True, True
)
BUILT_IN_OUT = AudioDevice(
    "alsa_output.pci-0000_00_1f.3.analog-stereo", "Haut-parleurs intégrés", False, True
)
HEADSET_MIC = AudioDevice(
    "alsa_input.usb-Jabra_Evolve2_40-00.mono-fallback", "Jabra Evolve2 40 Mono", True
)
HEADSET_OUT = AudioDevice(
    "alsa_output.usb-Jabra_Evolve2_40-00.analog-stereo", "Jabra Evolve2 40 Stéréo", False
)
HDMI_OUT = AudioDevice(
    "alsa_output.pci-0000_01_00.1.hdmi-stereo", "Écran HDMI (DELL P2419H)", False
)


class FakeAudioService:
    """Records what the page asked for; events go to `on_event` from a worker thread.

    Same public methods as `homeagent.sip.audio.AudioService`, no sound device.
    """

    def __init__(
        self,
        on_event: Callable[[Event], None],
        settings: AudioSettings | None = None,
        *,
        on_settings_changed: Callable[[AudioSettings], None] | None = None,
        inputs: tuple[AudioDevice, ...] = (BUILT_IN_MIC, HEADSET_MIC),
        outputs: tuple[AudioDevice, ...] = (BUILT_IN_OUT, HEADSET_OUT, HDMI_OUT),
    ) -> None:
        self._on_event = on_event
        self._on_settings_changed = on_settings_changed
        self._settings = settings or AudioSettings()
        self._inputs, self._outputs = inputs, outputs
        self.bridge: Any = None  # the real one is the engine's AudioAttachment
        self.calls: list[tuple[str, Any]] = []
        self.meter_on = False
        self.ringing = False
        self._noise_status = (
            NoiseStatus.ACTIVE if self._settings.noise_suppression else NoiseStatus.OFF
        )

    # -- the AudioService surface --------------------------------------------------------

    def start(self, timeout_s: float = 10.0) -> None:
        self._emit(AudioDevicesChanged(self._inputs, self._outputs))

    def stop(self, timeout_s: float = 10.0) -> None:
        self.meter_on = False

    def devices(self) -> AudioDevicesChanged:
        return AudioDevicesChanged(self._inputs, self._outputs)

    @property
    def settings(self) -> AudioSettings:
        return self._settings

    def select(self, role: AudioRole, device_id: str | None) -> None:
        self.calls.append((f"select_{role.value}", device_id))
        self._settings = self._settings.with_choice(role, device_id)
        self._changed()

    def select_microphone(self, device_id: str | None) -> None:
        self.select(AudioRole.MICROPHONE, device_id)

    def select_speaker(self, device_id: str | None) -> None:
        self.select(AudioRole.SPEAKER, device_id)

    def select_ringer(self, device_id: str | None) -> None:
        self.select(AudioRole.RINGER, device_id)

    def set_ringer_volume(self, volume: float) -> None:
        self.calls.append(("set_ringer_volume", volume))
        s = self._settings
        self._settings = replace(s, ringer_volume=min(1.0, max(0.0, volume)))
        self._changed()

    def set_noise_suppression(self, on: bool) -> None:
        self.calls.append(("set_noise_suppression", on))
        self._settings = replace(self._settings, noise_suppression=on)
        if self._noise_status in (NoiseStatus.ACTIVE, NoiseStatus.OFF):
            self._set_noise_status(NoiseStatus.ACTIVE if on else NoiseStatus.OFF)
        self._changed()

    @property
    def noise_status(self) -> NoiseStatus:
        return self._noise_status

    def record_noise_test(self, duration_s: float = 3.0) -> None:
        self.calls.append(("record_noise_test", duration_s))
        self._emit(NoiseTestProgressed(NoiseTestPhase.RECORDING.value))

    def start_ringing(self) -> None:
        self.ringing = True

    def stop_ringing(self) -> None:
        self.ringing = False

    def set_mic_meter(self, on: bool) -> None:
        self.calls.append(("set_mic_meter", on))
        self.meter_on = on

    def play_test_tone(self, freq_hz: float = 440.0, duration_s: float = 1.5) -> None:
        self.calls.append(("play_test_tone", (freq_hz, duration_s)))

    def record_and_play_back(self, duration_s: float = 3.0) -> None:
        self.calls.append(("record_and_play_back", duration_s))

    # -- driving it from a test ----------------------------------------------------------

    def plug(self, device: AudioDevice) -> None:
        """A device appears (hot-plug)."""
        if device.is_input:
            self._inputs = (*self._inputs, device)
        else:
            self._outputs = (*self._outputs, device)
        self._emit(AudioDevicesChanged(self._inputs, self._outputs))

    def unplug(self, device_id: str, *, in_use_as: AudioRole | None = None) -> None:
        """A device disappears; when it was in use as `in_use_as`, audio falls back."""
        self._inputs = tuple(d for d in self._inputs if d.id != device_id)
        self._outputs = tuple(d for d in self._outputs if d.id != device_id)
        self._emit(AudioDevicesChanged(self._inputs, self._outputs))
        if in_use_as is not None:
            listed = self._inputs if in_use_as.is_input else self._outputs
            now = effective_device(None, listed)
            self._emit(AudioDeviceFellBack(in_use_as.value, device_id, now.id if now else ""))

    def level(self, peak: float) -> None:
        """The microphone measured a peak (only while the meter is on, as the real one)."""
        if self.meter_on:
            self._emit(MicLevelMeasured(peak))

    def noise_test_step(self, phase: NoiseTestPhase, *, filtered: bool = True) -> None:
        """The listening test moves on (the real one does it by itself)."""
        self._emit(NoiseTestProgressed(phase.value, filtered))

    def _set_noise_status(self, status: NoiseStatus) -> None:
        """The filter changes state (e.g. FAILED, UNAVAILABLE), as the real one tells."""
        if status is not self._noise_status:
            self._noise_status = status
            self._emit(NoiseSuppressionChanged(status.value))

    def _changed(self) -> None:
        if self._on_settings_changed is not None:
            self._on_settings_changed(self._settings)

    def _emit(self, event: Event) -> None:
        # the real service delivers on its audio thread: so does the fake
        worker = threading.Thread(target=self._on_event, args=(event,), name="fake-audio")
        worker.start()
        worker.join()


def main(argv: list[str] | None = None) -> int:
    """Save a screenshot of the audio settings page over the fake."""
    from PySide6.QtWidgets import QApplication

    from homeagent.testing.screenshots import pump
    from homeagent.ui.qt.dispatcher import Dispatcher
    from homeagent.ui.qt.i18n import install_translators
    from homeagent.ui.qt.theme import apply_theme
    from homeagent.ui.settings.audio_page import AudioSettingsController
    from homeagent.ui.shell.banner import Banner

    parser = argparse.ArgumentParser(prog="python -m homeagent.testing.audio_preview")
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument(
        "--noise-test", action="store_true", help="show the listening test playing back"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(["homeagent-audio-preview"])
    assert isinstance(app, QApplication)
    translators = install_translators(app, args.lang, Path(tempfile.mkdtemp()))
    apply_theme(app, dark=args.dark)
    dispatcher = Dispatcher()
    banner = Banner("missed")
    audio = FakeAudioService(
        dispatcher.post,
        AudioSettings(HEADSET_MIC.id, HEADSET_OUT.id, HDMI_OUT.id, ringer_volume=0.7),
    )
    controller = AudioSettingsController(audio=audio, dispatcher=dispatcher, banner=banner)
    page = controller.open_page()
    pump(200)
    audio.unplug(HDMI_OUT.id)  # the screen's speakers were the ringer: shown as unplugged
    audio.level(0.2)
    if args.noise_test:
        page.noise_test.click()
        audio.noise_test_step(NoiseTestPhase.PLAYING_FILTERED)
    pump(300)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(args.out))
    print(args.out)
    controller.stop()
    del translators
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
