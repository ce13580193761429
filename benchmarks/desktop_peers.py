"""Desktop benchmark (not a test): HomeAgent side by side with Twinkle and Linphone desktop.

    .venv/bin/python benchmarks/desktop_peers.py [--runs 5] [--idle 30] [--calls 200]

One run measures, for each softphone in turn (never two at once), each under its own Xvfb
and against the same real Kamailio (the ACD configuration the demo runs, deploy/kamailio/acd,
with the `ctl` module added on the command line so that `kamcmd ul.dump` can read its
location table; each softphone authenticates with a device identity of its own), with
one private D-Bus session bus for all (no X11 autolaunch of a bus per start):

- cold start → first top-level window mapped: `xev -root -event substructure` reports
  the X `MapNotify` as it happens (no polling);
- cold start → SIP registered: Kamailio's 200 OK to the softphone's REGISTER, seen on the
  loopback as it leaves (a packet socket, as root; no process spawned meanwhile, no polling
  step); otherwise the AoR appearing in Kamailio's location table (`kamcmd ul.dump brief`,
  polled every 50 ms). The AoR is removed before each start;
- memory `--idle` seconds after the last start: VmRSS and Pss (smaps_rollup) summed over
  the process tree;
- the same after `--calls` calls from sipp through Kamailio (INVITE, 180, CANCEL: ring
  only, one at a time), to show growth or none.

Each softphone is first started once to set itself up (HomeAgent: profile import and
enrolment, first cache sync; the others: their first-run files), reported apart; the
`--runs` cold starts that follow are those of a set-up desk, as an agent starts it daily.
HomeAgent is the real app process (`benchmarks/desktop_peers/ha_desk.py`) against the
demo's real server (`homeagent.demo.world.DemoWorld`: seeded `homeagent-server`, signed
profile); Twinkle (`twinkle`) and Linphone (`linphone-desktop`) are the Debian packages,
configured through files in a temporary HOME so that they register at start.

`benchmarks/shift_memory.py` reuses this world, the peers' set-up and `memory_mb` for memory
over a shift: answered calls with audio, auto-answer, wrap-ups saved (issue 14).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from homeagent.demo.reaper import Reaper  # noqa: E402
from homeagent.demo.world import SIP_DOMAIN, DemoWorld  # noqa: E402
from tests.helpers.procs import free_port, stop  # noqa: E402
from tests.helpers.xvfb import start_xvfb  # noqa: E402

HA_DESK = Path(__file__).resolve().parent / "desktop_peers" / "ha_desk.py"
SIPP_SCENARIO = REPO / "tests" / "sipp" / "uac_ring_only.xml"
PEER_USERS = {"twinkle": "3001", "linphone": "3002"}


@dataclass
class BenchWorld(DemoWorld):
    """The demo's server and ACD Kamailio, plus SIP users for the other softphones.

    sipp rings each softphone's own address from the gateway address (`acd=False`: the
    gateway may call agents directly, not only the queues). Each other softphone gets a
    server user and a device with its own digest identity, as a desk enrols one
    (`homeagent.server.sip_credentials.issue`): `credentials[user]` = (auth user, secret).
    """

    acd: bool = False
    extra_users: tuple[str, ...] = ()
    credentials: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)
    register_watcher: RegisterWatcher | None = field(default=None, repr=False)

    @property
    def ctl(self) -> str:
        return f"unix:{self.root / 'kamailio' / 'ctl.sock'}"

    def start(self) -> None:  # DemoWorld.start without the customers' voices
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._reaper = Reaper()
        self.server_port, self.sip_port = free_port(), free_port()
        self._seed()
        self._start_server()
        self._start_acd_kamailio()
        self._write_profile()
        self.register_watcher = RegisterWatcher.open()

    def _seed(self) -> None:
        super()._seed()
        from homeagent.server.db import Database
        from homeagent.server.models import Device, User
        from homeagent.server.sip_credentials import issue

        db = Database(self.db_url)
        try:
            with db.write() as s:
                for sip_user in self.extra_users:
                    user = User(
                        name=f"bench{sip_user}", display_name=f"Bench {sip_user}",
                        role="agent", team_id=self.team_id, password_hash="!",
                        sip_username=sip_user,
                    )  # fmt: skip
                    s.add(user)
                    s.flush()
                    device = Device(user_id=user.id, name=f"bench {sip_user}")
                    s.add(device)
                    s.flush()
                    cred = issue(s, device, user, SIP_DOMAIN)
                    self.credentials[sip_user] = (cred.auth_username, cred.secret)
        finally:
            db.dispose()

    def _spawn(self, argv: list[str], log_path: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
        if "kamailio" in Path(argv[0]).name:  # `kamcmd ul.dump` reads the location table
            argv = [*argv, "--loadmodule=ctl.so", f"--modparam=ctl:binrpc:s:{self.ctl}"]
        return super()._spawn(argv, log_path, **kwargs)

    def registered(self, user: str) -> bool:
        out = subprocess.run(
            ["kamcmd", "-s", self.ctl, "ul.dump", "brief"], capture_output=True, text=True
        ).stdout
        return re.search(rf"AoR: {re.escape(user)}\b", out) is not None

    def unregister(self, user: str) -> None:
        argv = ["kamcmd", "-s", self.ctl, "ul.rm", "location", f"s:{user}"]  # s: a string
        subprocess.run(argv, capture_output=True)


@dataclass
class Peer:
    name: str
    user: str
    home: Path
    argv: Callable[[bool], list[str]]  # first start? -> command line
    env: dict[str, str] = field(default_factory=dict)


def homeagent_peer(world: BenchWorld, home: Path, extra: tuple[str, ...] = ()) -> Peer:
    home.mkdir(parents=True)
    setup = {
        "home": str(home),
        "login": world.agent_login,
        "password": world.password,
        "trusted_key_pem": world.trusted_key_pem.decode(),
    }
    (home / "setup.json").write_text(json.dumps(setup))
    (home / "setup.json").chmod(0o600)

    def argv(first: bool) -> list[str]:
        cmd = [sys.executable, str(HA_DESK), "--setup", str(home / "setup.json"), *extra]
        return [*cmd, "--profile", str(world.profile_path)] if first else cmd

    return Peer("HomeAgent", world.agent_sip_user, home, argv)


def twinkle_peer(world: BenchWorld, home: Path) -> Peer:
    conf = home / ".twinkle"
    conf.mkdir(parents=True)
    proxy = f"127.0.0.1:{world.sip_port}"
    user = PEER_USERS["twinkle"]
    auth_user, password = world.credentials[user]
    (conf / "bench.cfg").write_text(
        f"user_name={user}\nuser_domain={SIP_DOMAIN}\nuser_display=Twinkle bench\n"
        f"auth_name={auth_user}\nauth_pass={password}\nauth_realm=\n"
        f"registrar={proxy}\noutbound_proxy={proxy}\nall_requests_to_proxy=yes\n"
        "non_resolvable_to_proxy=yes\nregister_at_startup=yes\nregistration_time=3600\n"
        "sip_transport=udp\n"
    )
    (conf / "twinkle.sys").write_text(
        f"sip_udp_port={free_port()}\nrtp_port={free_port()}\nvalidate_audio_dev=no\n"
        "dev_ringtone=alsa:null\ndev_speaker=alsa:null\ndev_mic=alsa:null\n"
        "play_ringtone=no\nplay_ringback=no\ngui_use_systray=no\ngui_hide_on_close=no\n"
        "start_hidden=no\n"
    )
    return Peer("Twinkle", user, home, lambda _first: ["twinkle", "-f", "bench", "--force"])


def linphone_peer(world: BenchWorld, home: Path) -> Peer:
    home.mkdir(parents=True)
    user, rc = PEER_USERS["linphone"], home / "linphonerc"
    auth_user, password = world.credentials[user]
    proxy = f"sip:127.0.0.1:{world.sip_port};transport=udp"
    rc.write_text(
        f"[sip]\nsip_port={free_port()}\nsip_tcp_port=0\nsip_tls_port=0\ndefault_proxy=0\n\n"
        f"[rtp]\naudio_rtp_port={free_port()}\n\n"
        f"[proxy_0]\nreg_proxy=<{proxy}>\nreg_route=<{proxy};lr>\n"
        f'reg_identity="Linphone bench" <sip:{user}@{SIP_DOMAIN}>\nreg_expires=3600\n'
        "reg_sendregister=1\npublish=0\n\n"
        f"[auth_info_0]\nusername={user}\nuserid={auth_user}\npasswd={password}\nrealm={SIP_DOMAIN}\n"
        f"domain={SIP_DOMAIN}\n"
    )
    env = {"XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local")}
    return Peer("Linphone", user, home, lambda _first: ["linphone", "--config", str(rc)], env)


class MapWatcher:
    """The time of the first top-level MapNotify on a display (xev on the root window)."""

    def __init__(self, env: dict[str, str]) -> None:
        argv = ["stdbuf", "-oL", "xev", "-root", "-event", "substructure"]
        self.proc = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        self.mapped: tuple[float, str] | None = None
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(0.3)  # xev prints nothing before the first event: give it time to select

    def _read(self) -> None:
        assert self.proc.stdout is not None
        block = ""  # xev starts each event with a blank line: test the block line by line
        for line in self.proc.stdout:
            block = f"{block} {line.strip()}" if line.strip() else ""
            match = re.search(r"MapNotify event.*window (0x[0-9a-f]+), override NO", block)
            if match and self.mapped is None:
                self.mapped = (time.monotonic(), match.group(1))

    def close(self) -> None:
        stop(self.proc)


class RegisterWatcher:
    """The time Kamailio answered a user's REGISTER with 200 OK, seen on the loopback as it
    happens (a packet socket: root only; `None` from `open` otherwise, and the caller polls
    the location table instead). No process is spawned while the softphone starts, and
    there is no polling step in the figure."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        self._lock = threading.Lock()
        self._user = ""
        self.registered: float | None = None
        threading.Thread(target=self._read, daemon=True).start()

    @classmethod
    def open(cls) -> RegisterWatcher | None:
        import socket

        try:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
            sock.bind(("lo", 0))
        except (OSError, AttributeError):
            return None
        return cls(sock)

    def expect(self, user: str) -> None:
        with self._lock:
            self._user, self.registered = user, None

    def _read(self) -> None:
        while True:
            try:
                packet = self._sock.recv(65535)
            except OSError:
                return
            now = time.monotonic()
            if len(packet) < 28 or packet[9] != 17:  # IPv4 header, then UDP (protocol 17)
                continue
            payload = packet[(packet[0] & 0x0F) * 4 + 8 :]
            if not payload.startswith(b"SIP/2.0 200") or b" REGISTER" not in payload:
                continue
            with self._lock:
                user = self._user
                if user and self.registered is None and f"sip:{user}@".encode() in payload:
                    self.registered = now

    def close(self) -> None:
        self._sock.close()


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return pids


def memory_mb(pid: int) -> dict[str, float]:
    rss = pss = 0
    for p in tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        rss += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        pss += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))  # type: ignore[union-attr]
    return {"rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1)}


def window_size(env: dict[str, str], wid: str) -> str:
    out = subprocess.run(["xwininfo", "-id", wid], env=env, capture_output=True, text=True).stdout
    w, h = re.search(r"Width: (\d+)", out), re.search(r"Height: (\d+)", out)
    return f"{w.group(1)}x{h.group(1)}" if w and h else "?"


def sipp_calls(world: BenchWorld, user: str, calls: int, rate: float, work: Path) -> dict[str, int]:
    work.mkdir(parents=True, exist_ok=True)
    argv = [
        "sipp", f"127.0.0.1:{world.sip_port}", "-sf", str(SIPP_SCENARIO), "-s", user,
        "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(free_port()),
        "-m", str(calls), "-r", str(rate), "-rp", "1000", "-l", "1",
        "-timeout", f"{int(calls / rate * 3 + 60)}s", "-timeout_error", "-recv_timeout", "10000",
        "-trace_stat", "-stf", str(work / "stat.csv"), "-trace_err", "-nostdin",
    ]  # fmt: skip
    subprocess.run(argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = [r.split(";") for r in (work / "stat.csv").read_text().splitlines() if r.strip()]
    head, last = rows[0], rows[-1]
    return {
        "successful": int(last[head.index("SuccessfulCall(C)")]),
        "failed": int(last[head.index("FailedCall(C)")]),
    }


def one_start(
    peer: Peer, world: BenchWorld, display: dict[str, str], *, first: bool, timeout_s: float
) -> tuple[dict[str, Any], subprocess.Popen[bytes], float]:
    world.unregister(peer.user)
    if world.register_watcher is not None:
        world.register_watcher.expect(peer.user)
    env = {**display, "HOME": str(peer.home), **peer.env}
    watcher = MapWatcher(env)
    log = open(peer.home / "stdout.log", "ab")  # noqa: SIM115 - closed with the process
    t0 = time.monotonic()
    proc = subprocess.Popen(
        peer.argv(first), env=env, cwd=peer.home, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    log.close()
    try:
        registered = None
        watcher_reg = world.register_watcher
        while time.monotonic() - t0 < timeout_s and proc.poll() is None:
            if registered is None and watcher_reg is not None:
                if watcher_reg.registered is not None:
                    registered = watcher_reg.registered - t0
            elif registered is None and world.registered(peer.user):
                registered = time.monotonic() - t0
            if registered is not None and watcher.mapped is not None:
                break
            time.sleep(0.05)
        mapped = watcher.mapped
        watcher.close()
        result: dict[str, Any] = {
            "window_s": round(mapped[0] - t0, 3) if mapped else None,
            "registered_s": round(registered, 3) if registered is not None else None,
            "window_size": window_size(env, mapped[1]) if mapped else None,
            "exited": proc.poll(),
        }
    except BaseException:
        watcher.close()
        stop(proc)
        raise
    return result, proc, t0


def bench_peer(peer: Peer, world: BenchWorld, args: argparse.Namespace) -> dict[str, Any]:
    display = start_xvfb()
    out: dict[str, Any] = {"starts": []}
    try:
        for i in range(args.runs + 1):
            res, proc, t0 = one_start(
                peer, world, display.env, first=i == 0, timeout_s=args.start_timeout
            )
            try:
                print(f"{peer.name} start {i}{' (first)' if i == 0 else ''}: {res}", flush=True)
                if i == 0:
                    out["first_start"] = res
                else:
                    out["starts"].append(res)
                if i == args.runs and proc.poll() is None:
                    time.sleep(max(0.0, args.idle - (time.monotonic() - t0)))
                    out["idle"] = memory_mb(proc.pid)
                    print(f"{peer.name} idle {args.idle:.0f} s: {out['idle']}", flush=True)
                    out["calls"], out["growth"], done = {"successful": 0, "failed": 0}, [], 0
                    for step in range(1, 5 if args.calls else 0):  # memory after each quarter
                        n = args.calls * step // 4 - done
                        got = sipp_calls(world, peer.user, n, args.rate, peer.home / f"sipp{step}")
                        done += n
                        out["calls"] = {k: out["calls"][k] + got[k] for k in got}
                        time.sleep(3)
                        out["growth"].append({"calls": done, **memory_mb(proc.pid)})
                        print(f"{peer.name} {out['calls']}: {out['growth'][-1]}", flush=True)
                    if out["growth"]:
                        out["after_calls"] = out["growth"][-1]
            finally:
                stop(proc, timeout_s=10)
            time.sleep(1)
    finally:
        stop(display.proc)
        os.close(display.fd)
    for key in ("window_s", "registered_s"):
        values = [r[key] for r in out["starts"] if r[key] is not None]
        out[f"{key}_median"] = round(statistics.median(values), 3) if values else None
        out[f"{key}_n"] = len(values)
    return out


def ratio(a: Any, b: Any) -> str:
    return f"{a / b:.2f}" if isinstance(a, float) and isinstance(b, float) and b else "n/a"


def table(results: dict[str, dict[str, Any]], calls: int) -> str:
    names = list(results)
    rows = [
        ("first window mapped, median (s)", lambda r: r.get("window_s_median")),
        ("SIP registered, median (s)", lambda r: r.get("registered_s_median")),
        ("first start (set-up): window (s)", lambda r: r.get("first_start", {}).get("window_s")),
        ("first start (set-up): registered (s)",
         lambda r: r.get("first_start", {}).get("registered_s")),
        ("RSS idle (MB)", lambda r: r.get("idle", {}).get("rss_mb")),
        ("Pss idle (MB)", lambda r: r.get("idle", {}).get("pss_mb")),
        (f"RSS after {calls} calls (MB)", lambda r: r.get("after_calls", {}).get("rss_mb")),
        (f"Pss after {calls} calls (MB)", lambda r: r.get("after_calls", {}).get("pss_mb")),
        ("RSS after each quarter of the calls (MB)",
         lambda r: " / ".join(str(g["rss_mb"]) for g in r.get("growth", [])) or None),
        ("calls rung (successful / failed)",
         lambda r: "{successful} / {failed}".format(**r["calls"]) if "calls" in r else None),
    ]  # fmt: skip
    others = [n for n in names if n != "HomeAgent"]
    lines = ["| figure | " + " | ".join(names) + "".join(f" | HA / {o}" for o in others) + " |"]
    lines.append("|---" * (1 + len(names) + len(others)) + "|")
    for label, get in rows:
        vals = [get(results[n]) for n in names]
        ha = get(results["HomeAgent"]) if "HomeAgent" in results else None
        cells = ["n/a" if v is None else str(v) for v in vals]
        cells += [ratio(ha, get(results[o])) for o in others]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts per softphone")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds before the idle RSS")
    parser.add_argument("--calls", type=int, default=200, help="ring-only calls (0: none)")
    parser.add_argument("--rate", type=float, default=4.0, help="calls per second")
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--peers", default="homeagent,twinkle,linphone")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="do not compile the package first (PYTHONDONTWRITEBYTECODE: every start compiles)",
    )
    args = parser.parse_args()
    if not args.no_bytecode:  # as installed: the bundle and the .deb ship compiled bytecode
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(REPO / "homeagent")], check=True
        )
    for tool in ("kamailio", "kamcmd", "sipp", "xev", "xwininfo", "stdbuf", "Xvfb", "dbus-daemon"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"missing tool: {tool}")
    root = Path(tempfile.mkdtemp(prefix="desktop-peers-"))
    world = BenchWorld(root / "world", contacts=2000, extra_users=tuple(PEER_USERS.values()))
    results: dict[str, dict[str, Any]] = {}
    bus = subprocess.Popen(  # one private session bus: no X11 autolaunch by the softphones
        ["dbus-daemon", "--session", "--nofork", f"--address=unix:path={root / 'bus'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={root / 'bus'}"
    try:
        world.start()
        makers = {
            "homeagent": lambda: homeagent_peer(world, root / "homeagent"),
            "twinkle": lambda: twinkle_peer(world, root / "twinkle"),
            "linphone": lambda: linphone_peer(world, root / "linphone"),
        }
        for key in args.peers.split(","):
            if key != "homeagent" and not shutil.which(key):
                print(f"{key}: not installed, skipped", flush=True)
                continue
            peer = makers[key]()
            try:
                results[peer.name] = bench_peer(peer, world, args)
            except Exception as exc:  # report the others' figures anyway
                print(f"{peer.name}: failed: {exc!r}", flush=True)
                results[peer.name] = {"error": repr(exc)}
    finally:
        world.stop()
        stop(bus)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print(table(results, args.calls))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    raise SystemExit(main())
