"""End to end, live call supervision: the real lead and agent apps (each with its headset on a
PulseAudio daemon of its own), the real server, Kamailio's ACD and a pjsua2 customer.

The customer plays 700 Hz, the agent's virtual microphone 1 kHz, the lead's 500 Hz. The
lead finds the agent on the console (Ctrl+F, the name, Enter) and listens (Ctrl+Shift+L),
whispers (Ctrl+Shift+W) and barges in (Ctrl+Shift+I); who hears what is read from the
recordings of each headset and of the customer (frequencies, not levels). The server's
audit and the agent's day must tell the whole session afterwards.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
import time
import wave
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from homeagent.core.audio_settings import AudioSettings
from homeagent.sip.audio.dsp import goertzel_power, tone
from tests.e2e.applog import app_keys, events, wait_event
from tests.e2e.team_world import App, TeamWorld, team_world
from tests.helpers.pulse import PulseServer, start_pulse
from tests.helpers.xvfb import XDisplay
from tests.integration.sip.peers import PeerProcess

# the tones are timed: these tests share the audio tests' worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("audio")]

CUSTOMER_HZ, AGENT_HZ, LEAD_HZ = 700.0, 1000.0, 500.0
OTHERS = (1300.0, 1700.0)  # tones nobody plays: the noise floor of a recording
SWITCH_S = 1.0  # the bound for a mode switch and for the end after a hang-up


def _at(event: dict[str, object]) -> float:
    return dt.datetime.fromisoformat(str(event["ts"]).replace("Z", "+00:00")).timestamp()


def _tone_file(path: Path, hz: float, seconds: float) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(tone(hz, seconds, amplitude=0.4))
    return path


def _power(pcm: bytes, rate: int, hz: float) -> float:
    """`hz`'s mean power over 100 ms chunks, the best of three probes 10 Hz apart (the
    headsets' drift buffers stretch the audio: a tone comes out a few hertz off, and one
    Goertzel bin over seconds would miss it)."""
    step = rate // 10 * 2
    chunks = [pcm[i : i + step] for i in range(0, len(pcm) - step + 1, step)]
    probes = (hz - 10, hz, hz + 10)
    return sum(max(goertzel_power(c, f, rate) for f in probes) for c in chunks) / len(chunks)


def _level_db(pcm: bytes, rate: int, hz: float) -> float:
    """`hz`'s power against the loudest of the three tones played, in dB (0: it is the
    loudest). A tone heard is within 20 dB of it; one not heard is 25 dB or more below
    (what is left is the leakage of the loud ones and the codecs' noise)."""
    loudest = max(_power(pcm, rate, f) for f in (CUSTOMER_HZ, AGENT_HZ, LEAD_HZ))
    return 10 * math.log10(max(_power(pcm, rate, hz), 1e-9) / max(loudest, 1e-9))


def _heard(pcm: bytes, rate: int, hz: float) -> bool:
    floor = max(_power(pcm, rate, f) for f in OTHERS)
    return _level_db(pcm, rate, hz) > -20 and _power(pcm, rate, hz) > 20 * floor


def _not_heard(pcm: bytes, rate: int, hz: float) -> bool:
    return _level_db(pcm, rate, hz) < -25


def _record(pulse: PulseServer, path: Path, seconds: float) -> tuple[bytes, int]:
    with pulse.recording(path):
        time.sleep(seconds)
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes()), w.getframerate()


def _window(path: Path, start_s: float, end_s: float) -> tuple[bytes, int]:
    """The part of a WAV between two offsets (seconds from its start)."""
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        w.setpos(min(w.getnframes(), int(start_s * rate)))
        return w.readframes(max(0, int((end_s - start_s) * rate))), rate


def _press(
    world: TeamWorld, app: App, keys: tuple[str, ...], event: str, **fields: object
) -> dict[str, object]:
    """`keys` in the app's window until `event` shows (tried up to 3 times, only while it
    is still missing: focus on a display with several apps and no window manager moves)."""
    start = len(events(app.log))
    for _ in range(3):
        app_keys(app.env, app.proc.pid, *keys)
        try:
            return wait_event(app.log, event, 8, app.proc, after=start, **fields)
        except AssertionError:
            continue
    seen = [(e["event"], e.get("ts")) for e in events(app.log)[max(0, start - 5) :]]
    raise AssertionError(f"{keys} in {app.user.name}'s window never gave {event}: {seen}")


def _find_on_console(agent: App) -> tuple[str, ...]:
    """The keys that select `agent` on the lead's board: Ctrl+F, the family name, Enter."""
    family = str(agent.user.display_name).split()[-1]
    return ("ctrl+f", *list(family), "Return")


@contextmanager
def _two_headsets(root: Path) -> Iterator[tuple[PulseServer, PulseServer]]:
    with ExitStack() as stack:
        pulses = []
        for name in ("agent", "lead"):
            folder = root / f"pulse-{name}"
            folder.mkdir()
            pulses.append(stack.enter_context(start_pulse(folder, export_env=False)))
        yield pulses[0], pulses[1]


def _customer(world: TeamWorld, tmp_path: Path, *, hangup_after_s: float) -> PeerProcess:
    return PeerProcess(
        ["--domain", "homeagent.test", "--user", "+33612345678",
         "--call", f"sip:queue-{world.queue}@127.0.0.1:{world.sip_port}",
         "--tone", str(CUSTOMER_HZ), "--record", str(tmp_path / "customer.wav"),
         "--hangup-after", str(hangup_after_s), "--exit-after", str(hangup_after_s + 30),
         "--exit-on-end"],
        dict(os.environ), tmp_path / "customer.log",
    )  # fmt: skip


def _in_call(world: TeamWorld, lead: App, agent: App) -> None:
    """The agent goes Available, the customer's call rings there and is answered."""
    _press(world, agent, ("ctrl+d",), "agent_state", state="available")
    wait_event(lead.log, "board_row", 10, lead.proc, agent_id=agent.user.id, state="available")
    wait_event(agent.log, "call_ringing", 30, agent.proc)
    _press(world, agent, ("ctrl+Return",), "call_answered")
    wait_event(lead.log, "board_row", 10, lead.proc, agent_id=agent.user.id, state="on_call")


def test_listen_whisper_barge_each_heard_by_the_right_people_then_the_audit_and_the_day(
    xvfb: XDisplay, tmp_path: Path
) -> None:
    with _two_headsets(tmp_path) as (agent_pa, lead_pa), team_world(xvfb, tmp_path) as world:
        # Who hears whom is tested with steady tones, which is what the microphone's noise
        # suppressor removes (18-19 dB off a 1 kHz tone from its first half second): with
        # it on, the agent's tone reached the lead right at `_heard`'s -20 dB line, and one
        # loaded full run missed it. The suppressor has its own tests (test_noise_path,
        # test_noise_suppression_quality).
        plain = AudioSettings(noise_suppression=False)
        lead = world.start_app(world.lead, pulse_server=lead_pa.server, audio=plain)
        agent = world.start_app(world.agents[0], pulse_server=agent_pa.server, audio=plain)
        for app in (lead, agent):
            wait_event(app.log, "registration", 90, app.proc, state="registered")
        wait_event(lead.log, "board_loaded", 30, lead.proc)
        mics = [agent_pa.play(_tone_file(tmp_path / "agent_mic.wav", AGENT_HZ, 120)),
                lead_pa.play(_tone_file(tmp_path / "lead_mic.wav", LEAD_HZ, 120))]  # fmt: skip
        customer = _customer(world, tmp_path, hangup_after_s=40)
        try:
            _in_call(world, lead, agent)
            answered = _at(wait_event(agent.log, "call_answered", 1, agent.proc))
            # Écouter: the lead hears the customer and the agent; nobody hears the lead
            keys = (*_find_on_console(agent), "ctrl+shift+l")
            asked = _press(world, lead, keys, "supervision_requested", agent_id=agent.user.id)
            sid = asked["id"]
            wait_event(lead.log, "supervision_connected", 15, lead.proc, id=sid)
            wait_event(agent.log, "supervision_connected", 15, agent.proc, id=sid)
            started = wait_event(agent.log, "supervision_started", 1, agent.proc, id=sid)
            assert started["mode"] == "listen"
            time.sleep(1.0)  # the jitter buffers fill
            heard, rate = _record(lead_pa, tmp_path / "lead_listen.wav", 3.0)
            assert _heard(heard, rate, CUSTOMER_HZ), "the lead does not hear the customer"
            assert _heard(heard, rate, AGENT_HZ), "the lead does not hear the agent"
            heard, rate = _record(agent_pa, tmp_path / "agent_listen.wav", 2.0)
            assert _heard(heard, rate, CUSTOMER_HZ)  # the call itself goes on
            assert _not_heard(heard, rate, LEAD_HZ), "the agent hears a listening lead"
            # Chuchoter: the agent hears the lead, the customer does not
            switched = _press(world, lead, ("ctrl+shift+w",), "supervision_mode", mode="whisper")
            applied = wait_event(agent.log, "supervision_mode", 5, agent.proc, mode="whisper")
            assert _at(applied) - _at(switched) <= SWITCH_S, (switched, applied)
            whisper_at = _at(applied)
            time.sleep(SWITCH_S)
            heard, rate = _record(agent_pa, tmp_path / "agent_whisper.wav", 2.5)
            assert _heard(heard, rate, LEAD_HZ), "the agent does not hear the whisper"
            # Intervenir: the customer hears the lead too
            _press(world, lead, ("ctrl+shift+i",), "supervision_mode", mode="barge")
            barge_at = _at(wait_event(agent.log, "supervision_mode", 5, agent.proc, mode="barge"))
            ended = wait_event(agent.log, "call_ended", 60, agent.proc)  # the customer hangs up
            done = wait_event(agent.log, "supervision_ended", 5, agent.proc, id=sid)
            assert done["reason"] == "call_ended"
            assert _at(done) - _at(ended) <= SWITCH_S, (ended, done)
            wait_event(lead.log, "supervision_ended", 10, lead.proc, id=sid)
        finally:
            customer.stop()
            for mic in mics:
                mic.terminate()
        # the customer's recording starts when the call connects (≈ the agent's answer)
        wav = tmp_path / "customer.wav"
        quiet = _window(wav, whisper_at - answered + SWITCH_S, barge_at - answered - 0.3)
        assert _not_heard(*quiet, CUSTOMER_HZ)  # its own tone does not come back
        assert _not_heard(*quiet, LEAD_HZ), "the customer hears a whispering lead"
        loud = _window(wav, barge_at - answered + SWITCH_S, _at(ended) - answered - 0.5)
        assert _heard(*loud, LEAD_HZ), "the customer does not hear the barging lead"
        assert _heard(*loud, AGENT_HZ)
        # the audit and the agent's day tell it all
        rest = world.session(world.lead)
        day = rest.client.get(f"/agents/{agent.user.id}/day").json()
        (session,) = [s for s in day["supervisions"] if s["id"] == sid]
        assert session["modes"] == ["listen", "whisper", "barge"]
        assert session["end_reason"] == "call_ended"
        audit = rest.client.get(f"/teams/{world.team_id}/audit").json()
        kinds = [a["action"] for a in audit if str(a["detail"].get("session_id")) == str(sid)]
        assert {"supervision_started", "supervision_connected", "supervision_mode",
                "supervision_ended"} <= set(kinds), kinds  # fmt: skip


def test_a_forged_token_is_refused_and_a_lost_lead_leaves_the_call_untouched(
    xvfb: XDisplay, tmp_path: Path
) -> None:
    with team_world(xvfb, tmp_path) as world:
        lead = world.start_app(world.lead)
        agent = world.start_app(world.agents[0])
        for app in (lead, agent):
            wait_event(app.log, "registration", 90, app.proc, state="registered")
        wait_event(lead.log, "board_loaded", 30, lead.proc)
        # another agent of the organisation (signed in to Kamailio with their own SIP
        # account) who knows the header but not a token: the lead's app turns it away
        insider = world.agents[1]
        sip = world.session(insider).client.post("/provisioning/sip").json()  # its own device
        forger = PeerProcess(
            ["--domain", "homeagent.test", "--user", insider.sip_username,
             "--auth-user", sip["auth_username"],
             "--registrar", f"127.0.0.1:{world.sip_port}",
             "--call", f"sip:{world.lead.sip_username}@homeagent.test",
             "--header", "X-HomeAgent-Supervision: " + "A" * 43,
             "--exit-after", "15", "--exit-on-end"],
            {**os.environ, "HOMEAGENT_PEER_PASSWORD": sip["password"]},
            tmp_path / "forger.log",
        )  # fmt: skip
        try:
            wait_event(lead.log, "supervision_refused", 15, lead.proc)
            assert forger.wait_for("ended", timeout_s=15)["code"] == 403
        finally:
            forger.stop()
        assert not [
            e for e in events(lead.log) if e["event"] in ("call_ringing", "supervision_connected")
        ]
        # a session, then the lead's app dies: the agent's call goes on, the leg ends
        customer = _customer(world, tmp_path, hangup_after_s=45)
        try:
            _in_call(world, lead, agent)
            keys = (*_find_on_console(agent), "ctrl+shift+l")
            asked = _press(world, lead, keys, "supervision_requested", agent_id=agent.user.id)
            sid = asked["id"]
            wait_event(agent.log, "supervision_connected", 15, agent.proc, id=sid)
            lead.proc.send_signal(signal.SIGKILL)
            lead.proc.wait(10)
            world.apps.remove(lead)  # it cannot say goodbye
            done = wait_event(agent.log, "supervision_ended", 15, agent.proc, id=sid)
            assert done["reason"] == "lead_lost"
            assert not [e for e in events(agent.log) if e["event"] == "call_ended"]
            _press(world, agent, ("ctrl+shift+e",), "call_ended")  # the agent hangs up, as usual
        finally:
            customer.stop()
