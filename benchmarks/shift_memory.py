"""Desktop benchmark (not a test): memory over a shift of answered calls with audio.

    .venv/bin/python benchmarks/shift_memory.py [--calls 500] [--talk-s 3] [--every 10]
        [--peers homeagent,twinkle,linphone] [--out DIR]

Issue 14's goal: 500 answered calls with audio through the real path grow the desk's RSS
by at most 5 MB after the first 50. Each softphone in turn (never two at once) runs under
its own Xvfb, against the same world as `benchmarks/desktop_peers.py` (the demo's real
server and ACD Kamailio, a digest identity per softphone, one private D-Bus bus), with
audio through one private PulseAudio daemon (`tests/helpers/pulse.py`: the virtual
headset; a `module-sine` tone plays into its microphone all along):

- HomeAgent: the real desk process (`benchmarks/desktop_peers/ha_desk.py --audio
  --wrap-up`): audio devices open, cache open; calls are answered by the team's
  auto-answer (`auto_answer_s` = 1, a server-side team setting the desk reads from /me);
  after each BYE the wrap-up form is filled and saved through its own widgets (the desk
  model, the outbox, `POST /interactions/{id}/wrap-up`), and the team's
  `auto_available_after_wrap_up` makes the desk Available again. At the end the server's
  database must hold one wrapped interaction per answered call.
- Twinkle: its service file's `auto_answer=yes` (`~/.twinkle/<profile>.svc`, read by
  `t_service::read_config`); audio through ALSA's `pulse` plugin (libasound2-plugins:
  `~/.asoundrc` makes `default` the private daemon), as Twinkle has no PulseAudio backend.
- Linphone desktop: `[ui] auto_answer=1` in its linphonerc (linphone-desktop's
  `SettingsModel`, read at start); audio through mediastreamer2's PulseAudio backend.

Each call: sipp (`benchmarks/sipp_shift_call.xml`) calls the softphone's address through
Kamailio, offering PCMA on the port of this script's RTP peer, which sends the 8 kHz speech
of sipp's own `g711a.pcap` (looped, 20 ms packets) to whatever address the softphone's RTP
comes from, and counts the softphone's packets; after `--talk-s` seconds sipp sends BYE. A
call counts as answered with audio when sipp saw 200 and BYE/200 and at least
`--min-audio-s` (1 s) of audio went each way (the softphone's RTP timestamps; ours are 20 ms
packets; the mean per call is reported); anything else is a failed call, counted, never a
hang (sipp has its own timeouts, and the process a hard one); a softphone that exits ends
its shift there, with its curve up to the exit and its exit code (`exited`). VmRSS and Pss
(smaps_rollup, summed over the process tree, `desktop_peers.memory_mb`) are sampled before
the first call and every `--every` calls, with the load average; results go to
`DIR/shift_memory.json` and `DIR/shift_memory.csv`. `--tracemalloc`: the desk traces its
allocations and dumps a snapshot and gc counts by type at the end (`ha_desk.py`,
`HA_TRACEMALLOC`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from desktop_peers import (  # noqa: E402
    PEER_USERS,
    BenchWorld,
    Peer,
    homeagent_peer,
    linphone_peer,
    memory_mb,
    one_start,
    twinkle_peer,
)

from tests.helpers.procs import free_port, stop  # noqa: E402
from tests.helpers.pulse import PulseServer, start_pulse  # noqa: E402
from tests.helpers.xvfb import start_xvfb  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "sipp_shift_call.xml"
PCAP = Path("/usr/share/sip-tester/g711a.pcap")  # sipp's own (Debian sip-tester)
WRAP_UP_NOTE = "Shift benchmark call: customer served."  # what ha_desk.py --wrap-up types
GOAL_MB = 5.0


def pcma_payloads(pcap: Path) -> list[bytes]:
    """The PCMA (RTP type 8) audio of a pcap, cut in 20 ms (160-byte) payloads."""
    data = pcap.read_bytes()
    (magic,) = struct.unpack("<I", data[:4])
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    l2 = {1: 14, 113: 16, 101: 0}.get(link)
    if l2 is None:
        raise ValueError(f"{pcap}: link type {link} not read")
    out, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8 : pos + 12])[0]
        frame = data[pos + 16 : pos + 16 + incl]
        pos += 16 + incl
        ip = frame[l2:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        rtp = ip[(ip[0] & 0x0F) * 4 + 8 :]
        if len(rtp) < 12 or rtp[0] >> 6 != 2 or rtp[1] & 0x7F != 8:
            continue
        head = 12 + 4 * (rtp[0] & 0x0F)
        if rtp[0] & 0x10:  # header extension
            head += 4 + 4 * struct.unpack(">H", rtp[head + 2 : head + 4])[0]
        out.append(rtp[head:])
    audio = b"".join(out)
    if len(audio) < 160:
        raise ValueError(f"{pcap}: no PCMA audio")
    return [audio[i : i + 160] for i in range(0, len(audio) - 159, 160)]


class RtpPeer:
    """The caller's media: G.711 speech out every 20 ms, the softphone's packets counted.

    Symmetric RTP: it sends to the address the softphone's packets come from (one call at
    a time; `begin` and `end` frame a call)."""

    def __init__(self, payloads: list[bytes]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._payloads = payloads
        self._lock = threading.Lock()
        self._active = False
        self._target: tuple[str, int] | None = None
        self.rx = self.tx = 0
        self._ssrc = 0x5EED0000
        self._ts = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def begin(self) -> None:
        with self._lock:
            self.rx = self.tx = 0
            self._ts: list[int] = []  # first and last RTP timestamp from the softphone
            self._target, self._active = None, True
            self._ssrc += 1

    def end(self) -> tuple[int, int, float]:
        """Packets from and to the softphone, and the seconds of audio it sent (RTP clock)."""
        with self._lock:
            self._active = False
            span = (self._ts[1] - self._ts[0]) % 2**32 / 8000 + 0.02 if self._ts else 0.0
            return self.rx, self.tx, round(span, 2)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def _run(self) -> None:
        seq, ts, i, due = 0, 0, 0, time.monotonic()
        while not self._stop.is_set():
            ready, _, _ = select.select([self.sock], [], [], max(0.0, due - time.monotonic()))
            if ready:
                data, addr = self.sock.recvfrom(2048)
                with self._lock:
                    if self._active and len(data) > 12 and data[0] >> 6 == 2:
                        self.rx += 1
                        self._target = addr
                        ts = struct.unpack(">I", data[4:8])[0]
                        self._ts = [self._ts[0] if self._ts else ts, ts]
                continue
            due += 0.020
            if due < time.monotonic() - 0.2:  # fell behind (a stall): do not burst
                due = time.monotonic()
            with self._lock:
                target = self._target if self._active else None
                ssrc = self._ssrc
            if target is None:
                continue
            head = struct.pack(">BBHII", 0x80, 8, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
            try:
                self.sock.sendto(head + self._payloads[i % len(self._payloads)], target)
            except OSError:
                continue
            seq, ts, i = seq + 1, ts + 160, i + 1
            with self._lock:
                if self._active:
                    self.tx += 1


@dataclass
class ShiftWorld(BenchWorld):
    """BenchWorld whose team auto-answers after `auto_answer_s` and is Available again
    after each saved wrap-up (server-side team settings, as a lead sets them)."""

    auto_answer_s: int = 1
    extra_users: tuple[str, ...] = tuple(PEER_USERS.values())

    def _seed(self) -> None:
        super()._seed()
        from homeagent.server.db import Database
        from homeagent.server.models import Team

        db = Database(self.db_url)
        try:
            with db.write() as s:
                team = s.get(Team, self.team_id)
                assert team is not None
                team.auto_answer_s = self.auto_answer_s
                team.auto_available_after_wrap_up = True
        finally:
            db.dispose()

    def wrapped(self, note: str) -> int:
        """Interactions whose wrap-up carries `note` (the benchmark's, not the seed's)."""
        from sqlalchemy import func, select

        from homeagent.server.db import Database
        from homeagent.server.models import Interaction

        db = Database(self.db_url)
        try:
            with db.read() as s:
                query = select(func.count()).where(
                    Interaction.wrap_up_notes == note, Interaction.wrapped_at.is_not(None)
                )
                return int(s.scalar(query) or 0)
        finally:
            db.dispose()


def audio_for_twinkle(peer: Peer, pulse: PulseServer) -> None:
    """Twinkle has ALSA and OSS only: ALSA's pulse plugin to the private daemon."""
    (peer.home / ".asoundrc").write_text(
        f'pcm.!default {{ type pulse server "{pulse.server}" }}\n'
        f'ctl.!default {{ type pulse server "{pulse.server}" }}\n'
    )
    sys_file = peer.home / ".twinkle" / "twinkle.sys"
    lines = [ln for ln in sys_file.read_text().splitlines() if not ln.startswith("dev_")]
    lines += ["dev_ringtone=alsa:default", "dev_speaker=alsa:default", "dev_mic=alsa:default"]
    sys_file.write_text("\n".join(lines) + "\n")
    (peer.home / ".twinkle" / "bench.svc").write_text("dnd=no\nauto_answer=yes\n")


def audio_for_linphone(peer: Peer) -> None:
    """Auto-answer; and no GRUU: liblinphone's default `supported` list has `gruu`, the
    registrar then hands out a public GRUU that becomes the Contact of its answers, and
    this Kamailio (no gruu handling) answers 478 to the BYE sent to it."""
    rc = peer.home / "linphonerc"
    text = rc.read_text().replace("[sip]\n", "[sip]\nsupported=replaces, outbound\n", 1)
    rc.write_text(text + "\n[ui]\nauto_answer=1\nauto_answer_delay=0\n")


def run_call(
    world: BenchWorld, user: str, rtp: RtpPeer, args: argparse.Namespace, work: Path, n: int
) -> dict[str, Any]:
    argv = [
        "sipp", f"127.0.0.1:{world.sip_port}", "-sf", str(SCENARIO), "-s", user,
        "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(free_port()),
        "-key", "rtp_port", str(rtp.port), "-d", str(int(args.talk_s * 1000)),
        "-m", "1", "-l", "1", "-recv_timeout", str(int(args.answer_timeout_s * 1000)),
        "-timeout", f"{int(args.talk_s + args.answer_timeout_s + 15)}s", "-timeout_error",
        "-nostdin", "-trace_err", *(["-trace_msg"] if args.trace_msg else []),
        "-error_file", str(work / "sipp_errors.log"),
    ]  # fmt: skip
    rtp.begin()
    t0 = time.monotonic()
    try:
        rc = subprocess.run(
            argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=args.talk_s + args.answer_timeout_s + 30,
        ).returncode  # fmt: skip
    except subprocess.TimeoutExpired:
        rc = -9
    rx, tx, rx_s = rtp.end()
    tx_s = tx * 0.020
    ok = rc == 0 and min(rx_s, tx_s) >= args.min_audio_s
    errors = work / "sipp_errors.log"
    if not ok and errors.exists():  # kept for the failed calls only
        errors.rename(work / f"sipp_errors_{n}.log")
    return {
        "ok": ok, "sipp_rc": rc, "rx": rx, "tx": tx, "audio_from_s": rx_s,
        "audio_to_s": round(tx_s, 2), "s": round(time.monotonic() - t0, 2),
    }  # fmt: skip


def sample(proc: subprocess.Popen[bytes], calls: int, ok: int) -> dict[str, Any]:
    load = os.getloadavg()
    return {"calls": calls, "answered": ok, **memory_mb(proc.pid), "load1": round(load[0], 2)}


def shift(peer: Peer, world: ShiftWorld, rtp: RtpPeer, args: argparse.Namespace) -> dict[str, Any]:
    display = start_xvfb()
    out: dict[str, Any] = {"samples": [], "failed": [], "uptime_start": uptime()}
    work = peer.home / "sipp"
    work.mkdir(parents=True, exist_ok=True)
    wrapped0 = world.wrapped(WRAP_UP_NOTE) if peer.name == "HomeAgent" else 0
    try:
        res, proc, _t0 = one_start(peer, world, display.env, first=True, timeout_s=60)
        print(f"{peer.name} start: {res}", flush=True)
        try:
            if res["registered_s"] is None:
                raise RuntimeError(f"{peer.name} did not register: {res}")
            time.sleep(args.settle_s)
            out["samples"].append(sample(proc, 0, 0))
            print(f"{peer.name} {out['samples'][-1]}", flush=True)
            ok, rx_all, tx_all = 0, [], []  # seconds of audio of each answered call
            deadline = time.monotonic() + args.max_minutes * 60
            for n in range(1, args.calls + 1):
                if proc.poll() is not None:  # a crash is a result: the curve up to it
                    out["stopped_at"], out["exited"] = n - 1, proc.returncode
                    print(f"{peer.name} exited ({proc.returncode}) at call {n}", flush=True)
                    break
                if time.monotonic() > deadline:
                    out["stopped_at"] = n - 1
                    print(f"{peer.name}: --max-minutes reached at call {n - 1}", flush=True)
                    break
                call = run_call(world, peer.user, rtp, args, work, n)
                if call["ok"]:
                    ok += 1
                    rx_all.append(call["audio_from_s"])
                    tx_all.append(call["audio_to_s"])
                else:
                    out["failed"].append({"call": n, **call})
                    print(f"{peer.name} call {n} failed: {call}", flush=True)
                time.sleep(args.gap_s)
                if n % args.every == 0 or n == args.calls:
                    out["samples"].append(sample(proc, n, ok))
                    print(f"{peer.name} {out['samples'][-1]}", flush=True)
                if args.tracemalloc and peer.name == "HomeAgent" and n == args.after:
                    os.kill(proc.pid, signal.SIGUSR1)  # the first snapshot; the last at the end
                    time.sleep(5)
            out["answered"], out["calls"] = ok, out.get("stopped_at", args.calls)
            if ok:  # seconds of audio per answered call, from / to the softphone
                out["rtp_per_call"] = {
                    "from_softphone_min": min(rx_all), "from_softphone_mean": mean(rx_all),
                    "to_softphone_min": min(tx_all), "to_softphone_mean": mean(tx_all),
                }  # fmt: skip
            if peer.name == "HomeAgent":  # the wrap-ups, on the server side
                end = time.monotonic() + 30
                while world.wrapped(WRAP_UP_NOTE) - wrapped0 < ok and time.monotonic() < end:
                    time.sleep(0.5)
                out["wrap_ups_on_server"] = world.wrapped(WRAP_UP_NOTE) - wrapped0
            if args.tracemalloc and peer.name == "HomeAgent":
                os.kill(proc.pid, signal.SIGUSR1)
                time.sleep(5)
        finally:
            stop(proc, timeout_s=10)
    finally:
        stop(display.proc)
        os.close(display.fd)
    out["uptime_end"] = uptime()
    out.update(growth(out["samples"], args.after))
    return out


def mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 2)


def growth(samples: list[dict[str, Any]], after: int) -> dict[str, Any]:
    base = next((s for s in samples if s["calls"] >= after), None)
    if base is None or len(samples) < 2:
        return {}
    last = samples[-1]
    rss = round(last["rss_mb"] - base["rss_mb"], 1)
    pss = round(last["pss_mb"] - base["pss_mb"], 1)
    return {
        "growth_from": base["calls"], "growth_to": last["calls"],
        "rss_growth_mb": rss, "pss_growth_mb": pss, "pass": rss <= GOAL_MB,
    }  # fmt: skip


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def write_results(results: dict[str, dict[str, Any]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "shift_memory.json").write_text(json.dumps(results, indent=2))
    with open(out / "shift_memory.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["softphone", "calls", "answered", "rss_mb", "pss_mb", "load1"])
        for name, r in results.items():
            for s in r.get("samples", []):
                w.writerow([name, s["calls"], s["answered"], s["rss_mb"], s["pss_mb"], s["load1"]])


def table(results: dict[str, dict[str, Any]], step: int) -> str:
    names = [n for n in results if results[n].get("samples")]
    marks: list[int] = sorted({s["calls"] for n in names for s in results[n]["samples"]})
    marks = [m for m in marks if m % step == 0 or m == marks[-1]]
    lines = ["| calls | " + " | ".join(f"{n} RSS / Pss (MB)" for n in names) + " |"]
    lines.append("|---" * (1 + len(names)) + "|")
    for m in marks:
        cells = []
        for n in names:
            s = next((s for s in results[n]["samples"] if s["calls"] == m), None)
            cells.append(f"{s['rss_mb']} / {s['pss_mb']}" if s else "")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines.append(
        "| growth after call 50 (RSS / Pss) | "
        + " | ".join(
            f"{results[n].get('rss_growth_mb')} / {results[n].get('pss_growth_mb')}" for n in names
        )
        + " |"
    )
    lines.append(
        "| answered with audio / calls | "
        + " | ".join(f"{results[n].get('answered')} / {results[n].get('calls')}" for n in names)
        + " |"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--talk-s", type=float, default=3.0, help="audio time per call")
    parser.add_argument("--gap-s", type=float, default=0.7, help="pause after each call")
    parser.add_argument("--every", type=int, default=10, help="sample memory every N calls")
    parser.add_argument("--after", type=int, default=50, help="growth counted from this call")
    parser.add_argument("--settle-s", type=float, default=20.0, help="idle before call 0")
    parser.add_argument("--answer-timeout-s", type=float, default=10.0)
    parser.add_argument(
        "--min-audio-s", type=float, default=1.0, help="audio each way for a call to count"
    )
    parser.add_argument("--trace-msg", action="store_true", help="sipp's message trace")
    parser.add_argument("--max-minutes", type=float, default=90.0, help="per softphone")
    parser.add_argument("--peers", default="homeagent,twinkle,linphone")
    parser.add_argument("--out", type=Path, default=Path("shift-memory-results"))
    parser.add_argument("--tracemalloc", action="store_true", help="HomeAgent: trace, dump")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    for tool in ("kamailio", "kamcmd", "sipp", "xev", "Xvfb", "dbus-daemon", "pulseaudio"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"missing tool: {tool}")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "homeagent")], check=True)
    root = Path(tempfile.mkdtemp(prefix="shift-memory-"))
    results: dict[str, dict[str, Any]] = {}
    world = ShiftWorld(root / "world", contacts=2000)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={root / 'bus'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={root / 'bus'}"
    if args.tracemalloc:
        os.environ["HA_TRACEMALLOC"] = "1"
        os.environ["HA_TRACEMALLOC_DIR"] = str(args.out.resolve() / "tracemalloc")
    rtp = RtpPeer(pcma_payloads(PCAP))
    try:
        with start_pulse(root / "pulse") as pulse:  # exports PULSE_SERVER to the softphones
            pulse.pactl("load-module", "module-sine", "sink=micfeed", "frequency=440")
            world.start()
            for key in args.peers.split(","):
                if key != "homeagent" and not shutil.which(key):
                    print(f"{key}: not installed, skipped", flush=True)
                    continue
                if key == "homeagent":
                    peer = homeagent_peer(world, root / key, ("--audio", "--wrap-up"))
                elif key == "twinkle":
                    peer = twinkle_peer(world, root / key)
                    audio_for_twinkle(peer, pulse)
                else:
                    peer = linphone_peer(world, root / key)
                    audio_for_linphone(peer)
                print(f"{peer.name}: {uptime()}", flush=True)
                try:
                    results[peer.name] = shift(peer, world, rtp, args)
                except Exception as exc:  # report the others' figures anyway
                    print(f"{peer.name}: failed: {exc!r}", flush=True)
                    results[peer.name] = {"error": repr(exc)}
                write_results(results, args.out)
    finally:
        rtp.close()
        world.stop()
        stop(bus)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    write_results(results, args.out)
    summary = {n: {k: v for k, v in r.items() if k != "samples"} for n, r in results.items()}
    print(json.dumps(summary, indent=2))
    print(table(results, 50))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise SystemExit(main())
