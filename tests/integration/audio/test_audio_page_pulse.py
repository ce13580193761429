"""The audio page over the real AudioService and a private PulseAudio (in a child process).

Qt Multimedia connects to PulseAudio once per process, so the page runs in
`audio_page_pulse_child.py`; the child's JSON report is checked here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.pulse import PulseServer

# one worker runs the audio tests one after another: their tones and meters are timed
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("audio")]

CHILD = Path(__file__).with_name("audio_page_pulse_child.py")
ROOT = Path(__file__).resolve().parents[3]


def _child(pulse: PulseServer, settings: Path, step: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(CHILD), str(settings), step],
        env=pulse.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:] + out.stdout[-2000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_real_devices_meter_hot_plug_fallback_and_restart(
    pulse: PulseServer, tmp_path: Path, tone_wav: Callable[[float, float], Path]
) -> None:
    settings = tmp_path / "audio.json"
    tone = pulse.play(tone_wav(440, 30))  # into the virtual headset microphone
    try:
        first = _child(pulse, settings, "first")
    finally:
        tone.terminate()
        tone.wait(timeout=10)
        if tone.stderr is not None:
            tone.stderr.close()
    assert first["speakers"] == [
        "System default device (Virtual_Headset)",
        *[s for s in first["speakers"] if not str(s).startswith("System default")],  # type: ignore[attr-defined]
    ]
    assert "Virtual_Headset" in first["speakers"]  # type: ignore[operator]
    assert "Virtual_Headset_Microphone" in first["microphones"]  # type: ignore[operator]
    assert int(first["meter"]) > 40  # type: ignore[call-overload]
    assert first["ringer_id"] == "usb_headset"
    assert first["banner"] == (
        "Ringer “USB_Headset” unplugged: calls now ring on “Virtual_Headset”."
    )
    assert first["stored"]["ringer_id"] == "usb_headset"  # type: ignore[index]
    # the next start: the unplugged ringer is still the agent's choice
    again = _child(pulse, settings, "again")
    assert again["selected"]["ringer"] == "USB_Headset (unplugged)"  # type: ignore[index]
    assert again["selected"]["speaker"] == "System default device (Virtual_Headset)"  # type: ignore[index]
