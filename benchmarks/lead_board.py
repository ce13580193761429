"""Desktop benchmark (not a test): the team-lead board under a busy event stream.

    .venv/bin/python benchmarks/lead_board.py [--agents 50] [--rate 200] [--seconds 20]
    .venv/bin/python benchmarks/lead_board.py --agents 50 --rate 0 --seconds 60   # idle

Two child processes, one after the other, each with Qt offscreen:
- ``console``: the lead's window (the desk and the console in it, as a lead who takes
  calls has it) over `FakeLeadBoardServer` with N agents; a feeder thread plays the part
  of the event-stream reader and hands contract events (agent_state, agent_figures,
  call_quality, queue_stats) to the GUI thread through the real dispatcher at RATE/s.
  Latency = event handed over (feeder thread, `perf_counter_ns`) → the agent's row
  repainted (the state cell's delegate painted it). The window is tall enough for every
  row to be on screen (a row out of view is never repainted, so it has no latency).
  GUI thread busy = the GUI thread's CPU time (`time.thread_time`) over the wall time of
  the replay; loop lag = how late a 10 ms timer fires (p99). RSS at the end.
- ``desk``: the agent desk alone (same harness, same window size), idle for the same
  time; its RSS is the comparison.
``--rate 0``: no events at all, the console idle with its N rows on screen (the clocks
and timers it keeps running); the figure is then the whole process's CPU (every thread,
`time.process_time`) over the wall time, for the console and the desk alone.
Prints one JSON object with both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def _app() -> Any:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from homeagent.ui.qt.theme import apply_theme

    app = QApplication.instance() or QApplication(["lead-board-bench"])
    apply_theme(app, dark=False)
    return app


def _run_for(app: Any, seconds: float) -> None:
    """Run the event loop for a while (a local loop: `app.quit()` would close the windows)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def child_desk(args: argparse.Namespace) -> dict[str, float]:
    app = _app()
    from homeagent.testing.harness import build_fake_desk, go_available

    desk = build_fake_desk()
    desk.window.resize(1366, 768)
    desk.window.show()
    go_available(desk)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    _run_for(app, args.seconds + 2)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"rss_mb": round(rss_mb(), 1), "process_cpu_pct": round(100 * cpu / wall, 2)}


def _events(agent_ids: list[str], rng: random.Random) -> Any:
    """An endless, plausible mix of board events (wire dicts), built on the feeder thread."""
    import datetime as dt

    from homeagent.testing.lead_board import FakeLeadBoardServer

    server = FakeLeadBoardServer(agents=len(agent_ids))
    out: list[tuple[str, dict[str, object]]] = []
    server.on_event = lambda t, d: out.append((t, d))
    cycle = {"available": "on_call", "on_call": "wrap_up", "wrap_up": "available"}
    while True:
        agent = rng.choice(agent_ids)
        roll = rng.random()
        row = server.rows[agent]
        if roll < 0.45:
            now = str(row["state"])
            if now == "available" and rng.random() < 0.1:
                server.set_state(agent, "break", "Café")
            elif now == "on_call":
                server.end_call(agent)
            elif now == "available":
                server.start_call(agent, rng.choice(["support", "sales", "billing"]))
            else:
                server.set_state(agent, cycle.get(now, "available"))
        elif roll < 0.7:
            server.quality(
                agent, round(rng.uniform(2.8, 4.4), 2), rng.uniform(0, 4), rng.uniform(5, 60)
            )
        elif roll < 0.9:
            server.figures(agent, avg_handle_s=rng.randint(200, 500), missed=rng.randint(0, 3))
        else:
            q = rng.choice(["support", "sales", "billing"])
            since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=rng.randint(0, 90))
            server.queue(q, waiting=rng.randint(0, 5), oldest_since=since.isoformat(),
                         service_level_pct=rng.uniform(50, 95))  # fmt: skip
        while out:
            yield out.pop(0)


def child_console(args: argparse.Namespace) -> dict[str, float]:
    app = _app()
    from PySide6.QtCore import QTimer

    from homeagent.testing.harness import build_fake_desk, go_available
    from homeagent.testing.lead_harness import build_fake_console, populate_demo

    desk = build_fake_desk(agent_name="Claire Martin")
    fake = build_fake_console(agents=args.agents, live=False)
    import datetime as dt

    populate_demo(fake.server, dt.datetime.now(dt.UTC))
    desk.window.install_console(fake.console, takes_calls=True)
    fake.controller.start()
    row_px = fake.console.view.verticalHeader().defaultSectionSize()
    desk.window.resize(1366, 420 + row_px * (args.agents + 1))  # every row on screen
    desk.window.show()
    go_available(desk)
    _run_for(app, 1.0)  # first paints
    pending: dict[str, list[int]] = {}
    latencies_ms: list[float] = []
    lock = threading.Lock()

    def painted(agent_id: str) -> None:
        with lock:
            stamps = pending.pop(agent_id, None)
        if stamps:
            now = time.perf_counter_ns()
            latencies_ms.extend((now - s) / 1e6 for s in stamps)

    fake.console.view.pill.on_painted = painted
    agent_ids = list(fake.server.rows)
    dispatcher = desk.dispatcher
    stop = threading.Event()
    sent = [0]
    failed: list[BaseException] = []

    def feeder() -> None:
        try:
            feed()
        except BaseException as exc:  # reported below: a run that measured nothing fails
            failed.append(exc)

    def feed() -> None:
        rng = random.Random(7)
        events = _events(agent_ids, rng)
        interval = 1.0 / args.rate
        next_at = time.perf_counter()
        end = next_at + args.seconds
        while not stop.is_set() and time.perf_counter() < end:
            event_type, data = next(events)
            agent = str(data.get("agent_id") or "")
            stamp = time.perf_counter_ns()
            if agent:
                with lock:
                    pending.setdefault(agent, []).append(stamp)
            dispatcher.call_soon(lambda t=event_type, d=data: fake.controller.handle_event(t, d))
            sent[0] += 1
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    lags_ms: list[float] = []
    probe = QTimer()
    probe.setInterval(10)
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lags_ms.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    probe.timeout.connect(tick)
    if args.rate > 0:  # idle: no 10 ms probe waking the loop 100 times a second
        probe.start()
    cpu0, wall0, proc0 = time.thread_time(), time.perf_counter(), time.process_time()
    thread = threading.Thread(target=feeder, name="stream-feeder", daemon=True)
    if args.rate > 0:
        thread.start()
    _run_for(app, args.seconds + 1.0)
    stop.set()
    if args.rate > 0:
        thread.join(5)
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    proc = time.process_time() - proc0
    probe.stop()
    if failed:
        raise RuntimeError("the stream feeder failed") from failed[0]
    if args.rate > 0 and not latencies_ms:
        raise RuntimeError("no event was repainted: nothing was measured")
    with lock:
        unpainted = sum(len(v) for v in pending.values())
    return {
        "events_sent": sent[0],
        "events_per_s": round(sent[0] / args.seconds, 1),
        "repaints_measured": len(latencies_ms),
        "events_not_repainted": unpainted,
        "latency_p50_ms": round(pct(latencies_ms, 50), 2),
        "latency_p99_ms": round(pct(latencies_ms, 99), 2),
        "latency_max_ms": round(max(latencies_ms, default=float("nan")), 2),
        "gui_busy_pct": round(100 * cpu / wall, 1),
        "process_cpu_pct": round(100 * proc / wall, 2),
        "loop_lag_p99_ms": round(pct(lags_ms, 99), 2),
        "dropped_events": fake.board.dropped_events,
        "rss_mb": round(rss_mb(), 1),
        "board_rows": fake.board.rowCount(),
        "mean_latency_ms": round(statistics.fmean(latencies_ms), 2)
        if latencies_ms
        else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--child", choices=("console", "desk"))
    args = parser.parse_args()
    if args.child:
        result = (child_console if args.child == "console" else child_desk)(args)
        print(json.dumps(result))
        return 0
    results: dict[str, Any] = {}
    for child in ("desk", "console"):
        argv = [sys.executable, __file__, "--child", child, "--agents", str(args.agents),
                "--rate", str(args.rate), "--seconds", str(args.seconds)]  # fmt: skip
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=600, check=True
        )
        results[child] = json.loads(done.stdout.strip().splitlines()[-1])
    results["console_rss_over_desk_mb"] = round(
        results["console"]["rss_mb"] - results["desk"]["rss_mb"], 1
    )
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
