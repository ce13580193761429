"""Desktop benchmark (not a test): screen pop on the real SIP path, INVITE on the wire →
card painted, with a large cache.

    .venv/bin/python benchmarks/screen_pop_sip.py --contacts 1000000 --calls 500
    .venv/bin/python benchmarks/screen_pop_sip.py --contacts 1000000 --calls 500 --busy-core

sipp (`benchmarks/sipp_screen_pop.xml`) calls the agent through a real Kamailio
(`tests/helpers/kamailio.py`) from the numbers of cached customers, one call at a time
(INVITE, ring 300 ms, CANCEL, 250 ms before the next). Between sipp and Kamailio sits our UDP relay
(`tests/helpers/udp_relay.py`, no impairment): it stamps each INVITE as it leaves for
Kamailio (`time.monotonic_ns`). The desk is the real one in this process: the SIP engine
(pjsua2, registered to Kamailio), the encrypted cache (SQLCipher + FTS5) filled with
`--contacts` contacts, the desk model, controller and window (Qt offscreen). Latency =
the INVITE stamp → `MainWindow.card_painted` (the card of that caller painted: the wire,
Kamailio, pjsip, the engine's event, the cache lookup, the queued crossing to the GUI
thread, render and paint). After each call the agent is made Available again (a call that
rang out leaves the desk Not ready, as in production). `--busy-core`: a second process
spins on one core all along (a home PC's browser).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402
from ui_screen_pop import fill, pump_until, rss_mb  # noqa: E402

from homeagent.core.agent_state import AgentState  # noqa: E402
from homeagent.core.desk import DeskModel  # noqa: E402
from homeagent.core.eventlog import MemoryEventLog  # noqa: E402
from homeagent.core.sip_config import EngineConfig, SipAccountConfig, Transport  # noqa: E402
from homeagent.crm.outbox import Outbox  # noqa: E402
from homeagent.crm.store import LocalStore  # noqa: E402
from homeagent.desktop.adapters import AppData, AppSink, StoreDirectory  # noqa: E402
from homeagent.sip.engine import SipEngine  # noqa: E402
from homeagent.ui.desk.controller import DeskController  # noqa: E402
from homeagent.ui.qt.dispatcher import Dispatcher  # noqa: E402
from homeagent.ui.qt.tasks import TaskLanes  # noqa: E402
from homeagent.ui.qt.theme import apply_theme  # noqa: E402
from homeagent.ui.shell.main_window import MainWindow  # noqa: E402
from tests.helpers import kamailio as kamailio_helper  # noqa: E402
from tests.helpers.kamailio import start_kamailio  # noqa: E402
from tests.helpers.procs import free_port  # noqa: E402
from tests.helpers.udp_relay import UdpRelay  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "sipp_screen_pop.xml"
AGENT = "1001"


class StampingRelay(UdpRelay):
    """Our UDP relay, stamping each new INVITE (not its retransmissions) sent towards
    Kamailio: `invites` = [(monotonic ns, caller's number)]."""

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.invites: list[tuple[int, str]] = []
        self._seen: set[bytes] = set()

    def _submit(
        self, sock: socket.socket, data: bytes, to: tuple[str, int], outbound: bool
    ) -> None:
        if outbound and data.startswith(b"INVITE "):
            stamp = time.monotonic_ns()
            call_id = re.search(rb"\r\nCall-ID: *([^\r]+)", data)
            number = re.search(rb"\r\nFrom:[^<]*<sip:([^@>]+)@", data)
            if call_id and number and call_id.group(1) not in self._seen:
                self._seen.add(call_id.group(1))
                self.invites.append((stamp, number.group(1).decode()))
        super()._submit(sock, data, to, outbound)


def wire_latencies(
    invites: list[tuple[int, str]], paints: dict[int, int], records: list[dict[str, object]]
) -> list[float]:
    """INVITE stamp → first paint of that call's card, matched by the caller's number
    (the contact's id carries it: `fill` makes contact n's number +336{n:08d})."""
    out = []
    for r in records:
        if r["event"] != "card_painted" or not r.get("known"):
            continue
        painted_ns = paints.get(int(r["call_id"]))  # type: ignore[call-overload]
        n = int(str(r["contact_id"]).rsplit("-", 1)[1])
        number = f"+336{n:08d}"
        sent = [ns for ns, num in invites if num == number and painted_ns and ns < painted_ns]
        if painted_ns and sent:
            out.append((painted_ns - max(sent)) / 1e6)
    return out


def pump_for(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    pump_until(lambda: time.monotonic() > deadline)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * q / 100) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--busy-core", action="store_true", help="one core kept busy")
    args = parser.parse_args()
    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="screen-pop-sip-"))
    store = LocalStore.open(os.urandom(32), work / "cache")
    t0 = time.monotonic()
    numbers = fill(store, args.contacts, rng)
    fill_s = time.monotonic() - t0
    (work / "numbers.csv").write_text(
        "SEQUENTIAL\n" + "".join(f"{rng.choice(numbers)};\n" for _ in range(args.calls))
    )
    busy = None
    sipp_ok = 0
    with contextlib.ExitStack() as stack:
        kam = next(start_kamailio_cm(stack, work / "kamailio"))
        relay = stack.enter_context(StampingRelay((kam.host, kam.udp_port)))
        app = QApplication(["screen-pop-sip"])
        apply_theme(app, dark=False)
        dispatcher = Dispatcher()
        lanes = TaskLanes(dispatcher)
        log = MemoryEventLog()
        outbox = Outbox(store)
        engine = SipEngine(
            EngineConfig(bind_address="127.0.0.1", trusted_sources=("127.0.0.1",)),
            SipAccountConfig(
                registrar_host=kam.host, registrar_port=kam.udp_port, domain=kam.domain,
                username=AGENT, password=kam.passwords[AGENT], transport=Transport.UDP,
            ),
            dispatcher.post,
        )  # fmt: skip
        sink = AppSink(submit=engine.submit, outbox=outbox, store=store, disk=lanes.disk,
                       on_delivery=lambda rid, d: None)  # fmt: skip
        model = DeskModel(directory=StoreDirectory(store), sink=sink, log=log)
        window = MainWindow()
        DeskController(model=model, window=window, dispatcher=dispatcher, lanes=lanes,
                       data=AppData(store, None, lambda: ""))  # fmt: skip
        paints: dict[int, int] = {}  # engine call id -> first paint (monotonic ns)
        window.card_painted.connect(lambda call, ns: paints.setdefault(int(call), int(ns)))
        window.show()
        engine.start()
        stack.callback(engine.stop)
        pump_until(lambda: any(r["event"] == "registration" and r.get("state") == "registered"
                               for r in log.records), timeout_s=10)  # fmt: skip
        model.set_presence(AgentState.AVAILABLE)
        pump_for(0.5)
        if args.busy_core:
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        idle_mb = rss_mb()
        sipp = subprocess.Popen(
            ["sipp", f"{relay.address[0]}:{relay.address[1]}", "-sf", str(SCENARIO),
             "-inf", str(work / "numbers.csv"), "-s", AGENT, "-i", "127.0.0.1",
             "-p", str(free_port()), "-m", str(args.calls), "-l", "1", "-r", "2",
             "-timeout", f"{args.calls * 2 + 60}s", "-nostdin", "-trace_err",
             "-trace_stat", "-stf", str(work / "stat.csv")],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        done = threading.Event()
        threading.Thread(target=lambda: (sipp.wait(), done.set()), daemon=True).start()
        while not done.is_set():
            pump_for(0.05)
            snap = model.snapshot()
            if snap.presence.state is AgentState.NOT_READY:  # the call rang out: back
                model.set_presence(AgentState.AVAILABLE)
        pump_for(0.5)
        after_mb = rss_mb()
        if busy is not None:
            busy.kill()
        lanes.close()
    latencies = wire_latencies(relay.invites, paints, log.records)
    with contextlib.suppress(OSError):
        stat = (work / "stat.csv").read_text().splitlines()
        head, last = stat[0].split(";"), stat[-1].split(";")
        sipp_ok = int(last[head.index("SuccessfulCall(C)")])
    load = os.getloadavg()
    result = {
        "contacts": args.contacts,
        "fill_s": round(fill_s, 1),
        "calls_sent": args.calls,
        "invites_on_the_wire": len(relay.invites),
        "cards_painted_known": len(latencies),
        "sipp_successful_calls": sipp_ok,
        "busy_core": args.busy_core,
        "screen_pop_ms_p50": round(statistics.median(latencies), 2) if latencies else None,
        "screen_pop_ms_p99": round(pct(latencies, 99), 2) if latencies else None,
        "screen_pop_ms_max": round(max(latencies), 2) if latencies else None,
        "rss_idle_mb": round(idle_mb, 1),
        "rss_after_mb": round(after_mb, 1),
        "loadavg_1m_at_end": round(load[0], 2),
    }
    print(json.dumps(result, indent=2))
    store.close()
    return 0


def start_kamailio_cm(stack: contextlib.ExitStack, folder: Path):  # type: ignore[no-untyped-def]
    """The tests' Kamailio, with the per-agent INVITE burst shield raised (it answers 486
    past 10 INVITEs to one agent without a 2 s pause: a benchmark rings more often)."""
    original = kamailio_helper.kamailio_argv

    def argv(*a, **kw):  # type: ignore[no-untyped-def]
        return [*original(*a, **kw), "-A", "AGENT_INVITE_BURST=1000000"]

    kamailio_helper.kamailio_argv = argv  # type: ignore[assignment]
    folder.mkdir(parents=True)
    gen = start_kamailio(folder, tls=False)
    kam = next(gen)
    stack.callback(lambda: next(gen, None))
    yield kam


if __name__ == "__main__":
    raise SystemExit(main())
