"""Live supervision figures (issue 12): click -> first audio at the lead, the agent's added
CPU, and what the customer hears. A benchmark, not a test.

Run from the repository root::

    .venv/bin/python -m benchmarks.supervision --sessions 50 --window-s 10
    .venv/bin/python -m benchmarks.supervision --sessions 50 --window-s 10 --agent-audio qt

Everything on loopback: a private Kamailio (deploy/kamailio/kamailio.cfg; its per-user
INVITE burst shield raised, or the proxy would answer the lead's 11th leg within 2 s with
486 itself) and three processes, one pjsua2 Endpoint each:

- the customer (2001): the scriptable peer (homeagent.sip.peer) calling the agent, playing
  a 700 Hz tone and recording what it hears;
- the agent (1001) and the lead (1003): this module as a child (``--child agent|lead``), a
  real SipEngine each whose headset is the real PjAudioBridge (the conference port the
  engine mixes on), with its two drift buffers replaced by a *mouth* (the microphone: a
  steady tone, the agent 1 kHz, the lead 500 Hz) and an *ear* (what the bridge hands the
  headset; the lead's stamps its first frames). No Qt audio device: the path stops at the
  conference bridge's headset port (audio_bridge.py measures the device side).
  ``--agent-audio qt``: the agent's headset is the desk's own AudioService (Qt Multimedia)
  on a private PulseAudio's virtual headset (tests/helpers/pulse.py), its microphone fed
  the same 1 kHz; the lead keeps its port (its ear is what is timed).

1. Click -> first audio at the lead, ``--sessions`` listen legs one after the other on the
   same customer call: from the agent's ``SipEngine.submit(StartSupervision)`` (the lead's
   engine was handed ``ExpectSupervision`` for the token just before, as the console does
   with its POST's answer) to the first 20 ms frame the lead's bridge hands its headset
   port with the customer's 700 Hz at -40 dBFS or more (Goertzel over that frame). Both
   stamps are CLOCK_MONOTONIC (one clock for the machine), taken in their own processes.
   Also: to the lead's and the agent's ``SupervisionChanged(connected)``, to the first
   frame of any content and to the first non-silent one.
2. Agent CPU: the agent process's user+system time over ``--window-s`` with the customer
   call only, with a listen leg, whisper, barge, then the call only again. From
   /proc/PID/stat (10 ms ticks) and from the process's CPU clock (clock_getcpuclockid, ns).
3. What the customer hears over the same windows: the agent's 1 kHz in the customer's
   recording (Goertzel per 100 ms, dBFS) and its difference with the call-only windows;
   also the lead's 500 Hz (barge only) and everything else (codec noise, jitter-buffer
   glitches), relative to the agent's tone.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import enum
import json
import math
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from homeagent.sip.audio.dsp import goertzel_power, peak_level, tone
from homeagent.sip.audio.ringbuffer import DriftBuffer
from tests.helpers.kamailio import DOMAIN, USERS, Kamailio, _write_db, kamailio_argv
from tests.helpers.procs import free_port, port_open, running
from tests.helpers.pulse import PulseServer, start_pulse
from tests.integration.sip.peers import PeerProcess, Peers

AGENT, LEAD, CUSTOMER = "1001", "1003", "2001"
RATE_HZ = 16000  # the bridge's clock rate (G.722)
CUSTOMER_HZ, AGENT_HZ, LEAD_HZ = 700.0, 1000.0, 500.0
CUSTOMER_TONE, AGENT_TONE = f"tone_{CUSTOMER_HZ:g}", f"tone_{AGENT_HZ:g}"  # the lead's marks
HEARD_AMP = 300.0  # int16 units (-40 dBFS), as in tests/integration/audio
FULL_SCALE = 32768.0


# ---------------------------------------------------------------------- the children
class _Mouth(DriftBuffer):
    """The headset microphone as the bridge reads it: a steady tone (0 Hz: silence)."""

    def __init__(self, freq_hz: float) -> None:
        super().__init__(rate_hz=RATE_HZ)
        # one second holds a whole number of periods of any whole-Hz tone: loops cleanly
        self._loop = tone(freq_hz, 1.0, fade_ms=0) if freq_hz else bytes(2 * RATE_HZ)
        self._pos = 0

    def read(self, n_samples: int) -> bytes:
        out = bytearray()
        while len(out) < 2 * n_samples:
            take = min(2 * n_samples - len(out), len(self._loop) - self._pos)
            out += self._loop[self._pos : self._pos + take]
            self._pos = (self._pos + take) % len(self._loop)
        return bytes(out)

    def write(self, pcm: bytes) -> None:
        pass

    def clear(self) -> None:
        pass


class _Ear(DriftBuffer):
    """The headset earpiece as the bridge feeds it (its clock thread, every 20 ms).

    After ``arm(session)``, stamps the first frame, the first non-silent one (with the
    amplitude of each watched tone in it) and, per tone in `tones_hz`, the first frame
    carrying it at -40 dBFS or more; reports each once."""

    def __init__(self, report: Callable[..., None], tones_hz: list[float]) -> None:
        super().__init__(rate_hz=RATE_HZ)
        self._report = report
        self._tones = {f"tone_{f:g}": f for f in tones_hz}
        self._all = {"frame", "sound", *self._tones}
        self._guard = threading.Lock()
        self._session: int | None = None
        self._seen: set[str] = set()

    def arm(self, session_id: int) -> None:
        with self._guard:
            self._session, self._seen = session_id, set()

    def write(self, pcm: bytes) -> None:
        now_ns = time.monotonic_ns()
        with self._guard:
            session, seen = self._session, self._seen
        if session is None or not self._tones:
            return
        marks: dict[str, dict[str, float]] = {} if "frame" in seen else {"frame": {}}
        amps = {name: _amplitude(pcm, f) for name, f in self._tones.items() if name not in seen}
        if "sound" not in seen and peak_level(pcm) * FULL_SCALE >= HEARD_AMP:
            levels = {name: _amplitude(pcm, f) for name, f in self._tones.items()}
            marks["sound"] = {name: round(v) for name, v in levels.items()}
        marks.update({name: {} for name, amp in amps.items() if amp >= HEARD_AMP})
        for what, levels in marks.items():
            seen.add(what)
            self._report("heard", session_id=session, what=what, mono_ns=now_ns, amps=levels)
        if seen >= self._all:
            with self._guard:
                if self._session == session:
                    self._session = None

    def clear(self) -> None:
        pass


def _amplitude(pcm: bytes, freq_hz: float) -> float:
    """Amplitude (int16 units) of a sine at `freq_hz` in the PCM (Goertzel)."""
    return 2 * math.sqrt(goertzel_power(pcm, freq_hz, RATE_HZ))


def _plain(value: object) -> object:
    """What json cannot write by itself in an event: enums, mappings, nested records."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    return str(value)


def _fields(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def _child(argv: list[str]) -> int:
    """An agent or lead app: SipEngine + the bridge's port; JSON events out, commands in."""
    from homeagent.core import commands as cmd
    from homeagent.core.events import Event
    from homeagent.core.sip_config import EngineConfig, SipAccountConfig
    from homeagent.sip.audio.bridge import PjAudioBridge
    from homeagent.sip.engine import SipEngine

    p = argparse.ArgumentParser()
    p.add_argument("--child", required=True)
    p.add_argument("--registrar", required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--mic-hz", type=float, default=0.0)
    p.add_argument("--ear-hz", type=float, action="append", default=[])
    p.add_argument("--qt-audio", help="MIC,SPEAKER: the desk's AudioService on $PULSE_SERVER")
    args = p.parse_args(argv)
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # pjsip's console output goes to the log, not into our JSON
    lock = threading.Lock()

    def report(name: str, **fields: Any) -> None:
        fields.setdefault("mono_ns", time.monotonic_ns())
        line = json.dumps({"event": name, **fields}, default=_plain)
        with lock:
            out.write(line + "\n")

    def on_event(event: Event) -> None:
        report(type(event).__name__, **_fields(event))

    ear = _Ear(report, args.ear_hz)
    bridge = PjAudioBridge(_Mouth(args.mic_hz), ear)
    service = None
    if args.qt_audio:
        from PySide6.QtCore import QCoreApplication

        from homeagent.core.audio_settings import AudioSettings
        from homeagent.sip.audio import AudioService

        app = QCoreApplication(["bench-agent"])  # noqa: F841 - AudioService's QThread needs it
        mic, speaker = args.qt_audio.split(",", 1)
        service = AudioService(on_event, AudioSettings(microphone_id=mic, speaker_id=speaker))
        service.start()
        bridge = service.bridge
    host, port = args.registrar.rsplit(":", 1)
    account = SipAccountConfig(
        host, int(port), args.domain, args.user, os.environ["HOMEAGENT_PEER_PASSWORD"]
    )
    engine = SipEngine(EngineConfig(), account, on_event, audio=bridge)
    engine.start()
    for line in sys.stdin:
        verb, *a = line.split()
        if verb == "quit":
            break
        command: cmd.Command | None = None
        if verb == "answer":
            command = cmd.Answer(int(a[0]))
        elif verb == "expect":
            ear.arm(int(a[0]))
            command = cmd.ExpectSupervision(int(a[0]), a[1])
        elif verb == "start":
            command = cmd.StartSupervision(int(a[0]), int(a[1]), a[2], a[3], a[4])
        elif verb == "mode":
            command = cmd.SetSupervisionMode(int(a[0]), a[1])
        elif verb == "stopsup":
            command = cmd.StopSupervision(int(a[0]), a[1])
        if command is not None:
            submitted_ns = time.monotonic_ns()
            engine.submit(command)
            report("submitted", verb=verb, session_id=int(a[0]), mono_ns=submitted_ns)
    engine.stop(timeout_s=8)
    if service is not None:
        service.stop()
    report("exited")
    return 0


# ---------------------------------------------------------------------- the driver
@contextlib.contextmanager
def _kamailio(tmp: Path) -> Iterator[Kamailio]:
    """The tests' Kamailio (tests/helpers/kamailio.py), burst shield raised."""
    binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
    passwords = {user: secrets.token_hex(8) for user in USERS}
    _write_db(tmp / "db", passwords)
    udp, tcp = free_port(), free_port()
    argv = kamailio_argv(binary, tmp, host="127.0.0.1", udp=udp, tcp=tcp)
    argv += ["-A", "AGENT_INVITE_BURST=1000000"]
    log = tmp / "kamailio.log"
    with running(argv, log=log, ready=lambda: port_open(tcp), ready_timeout_s=20) as proc:
        yield Kamailio("127.0.0.1", udp, tcp, None, DOMAIN, passwords, log, proc=proc)


def _app(
    tmp: Path,
    k: Kamailio,
    role: str,
    user: str,
    mic_hz: float,
    *ear_hz: float,
    pulse: PulseServer | None = None,
) -> PeerProcess:
    """An agent's or a lead's app (this module as a child), registered; with `pulse`, its
    headset is the desk's AudioService on that daemon's virtual headset."""
    env = dict(pulse.env if pulse else os.environ, HOMEAGENT_PEER_PASSWORD=k.passwords[user])
    argv = [
        "--child", role, "--registrar", f"{k.host}:{k.udp_port}", "--domain", k.domain,
        "--user", user, "--mic-hz", str(mic_hz),
        *(f"--ear-hz={f}" for f in ear_hz),
        *(["--qt-audio", "headset_mic,headset"] if pulse else []),
    ]  # fmt: skip
    app = PeerProcess(argv, env, tmp / f"{role}.log", "benchmarks.supervision")
    app.wait_for("RegistrationChanged", lambda e: e["state"] == "registered", timeout_s=30)
    return app


@contextlib.contextmanager
def _playing(pulse: PulseServer, wav: Path, freq_hz: float, seconds: float) -> Iterator[None]:
    """A tone into the virtual headset's microphone (48 kHz, as loud as the port's)."""
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(wav),
         "synth", f"{seconds:.0f}", "sine", f"{freq_hz:g}", "vol", "0.3"],
        check=True, capture_output=True,
    )  # fmt: skip
    player = pulse.play(wav)
    try:
        yield
    finally:
        player.terminate()
        player.wait(timeout=10)


class _CpuClock:
    """CPU time of another process: /proc/PID/stat (ticks) and its CPU clock (ns)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._tick = os.sysconf("SC_CLK_TCK")
        clock = ctypes.c_int()
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.clock_getcpuclockid(pid, ctypes.byref(clock)) != 0:
            raise OSError(ctypes.get_errno(), "clock_getcpuclockid")
        self._clock = clock.value

    def read(self) -> tuple[float, float]:
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks_s = (int(fields[11]) + int(fields[12])) / self._tick
        return ticks_s, time.clock_gettime_ns(self._clock) / 1e9


def _summary(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50_ms": round(pct(50), 1),
        "p99_ms": round(pct(99), 1),
        "max_ms": round(ordered[-1], 1),
        "min_ms": round(ordered[0], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def _of(session_id: int, **match: object) -> Callable[[dict[str, Any]], bool]:
    """A predicate on a child's events: this session's, with these fields."""

    def check(e: dict[str, Any]) -> bool:
        return e.get("session_id") == session_id and all(e.get(k) == v for k, v in match.items())

    return check


def _stamp(app: PeerProcess, name: str, session_id: int, **match: object) -> int | None:
    """CLOCK_MONOTONIC (ns) of the first such event of the session, if any."""
    event = next(filter(_of(session_id, **match), app.named(name)), None)
    return None if event is None else int(event["mono_ns"])


def _click_to_audio(
    agent: PeerProcess, lead: PeerProcess, call_id: int, target: str, n: int, hold_s: float
) -> dict[str, Any]:
    """N listen legs one after the other; the intervals from the agent's StartSupervision."""
    failed: list[str] = []
    for s in range(1, n + 1):
        token = secrets.token_urlsafe(32)
        lead.send(f"expect {s} {token}")
        lead.wait_for("submitted", _of(s))
        agent.send(f"start {s} {call_id} {target} {token} listen")
        try:
            lead.wait_for("heard", _of(s, what=CUSTOMER_TONE))
            time.sleep(hold_s)
        except TimeoutError as exc:
            failed.append(f"session {s}: {str(exc)[:300]}")
        agent.send(f"stopsup {s} lead_stopped")
        for app, side in ((agent, "agent"), (lead, "lead")):
            try:
                app.wait_for("SupervisionChanged", _of(s, side=side, phase="ended"))
            except TimeoutError as exc:
                failed.append(f"session {s}, {side} not ended: {str(exc)[:300]}")
        time.sleep(0.3)  # pjsua's media sockets: no churn (deploy/kamailio/README.md)
    intervals: dict[str, list[float]] = {}
    for s in range(1, n + 1):
        t0 = _stamp(agent, "submitted", s, verb="start")
        ends = {
            "agent_connected": _stamp(agent, "SupervisionChanged", s, phase="connected"),
            "lead_connected": _stamp(lead, "SupervisionChanged", s, phase="connected"),
            "lead_first_frame": _stamp(lead, "heard", s, what="frame"),
            "lead_first_sound": _stamp(lead, "heard", s, what="sound"),
            "lead_first_agent_tone": _stamp(lead, "heard", s, what=AGENT_TONE),
            "lead_first_customer_tone": _stamp(lead, "heard", s, what=CUSTOMER_TONE),
        }
        for name, t1 in ends.items():
            if t0 is not None and t1 is not None:
                intervals.setdefault(name, []).append((t1 - t0) / 1e6)
    first_sounds = [e for e in lead.named("heard") if e["what"] == "sound" and e["session_id"] <= n]
    tones = intervals.get("lead_first_customer_tone", [])
    return {
        "sessions": n,
        "failed": failed,
        "first_session_ms": round(tones[0], 1) if tones else None,
        # the first non-silent frame already carried the customer's tone at -40 dBFS
        "customer_tone_in_first_sound": sum(
            e["amps"].get(CUSTOMER_TONE, 0) >= HEARD_AMP for e in first_sounds
        ),
        **{f"start_to_{name}": _summary(v) for name, v in intervals.items()},
    }


@dataclasses.dataclass
class _Window:
    name: str
    wall_t0: float
    wall_t1: float
    agent_cpu_pct: float
    agent_cpu_pct_ticks: float
    lead_cpu_pct: float


def _measure(name: str, seconds: float, agent: _CpuClock, lead: _CpuClock) -> _Window:
    a0, l0, t0, m0 = agent.read(), lead.read(), time.time(), time.monotonic()
    time.sleep(seconds)
    a1, l1, t1, wall = agent.read(), lead.read(), time.time(), time.monotonic() - m0
    return _Window(
        name,
        t0,
        t1,
        round(100 * (a1[1] - a0[1]) / wall, 2),
        round(100 * (a1[0] - a0[0]) / wall, 2),
        round(100 * (l1[1] - l0[1]) / wall, 2),
    )


def _supervised_windows(
    agent: PeerProcess, lead: PeerProcess, call_id: int, target: str, window_s: float, n: int
) -> list[_Window]:
    """Call only, listen, whisper, barge, call only again: CPU over each window."""
    cpu_agent, cpu_lead = _CpuClock(agent.proc.pid), _CpuClock(lead.proc.pid)
    s = n + 1
    windows = [_measure("call only", window_s, cpu_agent, cpu_lead)]
    token = secrets.token_urlsafe(32)
    lead.send(f"expect {s} {token}")
    lead.wait_for("submitted", _of(s))
    agent.send(f"start {s} {call_id} {target} {token} listen")
    lead.wait_for("heard", _of(s, what=CUSTOMER_TONE))
    for mode in ("listen", "whisper", "barge"):
        if mode != "listen":
            agent.send(f"mode {s} {mode}")
        time.sleep(1.0)  # a switch is complete well within 1 s (the audio test)
        windows.append(_measure(mode, window_s, cpu_agent, cpu_lead))
    agent.send(f"stopsup {s} lead_stopped")
    agent.wait_for("SupervisionChanged", _of(s, phase="ended"))
    time.sleep(1.0)
    windows.append(_measure("call only again", window_s, cpu_agent, cpu_lead))
    return windows


def _hears(wav_path: Path, start_t: float, windows: list[_Window]) -> dict[str, dict[str, Any]]:
    """Per window: the agent's and the lead's tone in the customer's recording (dBFS, mean
    power over 100 ms chunks) and the rest of its energy relative to the agent's tone."""
    with wave.open(str(wav_path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2), wav_path
        rate = w.getframerate()
        pcm = w.readframes(w.getnframes())
    chunk = rate // 10
    out: dict[str, dict[str, Any]] = {}
    for win in windows:
        first = round((win.wall_t0 + 0.5 - start_t) * rate)
        last = round((win.wall_t1 - 0.5 - start_t) * rate)
        agent_p, lead_p, total_ms = [], [], []
        for i in range(max(0, first), last - chunk + 1, chunk):
            part = pcm[2 * i : 2 * (i + chunk)]
            if len(part) < 2 * chunk:
                break
            agent_p.append(goertzel_power(part, AGENT_HZ, rate))
            lead_p.append(goertzel_power(part, LEAD_HZ, rate))
            samples = memoryview(part).cast("h")
            total_ms.append(sum(x * x for x in samples) / chunk)
        if not agent_p:
            continue
        # a sine of amplitude A: Goertzel power/n^2 = A^2/4, mean square = A^2/2
        agent_ms = 2 * statistics.fmean(agent_p)
        lead_ms = 2 * statistics.fmean(lead_p)
        rest_ms = max(statistics.fmean(total_ms) - agent_ms - lead_ms, 1e-9)
        # a 100 ms chunk whose rest is within 20 dB of the tone: a click (a sample dropped
        # or repeated by a drift buffer, a lost or concealed packet), not codec noise
        glitches = sum(
            t - 2 * a - 2 * b > 0.01 * 2 * a
            for t, a, b in zip(total_ms, agent_p, lead_p, strict=True)
        )
        out[win.name] = {
            "seconds": round(len(agent_p) * chunk / rate, 1),
            "agent_tone_dbfs": round(_dbfs(agent_ms), 3),
            # below one LSB: digital silence, no level to give
            "lead_tone_dbfs": round(_dbfs(lead_ms), 1) if lead_ms >= 1 else None,
            "rest_vs_agent_tone_db": round(10 * math.log10(rest_ms / agent_ms), 1),
            "chunks_with_a_glitch": glitches,
            "chunks": len(agent_p),
        }
    return out


def _dbfs(mean_square: float) -> float:
    """A sine's level against a full-scale sine (mean square 32768^2 / 2)."""
    return round(10 * math.log10(mean_square / (FULL_SCALE**2 / 2)), 3)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    if "--child" in sys.argv:
        code = _child(sys.argv[1:])
        sys.stderr.flush()
        os._exit(code)  # as engine_host: no interpreter teardown racing pjsua's threads
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--window-s", type=float, default=10.0, help="each CPU window")
    parser.add_argument("--hold-s", type=float, default=0.3, help="a leg lasts this long")
    parser.add_argument(
        "--agent-audio",
        choices=("port", "qt"),
        default="port",
        help="the agent's headset: the bridge's port with a tone as microphone (default), "
        "or the desk's AudioService (Qt Multimedia) on a private PulseAudio's virtual "
        "headset, its microphone fed the same tone",
    )
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "load_at_start": _load(),
        "cpus": os.cpu_count(),
        "agent_audio": args.agent_audio,
    }
    with tempfile.TemporaryDirectory(prefix="bench-supervision-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "kamailio").mkdir()
        with contextlib.ExitStack() as stack:
            k = stack.enter_context(_kamailio(tmp / "kamailio"))
            pulse = None
            if args.agent_audio == "qt":
                pulse = stack.enter_context(start_pulse(tmp / "pulse", export_env=False))
                seconds = 60 + 2 * args.sessions + 6 * (args.window_s + 2)
                stack.enter_context(_playing(pulse, tmp / "agent_mic.wav", AGENT_HZ, seconds))
            agent = _app(tmp, k, "agent", AGENT, AGENT_HZ, pulse=pulse)
            stack.callback(agent.stop)
            lead = _app(tmp, k, "lead", LEAD, LEAD_HZ, CUSTOMER_HZ, AGENT_HZ)
            stack.callback(lead.stop)
            peers = Peers(tmp)
            stack.callback(peers.stop_all)
            heard_wav = tmp / "customer_heard.wav"
            customer = peers.start(
                "--call", f"sip:{AGENT}@{k.domain}", "--tone", str(int(CUSTOMER_HZ)),
                "--record", str(heard_wav), "--exit-on-end", "--exit-after", "7200",
                kamailio=k, user=CUSTOMER,
            )  # fmt: skip
            call_id = int(agent.wait_for("CallRinging")["call_id"])
            agent.send(f"answer {call_id}")
            customer.wait_for("state", lambda e: e["state"] == "confirmed")
            media_t = float(customer.wait_for("media", lambda e: e["status"] == 1)["t"])
            time.sleep(1.0)
            target = f"sip:{LEAD}@{k.domain}"
            report["click_to_audio"] = _click_to_audio(
                agent, lead, call_id, target, args.sessions, args.hold_s
            )
            windows = _supervised_windows(
                agent, lead, call_id, target, args.window_s, args.sessions
            )
            customer.send("hangup")
            customer.wait_for("ended")
            customer.proc.wait(timeout=15)  # its recording is complete once it exited
            report["windows"] = [dataclasses.asdict(w) for w in windows]
            hears = _hears(heard_wav, media_t, windows)
    base_cpu = statistics.fmean(w.agent_cpu_pct for w in windows if w.name.startswith("call"))
    base_db = statistics.fmean(
        v["agent_tone_dbfs"] for name, v in hears.items() if name.startswith("call")
    )
    report["agent_cpu"] = {
        "window_s": args.window_s,
        **{w.name: w.agent_cpu_pct for w in windows},
        "ratio_to_call_only": {w.name: round(w.agent_cpu_pct / base_cpu, 2) for w in windows},
        "from_proc_stat_ticks": {w.name: w.agent_cpu_pct_ticks for w in windows},
    }
    report["lead_cpu"] = {w.name: w.lead_cpu_pct for w in windows}
    report["customer_hears"] = hears
    report["agent_tone_change_db"] = {
        name: round(v["agent_tone_dbfs"] - base_db, 3) for name, v in hears.items()
    }
    report["load_at_end"] = _load()
    text = json.dumps(report, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
