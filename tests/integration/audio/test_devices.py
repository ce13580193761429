"""Qt Multimedia device side against a real PulseAudio with a virtual headset."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core.audio_settings import AudioSettings
from homeagent.core.events import AudioDevicesChanged, MicLevelMeasured
from homeagent.sip.audio import AudioService
from homeagent.sip.audio.dsp import dominant_frequency, goertzel_power
from tests.helpers.procs import wait_until
from tests.helpers.pulse import PulseServer
from tests.integration.audio.conftest import EventLog

# one worker runs the audio tests one after another: their tones and meters are timed
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("audio")]


def read_wav(path: Path) -> tuple[bytes, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1
        assert w.getsampwidth() == 2
        return w.readframes(w.getnframes()), w.getframerate()


def test_devices_are_listed_by_the_names_users_see(
    make_service: Callable[..., AudioService], events: EventLog
) -> None:
    svc = make_service()
    devices = svc.devices()
    outputs = {d.id: d for d in devices.outputs}
    inputs = {d.id: d for d in devices.inputs}
    assert outputs["headset"].name == "Virtual_Headset"
    assert outputs["headset"].is_default
    assert inputs["headset_mic"].name == "Virtual_Headset_Microphone"
    assert all(not i.id.endswith(".monitor") for i in devices.inputs)
    # The initial list is also reported as an event.
    assert events.of(AudioDevicesChanged)


def test_a_headset_plugged_in_appears(
    make_service: Callable[..., AudioService], events: EventLog, pulse: PulseServer
) -> None:
    svc = make_service()
    events.clear()
    pulse.plug_headset("usb_headset", "USB_Headset")

    def seen() -> bool:
        changes = events.of(AudioDevicesChanged)
        return bool(changes) and any(
            d.id == "usb_headset" and d.name == "USB_Headset" for d in changes[-1].outputs
        )

    wait_until(seen, timeout_s=10)
    assert any(d.id == "usb_headset" for d in svc.devices().outputs)


def test_mic_level_follows_what_the_microphone_hears(
    make_service: Callable[..., AudioService],
    events: EventLog,
    pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
) -> None:
    svc = make_service()
    svc.set_mic_meter(True)
    wait_until(lambda: len(events.of(MicLevelMeasured)) >= 3, timeout_s=10)
    quiet = max(e.level for e in events.of(MicLevelMeasured))
    assert quiet < 0.01
    player = pulse.play(tone_wav(1000, 3.0))
    try:
        wait_until(lambda: any(e.level > 0.2 for e in events.of(MicLevelMeasured)), timeout_s=10)
    finally:
        player.terminate()
        player.wait(timeout=10)
    svc.set_mic_meter(False)


def test_test_tone_plays_on_the_chosen_speaker(
    make_service: Callable[..., AudioService], pulse: PulseServer, tmp_path: Path
) -> None:
    svc = make_service(AudioSettings(speaker_id="headset"))
    with pulse.recording(tmp_path / "speaker.wav", "headset.monitor"):
        svc.play_test_tone(1000.0, 1.5)
        time.sleep(2.5)
    pcm, rate = read_wav(tmp_path / "speaker.wav")
    assert len(pcm) > rate  # > 0.5 s recorded
    assert dominant_frequency(pcm, rate, range(200, 3001, 100)) == 1000.0


def test_ringer_rings_on_its_own_device(
    make_service: Callable[..., AudioService], pulse: PulseServer, tmp_path: Path
) -> None:
    pulse.plug_headset("pc_speakers", "PC_Speakers")
    svc = make_service(AudioSettings(speaker_id="headset", ringer_id="pc_speakers"))
    wait_until(lambda: any(d.id == "pc_speakers" for d in svc.devices().outputs), timeout_s=10)
    with (
        pulse.recording(tmp_path / "ringer.wav", "pc_speakers.monitor"),
        pulse.recording(tmp_path / "headset.wav", "headset.monitor"),
    ):
        svc.start_ringing()
        time.sleep(2.5)
        # The headset output is opened while ringing, ready for the call's first words.
        assert svc.stats().speaker_id == "headset"
        svc.stop_ringing()
        wait_until(lambda: svc.stats().speaker_id is None, timeout_s=10)
    ring, rate = read_wav(tmp_path / "ringer.wav")
    quiet, _ = read_wav(tmp_path / "headset.wav")
    assert goertzel_power(ring, 440.0, rate) > 1000 * max(goertzel_power(quiet, 440.0, rate), 1e-3)
    assert dominant_frequency(ring, rate, range(300, 1001, 20)) in (440.0, 480.0)


def test_the_microphone_test_plays_back_what_it_recorded(
    make_service: Callable[..., AudioService],
    events: EventLog,
    pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
    tmp_path: Path,
) -> None:
    """The pre-shift check's "record 3 s, hear yourself": a 700 Hz tone said into the
    microphone comes back on the headset once the recording is over (and not before)."""
    svc = make_service(AudioSettings(speaker_id="headset"))
    player = pulse.play(tone_wav(700, 3.0))
    try:
        svc.set_mic_meter(True)  # the check's meter: on while the agent speaks
        wait_until(lambda: any(e.level > 0.2 for e in events.of(MicLevelMeasured)), timeout_s=10)
        svc.record_and_play_back(1.5)
        with pulse.recording(tmp_path / "during.wav", "headset.monitor"):
            time.sleep(1.0)  # still recording: nothing on the headset yet
    finally:
        player.terminate()
        player.wait(timeout=10)
    with pulse.recording(tmp_path / "after.wav", "headset.monitor"):
        time.sleep(2.0)
    during, rate = read_wav(tmp_path / "during.wav")
    after, _ = read_wav(tmp_path / "after.wav")
    heard_before = max(goertzel_power(during, 700.0, rate), 1e-3)
    assert goertzel_power(after, 700.0, rate) > 1000 * heard_before
    assert dominant_frequency(after, rate, range(300, 1501, 50)) == 700.0
