"""Headset audio through a real call: SipEngine + AudioService on PulseAudio, far end in pjsua2.

The agent (engine account 1001, in this process) is called through Kamailio by a far end
(the engine's scriptable peer `python -m homeagent.sip.peer`, account 1002, a subprocess)
that plays one tone and records what it hears.
The virtual headset microphone gets another tone from `paplay`; the headset output is
recorded with `parecord`. Frequencies, not timings, are asserted.
"""

from __future__ import annotations

import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from homeagent.core.audio_settings import AudioSettings
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
from homeagent.sip.audio import AudioService
from homeagent.sip.audio.dsp import dominant_frequency, goertzel_power
from homeagent.sip.engine import SipEngine
from homeagent.sip.media import AudioAttachment
from tests.helpers.kamailio import Kamailio
from tests.helpers.procs import wait_until
from tests.helpers.pulse import PulseServer
from tests.integration.audio.conftest import EventLog
from tests.integration.sip.conftest import account_for
from tests.integration.sip.peers import PeerProcess, Peers

# one worker runs the audio tests one after another: their tones and meters are timed
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("audio")]

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
def peers(tmp_path: Path) -> Iterator[Peers]:
    """The engine's scriptable pjsua2 peer (`python -m homeagent.sip.peer`) as far end."""
    running = Peers(tmp_path)
    yield running
    running.stop_all()


def call_agent(
    peers: Peers, kamailio: Kamailio, tmp_path: Path, play: Path, talk_s: float
) -> tuple[PeerProcess, Path]:
    """The far end (account 1002) calls the agent, plays `play`, records what it hears."""
    record = tmp_path / "far_heard.wav"
    far = peers.start(
        "--call", f"sip:1001@{kamailio.domain}",
        "--play", str(play),
        "--record", str(record),
        "--hangup-after", str(talk_s),
        "--exit-on-end",
        kamailio=kamailio,
        user="1002",
    )  # fmt: skip
    return far, record


def answer(agent: Agent) -> int:
    ringing = agent.events.wait_for(CallRinging, timeout_s=20)
    agent.engine.submit(Answer(ringing.call_id))
    return ringing.call_id


def finish(far: PeerProcess, timeout_s: float = 40) -> dict[str, object]:
    """Wait until the far end hung up and exited (its recording is then complete)."""
    ended = far.wait_for("ended", timeout_s=timeout_s)
    far.proc.wait(timeout=15)
    return ended


def test_tones_cross_a_call_both_ways(
    agent: Agent,
    kamailio: Kamailio,
    pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
    tmp_path: Path,
    peers: Peers,
) -> None:
    mic = pulse.play(tone_wav(MIC_HZ, 30.0))
    try:
        with pulse.recording(tmp_path / "headset_heard.wav", "headset.monitor"):
            far, far_record = call_agent(peers, kamailio, tmp_path, tone_wav(FAR_HZ, 30.0), 5)
            answer(agent)
            ended = finish(far)
    finally:
        mic.terminate()
        mic.wait(timeout=10)
    assert float(ended["duration_s"]) >= 4.5  # type: ignore[arg-type]
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
    peers: Peers,
) -> None:
    far, _ = call_agent(peers, kamailio, tmp_path, tone_wav(FAR_HZ, 60.0), 14)
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
    far_ended = finish(far)
    assert float(far_ended["duration_s"]) >= 13  # type: ignore[arg-type]
    ended = agent.events.wait_for(CallEnded, lambda e: e.call_id == call_id)
    assert ended.answered
    assert ended.duration_s > 8


def test_microphone_unplugged_mid_call_falls_back_and_the_far_end_still_hears(
    agent: Agent,
    kamailio: Kamailio,
    pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
    tmp_path: Path,
    peers: Peers,
) -> None:
    # A USB headset microphone: its own feed sink, remapped as a source, chosen by the agent.
    feed = int(
        pulse.pactl(
            "load-module", "module-null-sink", "sink_name=usbfeed",
            "sink_properties=device.description=USB_Feed",
        ).strip()
    )  # fmt: skip
    usb_mic = int(
        pulse.pactl(
            "load-module", "module-remap-source", "source_name=usb_mic",
            "master=usbfeed.monitor", "channels=1", "channel_map=mono",
            "source_properties=device.description=USB_Headset_Microphone",
        ).strip()
    )  # fmt: skip
    wait_until(lambda: any(d.id == "usb_mic" for d in agent.audio.devices().inputs), timeout_s=10)
    agent.audio.select_microphone("usb_mic")
    usb_tone = pulse.play(tone_wav(MIC_HZ, 60.0), device="usbfeed")
    default_tone = pulse.play(tone_wav(1500.0, 60.0), device="micfeed")
    try:
        far, far_record = call_agent(peers, kamailio, tmp_path, tone_wav(FAR_HZ, 60.0), 12)
        answer(agent)
        wait_until(lambda: agent.audio.stats().microphone_id == "usb_mic", timeout_s=15)
        time.sleep(4)
        pulse.unplug(usb_mic)
        pulse.unplug(feed)
        fell = agent.events.wait_for(AudioDeviceFellBack, timeout_s=10)
        assert (fell.role, fell.lost_id, fell.now_id) == ("microphone", "usb_mic", "headset_mic")
        ended = finish(far)
    finally:
        for player in (usb_tone, default_tone):
            player.terminate()
            player.wait(timeout=10)
    assert float(ended["duration_s"]) >= 11  # type: ignore[arg-type]
    # The far end heard the USB microphone's tone, then (after the fallback) the default's.
    # (12 s call, unplugged >= 5 s in: compare the first 40 % with the last 40 %.)
    pcm, rate = read_wav(far_record)
    cut = len(pcm) * 2 // 10 * 2
    assert dominant_frequency(pcm[:cut], rate, CANDIDATES) == MIC_HZ
    assert dominant_frequency(pcm[-cut:], rate, CANDIDATES) == 1500.0
