"""Headset audio through a real call: SipEngine + AudioService on PulseAudio, far end in pjsua2.

The agent (engine account 1001, in this process) is called through Kamailio by a far end
(`far_end.py`, account 1002, a subprocess) that plays one tone and records what it hears.
The virtual headset microphone gets another tone from `paplay`; the headset output is
recorded with `parecord`. Frequencies, not timings, are asserted.
"""

from __future__ import annotations

import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from homeagent.core.commands import Answer
from homeagent.core.events import (
    AudioDeviceFellBack,
    AudioDevicesChanged,
    CallEnded,
    CallRinging,
    RegistrationChanged,
    RegistrationState,
)
from homeagent.core.sip_config import EngineConfig
from homeagent.sip.audio import AudioService, AudioSettings
from homeagent.sip.audio.dsp import dominant_frequency, goertzel_power
from homeagent.sip.engine import SipEngine
from homeagent.sip.media import AudioAttachment
from tests.helpers.kamailio import Kamailio
from tests.helpers.procs import wait_until
from tests.helpers.pulse import PulseServer
from tests.integration.audio.conftest import EventLog
from tests.integration.sip.conftest import account_for

pytestmark = pytest.mark.integration

FAR_END = Path(__file__).with_name("far_end.py")
MIC_HZ = 1000.0  # played into the virtual headset microphone, must reach the far end
FAR_HZ = 700.0  # played by the far end, must reach the virtual headset output
CANDIDATES = range(300, 2001, 50)


def read_wav(path: Path, skip_s: float = 0.0) -> tuple[bytes, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1
        assert w.getsampwidth() == 2
        rate = w.getframerate()
        w.setpos(min(w.getnframes(), int(skip_s * rate)))
        return w.readframes(w.getnframes()), rate


def tone_share(pcm: bytes, rate: int, freq: float) -> float:
    """How much louder `freq` is than the strongest other candidate (ratio of powers)."""
    target = goertzel_power(pcm, freq, rate)
    others = max(goertzel_power(pcm, f, rate) for f in CANDIDATES if abs(f - freq) > 100)
    return target / max(others, 1e-9)


@dataclass
class Agent:
    engine: SipEngine
    audio: AudioService
    events: EventLog


@pytest.fixture
def agent(
    kamailio: Kamailio, make_service: Callable[..., AudioService], events: EventLog
) -> Iterator[Agent]:
    audio = make_service(AudioSettings(microphone_id="headset_mic", speaker_id="headset"))
    assert isinstance(audio.bridge, AudioAttachment)
    engine = SipEngine(EngineConfig(), account_for(kamailio, "1001"), events, audio=audio.bridge)
    engine.start()
    try:
        events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
        yield Agent(engine, audio, events)
    finally:
        engine.stop(timeout_s=8)


@pytest.fixture
def far_ends() -> Iterator[list[subprocess.Popen[str]]]:
    """Far-end processes started by a test; killed if the test failed before they ended."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def call_agent(
    kamailio: Kamailio,
    tmp_path: Path,
    play: Path,
    talk_s: float,
    far_ends: list[subprocess.Popen[str]],
) -> tuple[subprocess.Popen[str], Path]:
    record = tmp_path / "far_heard.wav"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(FAR_END),
            f"--proxy={kamailio.host}:{kamailio.udp_port}",
            f"--domain={kamailio.domain}",
            "--user=1002",
            f"--password={kamailio.passwords['1002']}",
            "--call=1001",
            f"--play={play}",
            f"--record={record}",
            f"--talk-s={talk_s}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    far_ends.append(proc)
    return proc, record


def answer(agent: Agent) -> int:
    ringing = agent.events.wait_for(CallRinging, timeout_s=20)
    agent.engine.submit(Answer(ringing.call_id))
    return ringing.call_id


def finish(proc: subprocess.Popen[str], timeout_s: float = 40) -> str:
    out, _ = proc.communicate(timeout=timeout_s)
    assert proc.returncode == 0, out
    return out


def test_tones_cross_a_call_both_ways(
    agent: Agent,
    kamailio: Kamailio,
    pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
    tmp_path: Path,
    far_ends: list[subprocess.Popen[str]],
) -> None:
    mic = pulse.play(tone_wav(MIC_HZ, 30.0))
    try:
        with pulse.recording(tmp_path / "headset_heard.wav", "headset.monitor"):
            proc, far_record = call_agent(kamailio, tmp_path, tone_wav(FAR_HZ, 30.0), 5, far_ends)
            answer(agent)
            wait_until(lambda: proc.poll() is not None, timeout_s=40)
            out = finish(proc)
    finally:
        mic.terminate()
        mic.wait(timeout=10)
    assert "CONFIRMED" in out
    # Far end heard the headset microphone.
    far, far_rate = read_wav(far_record, skip_s=1.0)
    assert len(far) > 2 * far_rate * 2  # > 2 s of audio
    assert dominant_frequency(far, far_rate, CANDIDATES) == MIC_HZ
    assert tone_share(far, far_rate, MIC_HZ) > 10
    # The headset output carried the far end's tone.
    heard, rate = read_wav(tmp_path / "headset_heard.wav", skip_s=1.0)
    assert dominant_frequency(heard, rate, CANDIDATES) == FAR_HZ
    assert tone_share(heard, rate, FAR_HZ) > 10
    # The call audio went through the bridge: both drift buffers moved audio.
    stats = agent.audio.stats()
    assert stats.uplink.read_samples > 16000
    assert stats.downlink.written_samples > 16000


def test_headset_plugged_and_unplugged_mid_call_keeps_the_call(
    agent: Agent,
    kamailio: Kamailio,
    pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
    tmp_path: Path,
    far_ends: list[subprocess.Popen[str]],
) -> None:
    proc, _ = call_agent(kamailio, tmp_path, tone_wav(FAR_HZ, 60.0), 14, far_ends)
    call_id = answer(agent)
    wait_until(lambda: agent.audio.stats().speaker_id == "headset", timeout_s=15)

    # Plug a USB headset: it is listed; choose it as the speaker; the far end is heard there.
    module = pulse.plug_headset("usb_headset", "USB_Headset")
    agent.events.wait_for(
        AudioDevicesChanged, lambda e: any(d.id == "usb_headset" for d in e.outputs)
    )
    agent.audio.select_speaker("usb_headset")
    wait_until(lambda: agent.audio.stats().speaker_id == "usb_headset", timeout_s=10)
    with pulse.recording(tmp_path / "usb_heard.wav", "usb_headset.monitor"):
        time.sleep(2.5)
    usb, rate = read_wav(tmp_path / "usb_heard.wav", skip_s=0.5)
    assert dominant_frequency(usb, rate, CANDIDATES) == FAR_HZ

    # Unplug it mid-call: audio falls back to the default headset, the call goes on.
    pulse.unplug(module)
    fell = agent.events.wait_for(AudioDeviceFellBack, timeout_s=10)
    assert (fell.role, fell.lost_id, fell.now_id) == ("speaker", "usb_headset", "headset")
    wait_until(lambda: agent.audio.stats().speaker_id == "headset", timeout_s=10)
    with pulse.recording(tmp_path / "back_heard.wav", "headset.monitor"):
        time.sleep(2.5)
    assert not agent.events.of(CallEnded), "the call dropped with the device"
    back, rate = read_wav(tmp_path / "back_heard.wav", skip_s=0.5)
    assert dominant_frequency(back, rate, CANDIDATES) == FAR_HZ

    # The choice is remembered: the USB headset stays the chosen speaker for next time.
    assert agent.audio.settings.speaker_id == "usb_headset"
    wait_until(lambda: proc.poll() is not None, timeout_s=40)
    out = finish(proc)
    assert "DISCONNECTED" in out
    ended = agent.events.wait_for(CallEnded, lambda e: e.call_id == call_id)
    assert ended.answered
    assert ended.duration_s > 8
