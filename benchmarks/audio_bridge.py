"""Audio bridge figures: added latency and CPU (a benchmark, not a test).

Runs on a private PulseAudio daemon with the virtual headset of the tests.

``--mode loop`` (default): pjsua2 on the null device with the bridge's port attached to
itself (echo loop: headset microphone -> uplink buffer -> pjsua2 conference -> downlink
buffer -> headset). A click train is played into a combine sink that feeds both the
headset directly (reference) and the microphone; recording the headset shows each click
twice, and the gap is the loop latency through Qt capture, the bridge and Qt playback.
Then CPU of the process with the loop running for ``--seconds``.

``--mode call``: one real G.722 call through Kamailio (SipEngine + AudioService in this
process, the engine's scriptable peer as a subprocess playing a tone); CPU of this process
over ``--seconds`` and the bridge's buffer figures.

    .venv/bin/python benchmarks/audio_bridge.py --mode loop --seconds 30
    .venv/bin/python benchmarks/audio_bridge.py --mode call --seconds 30
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from array import array
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.pulse import PulseServer, start_pulse  # noqa: E402

RATE = 16000


def cpu_by_thread() -> dict[str, float]:
    """CPU seconds (user+system) per thread name of this process."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
            name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


# --profile: py-spy samples of this process over the window. --nonblocking: a blocking
# py-spy pauses the process 250 times a second and the audio misses its deadlines.
PROFILE_TO: Path | None = None


def measure_cpu(seconds: float, pump: callable) -> tuple[float, dict[str, float]]:  # type: ignore[valid-type]
    spy = None
    if PROFILE_TO is not None:
        spy = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(os.getpid()),
             "--duration", str(int(seconds)), "--rate", "250", "--threads",
             "--nonblocking", "--format", "raw", "-o", str(PROFILE_TO)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)  # attached
    before, t0 = cpu_by_thread(), time.monotonic()
    pump(seconds)
    after, wall = cpu_by_thread(), time.monotonic() - t0
    if spy is not None:
        spy.wait(timeout=60)
    per = {k: 100 * (after.get(k, 0.0) - before.get(k, 0.0)) / wall for k in after}
    total = sum(per.values())
    return total, {k: v for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if v >= 0.05}


def write_clicks(path: Path, n: int, period_s: float, rate: int = 48000) -> None:
    """A train of short 1 kHz bursts (4 ms, Hann window)."""
    samples = array("h", bytes(2 * int((n * period_s + 1.0) * rate)))
    burst = int(0.004 * rate)
    for k in range(n):
        start = int((0.5 + k * period_s) * rate)
        for i in range(burst):
            w = 0.5 - 0.5 * math.cos(2 * math.pi * i / burst)
            samples[start + i] = int(28000 * w * math.sin(2 * math.pi * 1000 * i / rate))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def onsets(path: Path, threshold: float = 0.25, refractory_s: float = 0.02) -> list[float]:
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        data = array("h")
        data.frombytes(w.readframes(w.getnframes()))
    peak = max(1, max(abs(x) for x in data))
    found: list[float] = []
    last = -1e9
    for i, x in enumerate(data):
        if abs(x) >= threshold * peak and i - last > refractory_s * rate:
            found.append(i / rate)
            last = i
        elif abs(x) >= threshold * peak:
            last = i
    return found


class EngineLikeThread:
    """pjsua2 on the null device on its own thread, the bridge attached to itself."""

    def __init__(self, bridge: object) -> None:
        self.bridge = bridge
        self.jobs: queue.Queue[str] = queue.Queue()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sip-engine", daemon=True)

    def _run(self) -> None:
        import pjsua2 as pj

        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = 0
        cfg.logConfig.consoleLevel = 0
        cfg.medConfig.clockRate = RATE
        cfg.medConfig.sndClockRate = RATE
        ep.libInit(cfg)
        ep.libStart()
        ep.audDevManager().setNullDev()
        b = self.bridge
        b.open()  # type: ignore[attr-defined]
        b.attach(b.port)  # type: ignore[attr-defined]
        self.ready.set()
        while True:
            ep.libHandleEvents(10)
            with contextlib.suppress(queue.Empty):
                if self.jobs.get_nowait() == "stop":
                    break
        b.detach(b.port)  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]
        ep.libDestroy()

    def __enter__(self) -> EngineLikeThread:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.jobs.put("stop")
        self.thread.join(10)


def qt_pump(app: object) -> callable:  # type: ignore[valid-type]
    """Wait on the main thread. The audio thread has its own event loop, so the main
    thread need not spin one (and PySide6 6.12.0 leaks a reference to None on every
    processEvents() call, which crashes Python 3.11 after a few thousand)."""

    def pump(seconds: float) -> None:
        time.sleep(seconds)

    return pump


class ClockProbe:
    """Counts the samples each side of a drift buffer moves, with the time of each call.

    Wraps a buffer's `write` and `read` (instance attributes, so the bridge's port and the
    Qt stream, which look them up or hold them, call through the probe): the writer's and
    the reader's clock rates are then the slopes of samples against `time.monotonic()`.
    """

    def __init__(self, buf: object, name: str) -> None:
        self.name = name
        self.writes: list[tuple[float, int]] = []
        self.reads: list[tuple[float, int]] = []
        self.fills: list[tuple[float, int]] = []  # (time, fill after each event)
        self._w = self._r = 0
        orig_write, orig_read = buf.write, buf.read  # type: ignore[attr-defined]

        def write(pcm: bytes) -> None:
            self._w += len(pcm) // 2
            now = time.monotonic()
            self.writes.append((now, self._w))
            orig_write(pcm)
            self.fills.append((now, buf.fill_samples))  # type: ignore[attr-defined]

        def read(n: int) -> bytes:
            self._r += n
            now = time.monotonic()
            self.reads.append((now, self._r))
            out = orig_read(n)
            self.fills.append((now, buf.fill_samples))  # type: ignore[attr-defined]
            return out  # type: ignore[no-any-return]

        buf.write = write  # type: ignore[attr-defined]
        buf.read = read  # type: ignore[attr-defined]

    @staticmethod
    def fit(points: list[tuple[float, int]], t0: float, t1: float) -> tuple[float, float]:
        """(rate in samples/s by least squares, worst lag behind that line in ms)."""
        pts = [(t, n) for t, n in points if t0 <= t <= t1]
        if len(pts) < 3:
            return (float("nan"), float("nan"))
        mt = statistics.fmean(t for t, _ in pts)
        mn = statistics.fmean(n for _, n in pts)
        num = sum((t - mt) * (n - mn) for t, n in pts)
        den = sum((t - mt) ** 2 for t, _ in pts)
        rate = num / den
        resid = [n - (mn + rate * (t - mt)) for t, n in pts]
        return rate, 1000 * (max(resid) - min(resid)) / RATE

    def mean_fill_ms(self, t0: float, t1: float) -> float:
        """Time-averaged fill of the buffer over [t0, t1]: the latency it added."""
        pts = [(t, f) for t, f in self.fills if t0 <= t <= t1]
        area = sum(f * (b[0] - t) for (t, f), b in pairwise(pts))
        span = pts[-1][0] - pts[0][0] if len(pts) > 1 else 0.0
        return 1000 * area / span / RATE if span else float("nan")

    def report(self, t0: float, t1: float) -> None:
        wr, wj = self.fit(self.writes, t0, t1)
        rr, rj = self.fit(self.reads, t0, t1)
        print(
            f"  {self.name}: writer {wr:9.2f} samples/s ({(wr / RATE - 1) * 1e6:+7.0f} ppm, "
            f"burst span {wj:5.1f} ms), reader {rr:9.2f} ({(rr / RATE - 1) * 1e6:+7.0f} ppm, "
            f"burst span {rj:5.1f} ms): drift writer-reader {(wr / rr - 1) * 1e6:+7.0f} ppm; "
            f"time-averaged fill {self.mean_fill_ms(t0, t1):.1f} ms"
        )


def print_bridge(stats: object, since: object | None = None) -> None:
    """The drift buffers' figures (counters over the window when `since` is given)."""
    for name, label in (("uplink", "mic -> pjsua2"), ("downlink", "pjsua2 -> headset")):
        now = getattr(stats, name)
        before = getattr(since, name) if since is not None else None

        def d(field: str, now: object = now, before: object = before) -> int:
            value = getattr(now, field)
            return int(value - getattr(before, field)) if before is not None else int(value)

        print(
            f"  {name:8s} ({label}): mean fill (latency) {now.avg_fill_ms:5.1f} ms "
            f"(target {now.target_ms:.0f}), "
            f"underruns {d('underruns')}, drift corrections {d('corrections')} "
            f"(+{d('skipped_samples')}/-{d('stretched_samples')} samples, "
            f"drift estimate {now.drift_ppm:+.0f} ppm), dropped {d('dropped_samples')}, "
            f"resyncs {d('resyncs')}, discarded before playback {d('discarded_samples')}"
        )
    print(f"  speaker device buffer queued: {stats.speaker_queued_ms:.1f} ms")  # type: ignore[attr-defined]


def loop_mode(
    pulse: PulseServer, tmp: Path, seconds: float, clicks: int, target_ms: float, buffer_ms: int
) -> None:
    from PySide6.QtCore import QCoreApplication

    from homeagent.core.audio_settings import AudioSettings
    from homeagent.sip.audio import AudioService

    app = QCoreApplication.instance() or QCoreApplication([])
    pump = qt_pump(app)
    svc = AudioService(
        lambda e: None,
        AudioSettings(microphone_id="headset_mic", speaker_id="headset"),
        target_latency_ms=target_ms,
        device_buffer_ms=buffer_ms,
    )
    svc.start()
    print(f"drift buffer target margin {target_ms:g} ms, speaker device buffer {buffer_ms} ms")
    try:
        with EngineLikeThread(svc.bridge):
            pump(1.5)  # streams open, buffers primed
            pulse.pactl(
                "load-module", "module-combine-sink", "sink_name=probe", "slaves=headset,micfeed"
            )
            wav = tmp / "clicks.wav"
            write_clicks(wav, clicks, 0.8)
            with pulse.recording(tmp / "heard.wav", "headset.monitor"):
                player = pulse.play(wav, device="probe")
                while player.poll() is None:
                    pump(0.1)
                pump(0.8)
            times = onsets(tmp / "heard.wav")
            gaps = []
            i = 0
            while i + 1 < len(times):
                gap = times[i + 1] - times[i]
                if gap < 0.6:  # direct click, then its trip through the bridge
                    gaps.append(gap * 1000)
                    i += 2
                else:
                    i += 1
            print(f"loop latency (mic -> bridge -> pjsua2 -> headset), {len(gaps)} clicks:")
            if gaps:
                print(
                    f"  median {statistics.median(gaps):.1f} ms, min {min(gaps):.1f}, "
                    f"max {max(gaps):.1f}"
                )
            print_bridge(svc.stats())
            total, per = measure_cpu(seconds, pump)
            print(f"CPU with the echo loop running, {seconds:.0f} s: {total:.1f} % of one core")
            for name, pct in per.items():
                print(f"  {name:20s} {pct:5.1f} %")
            print_bridge(svc.stats())
    finally:
        svc.stop()


def call_mode(pulse: PulseServer, tmp: Path, seconds: float, bridge: bool = True) -> None:
    from PySide6.QtCore import QCoreApplication

    from homeagent.core.audio_settings import AudioSettings
    from homeagent.core.commands import Answer
    from homeagent.core.events import CallRinging, Event, RegistrationChanged, RegistrationState
    from homeagent.core.sip_config import EngineConfig, SipAccountConfig
    from homeagent.sip.audio import AudioService
    from homeagent.sip.engine import SipEngine
    from tests.helpers.kamailio import start_kamailio

    app = QCoreApplication.instance() or QCoreApplication([])
    pump = qt_pump(app)
    events: queue.Queue[Event] = queue.Queue()
    # --no-bridge: the same call on pjsua2's null device, no Python bridge and no Qt audio:
    # the floor a native bridge would stand on (the engine, pjmedia's clock and media)
    svc = (
        AudioService(events.put, AudioSettings(microphone_id="headset_mic", speaker_id="headset"))
        if bridge
        else None
    )
    probes = (
        (ClockProbe(svc.uplink, "uplink (Qt mic -> pjsua2)"),
         ClockProbe(svc.downlink, "downlink (pjsua2 -> Qt speaker)"))
        if svc is not None
        else ()
    )  # fmt: skip
    if svc is not None:
        svc.start()
    kam_dir = tmp / "kam"
    kam_dir.mkdir()
    gen = start_kamailio(kam_dir, tls=False)
    kam = next(gen)
    try:
        account = SipAccountConfig(
            registrar_host=kam.host,
            registrar_port=kam.udp_port,
            domain=kam.domain,
            username="1001",
            password=kam.passwords["1001"],
        )
        engine = SipEngine(
            EngineConfig(), account, events.put, audio=svc.bridge if svc is not None else None
        )
        engine.start()
        try:
            ringing = None
            deadline = time.monotonic() + 30
            far = None
            tone = tmp / "far.wav"
            subprocess.run(
                ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(tone),
                 "synth", str(seconds + 15), "sine", "700", "vol", "0.5"],
                check=True,
            )  # fmt: skip
            mic = pulse.play(tone)
            while time.monotonic() < deadline and ringing is None:
                pump(0.05)
                while not events.empty():
                    e = events.get()
                    if (
                        isinstance(e, RegistrationChanged)
                        and e.state is RegistrationState.REGISTERED
                        and far is None
                    ):
                        far = subprocess.Popen(
                            [sys.executable, "-m", "homeagent.sip.peer",
                             "--registrar", f"{kam.host}:{kam.udp_port}",
                             "--domain", kam.domain, "--user", "1002",
                             "--call", f"sip:1001@{kam.domain}", "--play", str(tone),
                             "--hangup-after", str(seconds + 6), "--exit-on-end",
                             "--exit-after", str(seconds + 40)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            cwd=ROOT,
                            env=dict(os.environ, HOMEAGENT_PEER_PASSWORD=kam.passwords["1002"]),
                        )  # fmt: skip
                    if isinstance(e, CallRinging):
                        ringing = e
                        if svc is not None:
                            svc.start_ringing()  # as the desk does: the headset opens now
            if ringing is None:
                raise SystemExit("no call arrived")
            engine.submit(Answer(ringing.call_id))
            if svc is not None:
                svc.stop_ringing()
            pump(3.0)
            if svc is not None:
                print("from the call's start to the window:")
                print_bridge(svc.stats())
                since = svc.stats()
            t0 = time.monotonic()
            total, per = measure_cpu(seconds, pump)
            t1 = time.monotonic()
            what = "with the bridge" if svc is not None else "on the null device, no bridge"
            print(
                f"CPU of one active G.722 call {what}, over {seconds:.0f} s: "
                f"{total:.1f} % of one core (this process: engine + bridge + Qt audio)"
            )
            for name, pct in per.items():
                print(f"  {name:20s} {pct:5.1f} %")
            if svc is not None:
                print(f"over the {seconds:.0f} s window:")
                print_bridge(svc.stats(), since)
            if probes:
                print("clock rates over the window (against time.monotonic):")
            for probe in probes:
                probe.report(t0, t1)
            if os.environ.get("AUDIO_BENCH_DUMP"):
                import json

                Path(os.environ["AUDIO_BENCH_DUMP"]).write_text(
                    json.dumps(
                        {p.name: {"w": p.writes, "r": p.reads} for p in probes}
                        | {"t0": t0, "t1": t1}
                    )
                )
            mic.terminate()
            if far is not None:
                far.wait(timeout=30)
        finally:
            engine.stop(timeout_s=8)
    finally:
        with contextlib.suppress(StopIteration):
            next(gen)
        if svc is not None:
            svc.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mode", choices=("loop", "call"), default="loop")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clicks", type=int, default=12)
    ap.add_argument("--target-ms", type=float, default=30.0, help="drift buffer target margin")
    ap.add_argument("--buffer-ms", type=int, default=40, help="speaker device buffer")
    ap.add_argument("--profile", type=Path, help="py-spy raw stacks over the CPU window")
    ap.add_argument(
        "--no-bridge", action="store_true", help="call mode on the null device: the floor"
    )
    args = ap.parse_args()
    global PROFILE_TO
    PROFILE_TO = args.profile
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
    with tempfile.TemporaryDirectory(prefix="audio-bench-") as d:
        tmp = Path(d)
        (tmp / "pulse").mkdir()
        with start_pulse(tmp / "pulse") as pulse:
            if args.mode == "loop":
                loop_mode(pulse, tmp, args.seconds, args.clicks, args.target_ms, args.buffer_ms)
            else:
                call_mode(pulse, tmp, args.seconds, bridge=not args.no_bridge)
    return 0


if __name__ == "__main__":
    sys.exit(main())
