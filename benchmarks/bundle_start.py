"""Packaging benchmark (not a test): the bundled app's cold start against the venv install.

    .venv/bin/python benchmarks/bundle_start.py [--bundle DIR] [--runs 5]

For each run, the two installs start in turn (alternating which goes first) under one
Xvfb, each with a fresh HOME, data and config folder (no profile: the first window is the
profile choice a PC that IT has not provisioned shows): process start → the first top-level
window mapped, as `xev -root -event substructure` reports the X MapNotify
(`benchmarks/desktop_peers.py` MapWatcher). The app is then stopped (SIGTERM). Both runs
read their files from the page cache after the first run: "cold" is a new process, not a
cold disk. Prints the medians and the machine's load average, and one JSON line.

The bundle defaults to the cache entry of the current sources (built if missing:
`installers.bundle.ensure_bundle`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.desktop_peers import MapWatcher  # noqa: E402
from benchmarks.ui_cold_start import xvfb  # noqa: E402


def first_window(argv: list[str], display: str, timeout_s: float = 60.0) -> float:
    with tempfile.TemporaryDirectory(prefix="ha-start-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=tmp, XDG_RUNTIME_DIR=tmp)
        env["HOMEAGENT_INSTANCE"] = f"bench-{os.getpid()}-{time.monotonic_ns()}"
        watcher = MapWatcher(env)
        try:
            args = ["--data-dir", f"{tmp}/data", "--config-dir", f"{tmp}/config", "--no-audio"]
            started = time.monotonic()
            proc = subprocess.Popen(
                [*argv, *args, "--lang", "en"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                while watcher.mapped is None:
                    if proc.poll() is not None or time.monotonic() - started > timeout_s:
                        raise RuntimeError(f"{argv[0]} showed no window ({proc.returncode})")
                    time.sleep(0.005)
                return watcher.mapped[0] - started
            finally:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        finally:
            watcher.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="a built bundle folder (default: cache)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.bundle is None:
        from installers.bundle import ensure_bundle

        args.bundle = ensure_bundle()
    installs = {
        "bundle": [str(args.bundle / "homeagent" / "homeagent")],
        "venv": [str(ROOT / ".venv" / "bin" / "homeagent")],
    }
    proc, display, fd = xvfb()
    times: dict[str, list[float]] = {name: [] for name in installs}
    try:
        for run in range(args.runs):
            order = list(installs) if run % 2 == 0 else list(reversed(installs))
            for name in order:
                times[name].append(first_window(installs[name], display))
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(10)
        os.close(fd)
    load = os.getloadavg()
    for name, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:6} first window: median {statistics.median(values):.2f} s  ({shown})")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    print(json.dumps({"times_s": times, "load_average": load}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
