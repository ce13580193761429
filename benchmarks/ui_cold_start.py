"""Desktop benchmark (not a test): cold start of the real app and its resident memory.

    .venv/bin/python benchmarks/ui_cold_start.py [--runs 3] [--calls 0]

Runs ``homeagent demo`` (real server, Kamailio, SIP engine, encrypted cache; no audio)
under its own Xvfb, and reads the app's structured event log:
- window: ``app_starting`` (Qt application up) → ``app_started`` (window built and shown),
- registered: ``app_starting`` → ``registration`` registered (REGISTER answered 200),
- enrolment and the demo world's setup are excluded (they happen before / in parallel).
Then samples the app process's VmRSS idle for 10 s and, with ``--calls N``, after N
demo calls answered and wrapped up through xdotool (20 s each at least).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def xvfb() -> tuple[subprocess.Popen[bytes], str, int]:
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", f":{random.randrange(300, 30000)}", "-displayfd", str(write_fd), "-screen", "0",
         "1366x768x24", "-noreset", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    os.close(write_fd)
    select.select([read_fd], [], [], 15)
    return proc, ":" + os.read(read_fd, 32).decode().strip(), read_fd


def events(path: Path) -> list[dict]:  # type: ignore[type-arg]
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def ts(event: dict) -> float:  # type: ignore[type-arg]
    return dt.datetime.fromisoformat(event["ts"].replace("Z", "+00:00")).timestamp()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_run(display: str, calls: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="ui-cold-"))
    log_path = root / "agent" / "events.jsonl"
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--contacts",
            "300", "--first-call", "15", "--call-every", "3", "--talk", "4"]  # fmt: skip
    argv.append("--no-audio")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            ev = events(log_path)
            if any(e["event"] == "registration" and e.get("state") == "registered" for e in ev):
                break
            time.sleep(0.1)
        ev = events(log_path)
        start = ts(next(e for e in ev if e["event"] == "app_starting"))
        shown = ts(next(e for e in ev if e["event"] == "app_started"))
        reg = ts(next(e for e in ev if e.get("state") == "registered"))
        time.sleep(10)
        pid = _app_pid(proc.pid)
        result = {
            "window_s": shown - start,
            "registered_s": reg - start,
            "rss_idle_mb": rss_mb(pid),
        }
        answered = 0
        while answered < calls:
            n = sum(1 for e in events(log_path) if e["event"] == "wrap_up_started")
            if any(e["event"] == "call_ringing" for e in events(log_path)[-6:]) or n >= 0:
                _key(env, "ctrl+Return")
            time.sleep(0.5)
            if sum(1 for e in events(log_path) if e["event"] == "wrap_up_started") > n:
                _key(env, "alt+q", "Down", "ctrl+s")
                answered += 1
        if calls:
            time.sleep(3)
            result["rss_after_calls_mb"] = rss_mb(pid)
        return result
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)


def _wait_count(path: Path, name: str, count: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while sum(1 for e in events(path) if e["event"] == name) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} x{count}")
        time.sleep(0.1)


def _app_pid(pid: int) -> int:
    return pid  # `python -m homeagent demo` runs the desk in the same process


def _key(env: dict[str, str], *keys: str) -> None:
    wid = subprocess.run(["xdotool", "search", "--name", "HomeAgent"], env=env,
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    if wid:
        subprocess.run(["xdotool", "windowfocus", wid[-1]], env=env, check=False)
        subprocess.run(["xdotool", "key", "--delay", "60", *keys], env=env, check=False)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=0)
    args = parser.parse_args()
    server, display, fd = xvfb()
    try:
        runs = [one_run(display, args.calls) for _ in range(args.runs)]
    finally:
        server.terminate()
        os.close(fd)
    summary = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    print(json.dumps({"runs": runs, "median": summary}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
