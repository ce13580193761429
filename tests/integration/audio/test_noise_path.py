"""The noise filter on the real microphone path: Qt capture on PulseAudio -> the call's uplink.

Steady noise (pink + hum, sox) is played into the virtual headset microphone while the
service believes a call is up (`_on_bridge_active(True)`, what the pjsua2 bridge calls);
what reaches the uplink drift buffer (what pjsua2 sends) is read as pjsua2 would, in 20 ms
frames. With the filter on it is far quieter than with it off. Then the settings page's
listening test runs end to end on the same devices. ~15 s in all.
"""

from __future__ import annotations

import math
import subprocess
import time
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core.audio_settings import AudioSettings, NoiseStatus, NoiseTestPhase
from homeagent.core.events import NoiseTestProgressed
from homeagent.sip.audio import AudioService
from tests.helpers.procs import wait_until
from tests.helpers.pulse import PulseServer
from tests.integration.audio.conftest import EventLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("audio")]
pytest.importorskip("webrtc_noise_gain")


def noise_wav(folder: Path, seconds: float) -> Path:
    out = folder / "noise.wav"
    subprocess.run(
        [
            *("sox", "-R", "-n", "-r", "48000", "-c", "1", "-b", "16", str(out)),
            *("synth", str(seconds), "pinknoise", "vol", "0.3"),
            *("synth", str(seconds), "sine", "mix", "120", "vol", "0.5"),
        ],
        check=True,
    )
    return out


def rms(pcm: bytes) -> float:
    a = array("h", pcm)
    return math.sqrt(sum(v * v for v in a) / max(1, len(a)))


def uplink_rms(svc: AudioService, pulse: PulseServer, wav: Path, seconds: float) -> float:
    """RMS of the last half of what the uplink carries while `wav` plays into the mic."""
    svc._on_bridge_active(True)  # what the bridge does when a call's audio starts
    try:
        wait_until(lambda: svc.stats().microphone_id == "headset_mic", timeout_s=10)
        player = pulse.play(wav)
        got = bytearray()
        try:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                time.sleep(0.02)
                got += svc.uplink.read(320)  # pjsua2's 20 ms frame at 16 kHz
        finally:
            player.terminate()
            player.wait(timeout=10)
    finally:
        svc._on_bridge_active(False)
    return rms(bytes(got[len(got) // 2 :]))


def test_the_call_uplink_carries_filtered_microphone_audio(
    make_service: Callable[..., AudioService], pulse: PulseServer, tmp_path: Path
) -> None:
    wav = noise_wav(tmp_path, 5.0)
    svc = make_service(AudioSettings(microphone_id="headset_mic", speaker_id="headset"))
    assert svc.noise_status is NoiseStatus.ACTIVE
    filtered = uplink_rms(svc, pulse, wav, 3.0)
    svc.set_noise_suppression(False)
    wait_until(lambda: svc.noise_status is NoiseStatus.OFF, timeout_s=5)
    raw = uplink_rms(svc, pulse, wav, 3.0)
    assert raw > 300  # the noise really reached the microphone
    # measured ~10 dB quieter here (21 dB on the same noise offline: the live capture
    # through Qt and PulseAudio is less steady); 6 dB is the bar for "clearly filtered"
    assert filtered < raw / 2, (filtered, raw)


def test_listening_test_records_then_plays_raw_then_filtered(
    make_service: Callable[..., AudioService],
    pulse: PulseServer,
    events: EventLog,
    tmp_path: Path,
) -> None:
    wav = noise_wav(tmp_path, 4.0)
    svc = make_service(AudioSettings(microphone_id="headset_mic", speaker_id="headset"))
    player = pulse.play(wav)
    try:
        with pulse.recording(tmp_path / "headset.wav", "headset.monitor"):
            svc.record_noise_test(1.5)
            events.wait_for(
                NoiseTestProgressed, lambda e: e.phase == NoiseTestPhase.DONE.value, timeout_s=20
            )
    finally:
        player.terminate()
        player.wait(timeout=10)
    phases = [e.phase for e in events.of(NoiseTestProgressed)]
    assert phases == [
        NoiseTestPhase.RECORDING.value,
        NoiseTestPhase.PLAYING_RAW.value,
        NoiseTestPhase.PLAYING_FILTERED.value,
        NoiseTestPhase.DONE.value,
    ]
    assert all(e.filtered for e in events.of(NoiseTestProgressed))
    with open(tmp_path / "headset.wav", "rb") as f:
        heard = f.read()[44:]
    assert rms(heard) > 100  # the playbacks reached the headset
    assert svc.stats().microphone_id is None  # the microphone is closed again
