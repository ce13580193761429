"""Desktop benchmark (not a test): screen-pop latency and memory over many calls.

    .venv/bin/python benchmarks/ui_screen_pop.py                    # 1,000,000 cached contacts
    .venv/bin/python benchmarks/ui_screen_pop.py --contacts 100000 --calls 200

A real encrypted cache (`LocalStore`, SQLCipher + FTS5) filled with `--contacts` contacts;
the real window, controller and desk model (Qt offscreen); calls from a fake engine that
emits `CallRinging` on its own thread (as the SIP engine does) with the monotonic time of
the INVITE. Measured per call: engine event → card painted (the `card_painted` event-log
line, which includes the cache lookup by number, the queued crossing to the GUI thread,
the render and the paint). Each call is answered and hung up, the wrap-up saved through the
real outbox, so history, lists and models churn like a shift. RSS (ru_maxrss and current)
idle and after the calls.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import Screen
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.sip_config import EngineConfig
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore
from homeagent.desktop.adapters import AppData, AppSink, StoreDirectory
from homeagent.testing.fakes import FakeEngine
from homeagent.ui.desk.controller import DeskController
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.qt.theme import apply_theme
from homeagent.ui.shell.main_window import MainWindow

FIRST = ("Camille", "Léa", "Hugo", "Inès", "Karim", "Sophie", "Thomas", "Julie", "Mehdi")
LAST = ("Martin", "Bernard", "Dubois", "Petit", "Moreau", "Laurent", "Girard", "Roux")


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def fill(store: LocalStore, count: int, rng: random.Random) -> list[str]:
    """Insert `count` contacts in pages; return a sample of their numbers."""
    numbers: list[str] = []
    page = 10_000
    for start in range(0, count, page):
        items = []
        for n in range(start, min(count, start + page)):
            number = f"+336{n:08d}"
            items.append({"id": f"00000000-0000-4000-8000-{n:012d}",
                          "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST),
                          "company": f"Société {n % 997}", "phones": [number],
                          "account_ref": f"CL-{n}"})  # fmt: skip
            if n % max(1, count // 1000) == 0:
                numbers.append(number)
        store.apply_contact_changes(items)
    return numbers


_LOOP: list[QEventLoop] = []


def pump_until(pred, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    # a QEventLoop instance: the static QCoreApplication.processEvents() of PySide6 6.12
    # drops a reference to None per call (Python 3.11) and aborts after a few thousand
    if not _LOOP:
        _LOOP.append(QEventLoop())
    deadline = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        _LOOP[0].processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    rng = random.Random(7)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="ui-bench-"))
    store = LocalStore.open(os.urandom(32), folder)
    t0 = time.monotonic()
    numbers = fill(store, args.contacts, rng)
    fill_s = time.monotonic() - t0

    app = QApplication(["ui-bench"])
    apply_theme(app, dark=False)
    dispatcher = Dispatcher()
    lanes = TaskLanes(dispatcher)
    log = MemoryEventLog()
    outbox = Outbox(store)
    engine_box: list[FakeEngine] = []
    sink = AppSink(submit=lambda c: engine_box[0].submit(c), outbox=outbox, store=store,
                   disk=lanes.disk, on_delivery=lambda rid, d: None)  # fmt: skip
    model = DeskModel(directory=StoreDirectory(store), sink=sink, log=log)
    window = MainWindow()
    DeskController(model=model, window=window, dispatcher=dispatcher, lanes=lanes,
                   data=AppData(store, None, lambda: ""))  # fmt: skip
    engine = FakeEngine(dispatcher.post, threaded=True)
    engine_box.append(engine)
    _ = EngineConfig()
    window.show()
    from homeagent.core.agent_state import AgentState

    model.set_presence(AgentState.AVAILABLE)
    deadline = time.monotonic() + 0.5
    pump_until(lambda: time.monotonic() > deadline)
    idle_mb = rss_mb()
    none_before = sys.getrefcount(None)
    latencies: list[float] = []
    rss_after: list[float] = []
    for i in range(args.calls):
        number = rng.choice(numbers)
        national = "0" + number[3:]  # typed the French way: the cache normalises it
        call_id = engine.ring(national)
        seen = i
        pump_until(lambda: sum(1 for r in log.records if r["event"] == "card_painted") > seen)  # noqa: B023
        painted = [r for r in log.records if r["event"] == "card_painted"][-1]
        assert painted["known"], painted
        latencies.append(float(painted["latency_ms"]))  # type: ignore[arg-type]
        model.answer()
        pump_until(lambda: model.snapshot().screen is Screen.IN_CALL)
        engine.remote_hangup(call_id)
        pump_until(lambda: model.snapshot().screen is Screen.WRAP_UP)
        model.edit_wrap_up(notes="Benchmark", disposition="ok", callback_at=None)
        model.submit_wrap_up()
        model.wrap_up_durable(model.snapshot().wrap_up.record_id)  # type: ignore[union-attr]
        pump_until(lambda: model.snapshot().screen is Screen.IDLE)
        if i % 50 == 49:
            rss_after.append(round(rss_mb(), 1))
    none_lost = none_before - sys.getrefcount(None)
    lanes.close()
    lat = sorted(latencies)
    result = {
        "contacts": args.contacts,
        "fill_s": round(fill_s, 1),
        "calls": args.calls,
        "screen_pop_ms_p50": round(statistics.median(lat), 2),
        "screen_pop_ms_p99": round(lat[max(0, int(len(lat) * 0.99) - 1)], 2),
        "screen_pop_ms_max": round(lat[-1], 2),
        "rss_idle_mb": round(idle_mb, 1),
        "rss_every_50_calls_mb": rss_after,
        "none_refs_lost_per_call": round(none_lost / max(1, args.calls), 1),
    }
    print(json.dumps(result, indent=2))
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
