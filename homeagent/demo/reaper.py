"""No orphans: the demo's children die with it, even when it is killed with SIGKILL.

The demo starts its children (server, Kamailio and its workers, the team, the lead's
window, the customers) each in a process group of its own. A SIGKILL of the demo runs no
clean-up, and `PR_SET_PDEATHSIG` would not do either: it follows the *thread* that forked
(customers are started from a worker thread) and reaches only the direct child, not
Kamailio's forked workers. So a small watchdog process holds the read end of a pipe the
demo writes to: "+PGID" when a child group starts, "-PGID" when it was reaped. When the
pipe reaches end-of-file — the demo exited, however — the watchdog sends SIGTERM to every
group still listed, then SIGKILL to those still alive 3 s later, and exits.

`python -m homeagent.demo.reaper` (stdin is the pipe); :class:`Reaper` is the demo's side.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

GRACE_S = 3.0


class Reaper:
    """The demo's side: start the watchdog, tell it about each child's process group."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "homeagent.demo.reaper"],
            stdin=subprocess.PIPE,
            start_new_session=True,  # not in the terminal's group: Ctrl+C does not reach it
        )
        self._lock = threading.Lock()

    @property
    def pid(self) -> int:
        """The watchdog's process id."""
        return self._proc.pid

    def _say(self, line: str) -> None:
        stdin = self._proc.stdin
        if stdin is None:
            return
        with self._lock, contextlib.suppress(BrokenPipeError, ValueError):
            stdin.write(line.encode() + b"\n")
            stdin.flush()

    def watch(self, pgid: int) -> None:
        """Kill process group `pgid` if the demo dies before it ends."""
        self._say(f"+{pgid}")

    def forget(self, pgid: int) -> None:
        """The group ended and was reaped: its number may be reused, never kill it."""
        self._say(f"-{pgid}")

    def close(self, timeout_s: float = 10.0) -> None:
        """End of the demo: the watchdog kills what is left and exits."""
        with self._lock:
            if self._proc.stdin is not None:
                with contextlib.suppress(BrokenPipeError):
                    self._proc.stdin.close()
        try:
            self._proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap(groups: set[int], grace_s: float = GRACE_S) -> None:
    """SIGTERM every group, then SIGKILL those still alive after `grace_s`."""
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(_alive(g) for g in groups):
        time.sleep(0.1)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the pipe's end stops us
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    groups: set[int] = set()
    for raw in sys.stdin.buffer:
        line = raw.strip().decode("ascii", "replace")
        if len(line) < 2 or not line[1:].isdigit() or int(line[1:]) in (0, 1, os.getpgrp()):
            continue  # never group 0 or 1, nor our own
        if line[0] == "+":
            groups.add(int(line[1:]))
        elif line[0] == "-":
            groups.discard(int(line[1:]))
    reap(groups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
