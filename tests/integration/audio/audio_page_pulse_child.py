"""Child process of test_audio_page_pulse: the page over the real AudioService.

Qt Multimedia connects to PulseAudio once per process, so the real service runs here,
in a process of its own, and reports what it saw as one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtWidgets import QApplication

from homeagent.core.audio_settings import AudioSettings
from homeagent.core.audio_setup import AudioRole, AudioSettingsFile
from homeagent.sip.audio import AudioService
from homeagent.testing.screenshots import pump
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.settings.audio_page import AudioSettingsController, SettingsSaver
from homeagent.ui.shell.banner import Banner


def until(pred: Callable[[], object], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        pump(50)


def texts(controller: AudioSettingsController, role: AudioRole) -> list[str]:
    assert controller.page is not None
    combo = controller.page.combos[role]
    return [combo.itemText(i) for i in range(combo.count())]


def main(settings_path: str, step: str) -> dict[str, object]:
    app = QApplication(["audio-page-pulse"])
    file = AudioSettingsFile(Path(settings_path))
    dispatcher = Dispatcher()
    stored = file.load()
    saver = SettingsSaver(file, None, stored)
    audio = AudioService(
        dispatcher.post, AudioSettings.from_dict(stored), on_settings_changed=saver
    )
    audio.start()
    banner = Banner("missed")
    controller = AudioSettingsController(
        audio=audio, dispatcher=dispatcher, banner=banner, saver=saver
    )
    page = controller.open_page()
    out: dict[str, object] = {}
    try:
        until(lambda: "Virtual_Headset" in texts(controller, AudioRole.SPEAKER), "the device lists")
        if step == "again":
            out["selected"] = {r.value: page.combos[r].currentText() for r in AudioRole}
            return out
        out["speakers"] = texts(controller, AudioRole.SPEAKER)
        out["microphones"] = texts(controller, AudioRole.MICROPHONE)
        until(lambda: page.meter.value() > 40, "the meter to move with the tone")
        out["meter"] = page.meter.value()
        loaded = subprocess.run(
            [
                "pactl",
                "load-module",
                "module-null-sink",
                "sink_name=usb_headset",
                "sink_properties=device.description=USB_Headset",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        until(lambda: "USB_Headset" in texts(controller, AudioRole.RINGER), "the plugged headset")
        index = texts(controller, AudioRole.RINGER).index("USB_Headset")
        page.combos[AudioRole.RINGER].activated.emit(index)
        out["ringer_id"] = audio.settings.ringer_id
        audio.start_ringing()
        time.sleep(0.5)
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], check=True)
        until(banner.isVisible, "the fallback banner")
        out["banner"] = banner.text.text()
        audio.stop_ringing()
        out["stored"] = json.loads(Path(settings_path).read_text(encoding="utf-8"))
        return out
    finally:
        controller.stop()
        audio.stop()
        page.deleteLater()
        pump(50)
        del app


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
