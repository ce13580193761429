"""Live supervision with real audio: three parties, three tones, two PulseAudio daemons.

- the customer: the scriptable peer (`python -m homeagent.sip.peer`, 2001) plays 700 Hz
  and records what it hears;
- the agent: SipEngine + AudioService in this process (1001) on the session's private
  PulseAudio; its virtual microphone gets 1 kHz, its virtual headset is recorded;
- the lead: a second SipEngine with its own AudioService in a child process
  (tests/integration/sip/engine_host.py --audio, 1003; pjsua2 allows one Endpoint per
  process) on a second private PulseAudio; its microphone gets 500 Hz, its headset is
  recorded.

The agent's app calls the lead's through Kamailio (the supervision leg) and mixes it in
its own conference bridge. Asserted with Goertzel amplitudes of the three frequencies in
windows placed after each switch (frequencies, not timings): a frequency is "heard" when
its amplitude is well above the noise floor, "not heard" when it is at least 10 times
(20 dB) below what the same recording shows where it must be heard. The amplitude is
measured per 100 ms (Hann window, probes at f and f +/- 10 Hz: the headsets' drift
buffers may shift a tone by a few Hz while they absorb clock drift).
"""

from __future__ import annotations

import array
import math
import secrets
import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from homeagent.core import commands as cmd
from homeagent.core.audio_settings import AudioSettings
from homeagent.core.events import (
    CallPhase,
    CallRinging,
    CallStateChanged,
    RegistrationChanged,
    RegistrationState,
    SupervisionChanged,
)
from homeagent.core.sip_config import EngineConfig
from homeagent.sip.audio import AudioService
from homeagent.sip.engine import SipEngine
from tests.helpers.kamailio import Kamailio
from tests.helpers.pulse import PulseServer, start_pulse
from tests.integration.audio.conftest import EventLog
from tests.integration.sip.conftest import account_for
from tests.integration.sip.peers import PeerProcess, Peers, start_engine_host

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("audio")]

CUSTOMER_HZ = 700.0
AGENT_MIC_HZ = 1000.0
LEAD_MIC_HZ = 500.0
PHASE_S = 3.2  # each step lasts this long
SETTLE_S = 1.0  # a switch must be complete (audible or silent) this long after it
SHORT_S = 0.5  # the first window after a switch: proves "within 1 s"
HEARD_AMP = 300.0  # int16 units (-40 dBFS): a tone this loud is there
GAP = 10.0  # "not heard": at least 20 dB below its level where it is heard


@dataclass
class Track:
    """A mono 16-bit recording and the wall-clock time of its first sample."""

    name: str
    pcm: bytes
    rate: int
    start_t: float

    @classmethod
    def load(
        cls, name: str, path: Path, *, end_t: float | None = None, start_t: float = 0.0
    ) -> Track:
        with wave.open(str(path), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2), path
            rate = w.getframerate()
            pcm = w.readframes(w.getnframes())
        if end_t is not None:
            start_t = end_t - len(pcm) / 2 / rate
        return cls(name, pcm, rate, start_t)

    def window(self, t0: float, seconds: float) -> bytes:
        first = max(0, round((t0 - self.start_t) * self.rate))
        last = first + round(seconds * self.rate)
        pcm = self.pcm[2 * first : 2 * last]
        assert len(pcm) >= 2 * round(0.9 * seconds * self.rate), (
            f"{self.name}: the recording does not cover {t0 - self.start_t:.2f} s + {seconds} s"
        )
        return pcm

    def amp(self, t0: float, seconds: float, freq: float) -> float:
        """The amplitude (int16 units) of `freq` in the window (RMS over 100 ms chunks)."""
        return band_amplitude(self.window(t0, seconds), self.rate, freq)


def band_amplitude(pcm: bytes, rate: int, freq: float, chunk_s: float = 0.1) -> float:
    """Amplitude of a sine near `freq` (+/- 15 Hz): Hann-windowed Goertzel per chunk."""
    samples = array.array("h", pcm)
    n = int(rate * chunk_s)
    hann = [0.5 - 0.5 * math.cos(2 * math.pi * i / (n - 1)) for i in range(n)]
    gain = sum(hann) / 2
    squares: list[float] = []
    for start in range(0, len(samples) - n + 1, n):
        windowed = [x * w for x, w in zip(samples[start : start + n], hann, strict=True)]
        best = 0.0
        for probe in (freq - 10, freq, freq + 10):
            coeff = 2 * math.cos(2 * math.pi * probe / rate)
            s1 = s2 = 0.0
            for x in windowed:
                s1, s2 = x + coeff * s1 - s2, s1
            best = max(best, s1 * s1 + s2 * s2 - coeff * s1 * s2)
        squares.append(best / gain**2)
    return math.sqrt(sum(squares) / len(squares)) if squares else 0.0


def silence_wav(path: Path, seconds: float) -> Path:
    """Digital silence: played into a headset sink so its monitor records without gaps
    (an idle null sink's monitor delivers nothing, which would shift the time line)."""
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(path), "trim", "0", str(seconds)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def lead_pulse(tmp_path: Path) -> Iterator[PulseServer]:
    """A second private PulseAudio daemon: the lead's own headset, in its own process."""
    with start_pulse(tmp_path / "lead-pulse", export_env=False) as server:
        yield server


@pytest.fixture
def agent(
    kamailio: Kamailio, make_service: Callable[..., AudioService], events: EventLog
) -> Iterator[SipEngine]:
    audio = make_service(AudioSettings(microphone_id="headset_mic", speaker_id="headset"))
    engine = SipEngine(EngineConfig(), account_for(kamailio, "1001"), events, audio=audio.bridge)
    engine.start()
    try:
        events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
        yield engine
    finally:
        engine.stop(timeout_s=8)


@pytest.fixture
def lead(kamailio: Kamailio, lead_pulse: PulseServer, tmp_path: Path) -> Iterator[PeerProcess]:
    host = start_engine_host(
        tmp_path, kamailio, "1003", "--audio", "headset_mic,headset",
        env=lead_pulse.env, timeout_s=30,
    )  # fmt: skip
    yield host
    host.stop()


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[Peers]:
    running = Peers(tmp_path)
    yield running
    running.stop_all()


def test_listen_whisper_barge_mute_and_hold_reach_the_right_ears(
    agent: SipEngine,
    lead: PeerProcess,
    events: EventLog,
    kamailio: Kamailio,
    pulse: PulseServer,
    lead_pulse: PulseServer,
    tone_wav: Callable[[float, float], Path],
    peers: Peers,
    tmp_path: Path,
) -> None:
    agent_wav, lead_wav, customer_wav = (
        tmp_path / "agent_heard.wav", tmp_path / "lead_heard.wav", tmp_path / "customer_heard.wav"
    )  # fmt: skip
    quiet = silence_wav(tmp_path / "silence.wav", 90)
    players = [
        pulse.play(tone_wav(AGENT_MIC_HZ, 90)),
        lead_pulse.play(tone_wav(LEAD_MIC_HZ, 90)),
        pulse.play(quiet, device="headset"),
        lead_pulse.play(quiet, device="headset"),
    ]
    time.sleep(0.3)  # the sinks run before the recordings start
    marks: dict[str, float] = {}
    try:
        with pulse.recording(agent_wav), lead_pulse.recording(lead_wav):
            customer = peers.start(
                "--call", f"sip:1001@{kamailio.domain}",
                "--play", str(tone_wav(CUSTOMER_HZ, 60)),
                "--record", str(customer_wav),
                "--exit-on-end",
                kamailio=kamailio, user="2001",
            )  # fmt: skip
            call_id = events.wait_for(CallRinging, timeout_s=20).call_id
            agent.submit(cmd.Answer(call_id))
            customer.wait_for("state", lambda e: e["state"] == "confirmed")
            # the agent's side too (its ACK may come later under load): a leg is placed only
            # for a connected call, else it ends not_in_call
            events.wait_for(
                CallStateChanged, lambda e: e.call_id == call_id and e.phase is CallPhase.ACTIVE
            )

            token = secrets.token_urlsafe(32)
            lead.send(f"expect 1 {token}")
            agent.submit(
                cmd.StartSupervision(1, call_id, f"sip:1003@{kamailio.domain}", token, "listen")
            )
            events.wait_for(SupervisionChanged, lambda e: e.phase == "connected", timeout_s=15)
            lead.wait_for("SupervisionChanged", lambda e: e["phase"] == "connected")
            marks["listen"] = time.time()
            time.sleep(PHASE_S)

            def step(name: str, *commands: cmd.Command) -> None:
                for command in commands:
                    agent.submit(command)
                marks[name] = time.time()
                time.sleep(PHASE_S)

            step("whisper", cmd.SetSupervisionMode(1, "whisper"))
            step("barge", cmd.SetSupervisionMode(1, "barge"))
            step("listen again", cmd.SetSupervisionMode(1, "listen"))
            step("muted", cmd.SetMute(call_id, True))
            step(
                "held",
                cmd.SetMute(call_id, False),
                cmd.SetSupervisionMode(1, "whisper"),
                cmd.Hold(call_id),
            )
            step("resumed", cmd.Resume(call_id))
            customer.send("hangup")
            ended = customer.wait_for("ended", timeout_s=10)
            events.wait_for(SupervisionChanged, lambda e: e.phase == "ended", timeout_s=5)
            lead.wait_for("SupervisionChanged", lambda e: e["phase"] == "ended", timeout_s=5)
            customer.proc.wait(timeout=15)
        stopped = time.time()
    finally:
        for player in players:
            player.terminate()
            player.wait(timeout=10)
    assert not lead.named("CallRinging")  # the leg never rang the lead's desk
    connected_at = customer.wait_for("media", lambda e: e["status"] == 1)["t"]
    tracks = {
        "agent": Track.load("agent headset", agent_wav, end_t=stopped),
        "lead": Track.load("lead headset", lead_wav, end_t=stopped),
        "customer": Track.load("customer", customer_wav, start_t=float(connected_at)),
    }

    def amp(who: str, phase: str, freq: float, seconds: float = PHASE_S - SETTLE_S - 0.2) -> float:
        return tracks[who].amp(marks[phase] + SETTLE_S, seconds, freq)

    def short(who: str, phase: str, freq: float) -> float:
        return amp(who, phase, freq, SHORT_S)

    def level(who: str, phase: str, freq: float) -> int | None:
        try:
            return round(amp(who, phase, freq))
        except AssertionError:  # not recorded (the customer's recorder stops on hold)
            return None

    table = {
        (who, phase): {f: level(who, phase, f) for f in (CUSTOMER_HZ, AGENT_MIC_HZ, LEAD_MIC_HZ)}
        for who in tracks
        for phase in marks
        if who != "customer" or phase not in ("held", "resumed")
    }
    legs = [(e.phase, e.mode, e.reason) for e in events.of(SupervisionChanged)]
    msg = f"amplitudes (int16) by party and phase: {table}; agent's leg: {legs}"

    # listen: the lead hears the customer and the agent; nobody hears the lead
    for phase in ("listen", "listen again"):
        assert amp("lead", phase, CUSTOMER_HZ) > HEARD_AMP, msg
        assert amp("lead", phase, AGENT_MIC_HZ) > HEARD_AMP, msg
    whispered = amp("agent", "whisper", LEAD_MIC_HZ)
    barged = amp("customer", "barge", LEAD_MIC_HZ)
    assert whispered > HEARD_AMP, msg
    assert barged > HEARD_AMP, msg
    assert amp("agent", "listen", LEAD_MIC_HZ) < whispered / GAP, msg
    assert amp("customer", "listen", LEAD_MIC_HZ) < barged / GAP, msg
    # the call itself is untouched: the agent hears the customer, the customer the agent
    assert amp("agent", "listen", CUSTOMER_HZ) > HEARD_AMP, msg
    assert amp("customer", "listen", AGENT_MIC_HZ) > HEARD_AMP, msg

    # whisper: the agent hears the lead (within 1 s of the switch), the customer does not
    assert short("agent", "whisper", LEAD_MIC_HZ) > HEARD_AMP, msg
    assert amp("customer", "whisper", LEAD_MIC_HZ) < barged / GAP, msg
    # barge: the customer hears the lead too, within 1 s
    assert short("customer", "barge", LEAD_MIC_HZ) > HEARD_AMP, msg
    assert amp("agent", "barge", LEAD_MIC_HZ) > HEARD_AMP, msg
    # back to listen: the lead is silent again for both, within 1 s
    assert short("agent", "listen again", LEAD_MIC_HZ) < whispered / GAP, msg
    assert short("customer", "listen again", LEAD_MIC_HZ) < barged / GAP, msg

    # muted agent: the lead hears the customer but not the agent; nor does the customer
    agent_level = amp("lead", "listen", AGENT_MIC_HZ)
    assert amp("lead", "muted", CUSTOMER_HZ) > HEARD_AMP, msg
    assert short("lead", "muted", AGENT_MIC_HZ) < agent_level / GAP, msg
    assert amp("lead", "muted", AGENT_MIC_HZ) < agent_level / GAP, msg
    assert amp("customer", "muted", AGENT_MIC_HZ) < amp("customer", "listen", AGENT_MIC_HZ) / GAP, (
        msg
    )

    # customer on hold: the lead hears neither; a whispering lead still coaches the agent
    customer_level = amp("lead", "listen", CUSTOMER_HZ)
    assert amp("lead", "held", CUSTOMER_HZ) < customer_level / GAP, msg
    assert amp("lead", "held", AGENT_MIC_HZ) < agent_level / GAP, msg
    assert amp("agent", "held", LEAD_MIC_HZ) > HEARD_AMP, msg
    # resumed (a new stream on pjsua's side): the lead hears the call again, still whispering
    assert amp("lead", "resumed", CUSTOMER_HZ) > HEARD_AMP, msg
    assert amp("lead", "resumed", AGENT_MIC_HZ) > HEARD_AMP, msg
    assert amp("agent", "resumed", CUSTOMER_HZ) > HEARD_AMP, msg
    assert amp("agent", "resumed", LEAD_MIC_HZ) > HEARD_AMP, msg

    # The customer's recorder gets frames only while RTP comes in: its recording, started
    # with the call's audio, misses the hold and nothing else. So a muted agent's line
    # kept sending RTP (silence at level 0), as the bridge means it to. (Its windows are
    # placed from its start: only the phases before the hold are read.)
    recorded_s = len(tracks["customer"].pcm) / 2 / tracks["customer"].rate
    expected_s = float(ended["t"]) - float(connected_at) - (marks["resumed"] - marks["held"])
    assert abs(recorded_s - expected_s) < 1.0, (recorded_s, expected_s, marks, ended)
