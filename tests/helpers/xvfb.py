"""A real X server for tests that need one (screenshots, the app as a process).

`Xvfb -displayfd` picks a free display number itself and writes it to a pipe, so parallel
test workers never collide.
"""

from __future__ import annotations

import os
import random
import select
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.helpers.procs import require_tool, stop

SCREEN = "1366x768x24"


@dataclass(frozen=True)
class XDisplay:
    """A running Xvfb: pass `env` to processes that should draw on it."""

    display: str
    proc: subprocess.Popen[bytes]
    fd: int = -1

    @property
    def env(self) -> dict[str, str]:
        """The current environment with DISPLAY set and Qt on xcb."""
        env = dict(os.environ)
        env["DISPLAY"] = self.display
        env["QT_QPA_PLATFORM"] = "xcb"
        return env


def start_xvfb(screen: str = SCREEN, timeout_s: float = 15.0) -> XDisplay:
    """Start Xvfb on a free display and return when it accepts clients.

    Xvfb reports readiness (and the display number) on `-displayfd`. Low numbers are
    avoided: other tools on a shared machine assume :0 is theirs and clean its socket.
    """
    xvfb = require_tool("Xvfb")
    for _ in range(20):
        number = random.randrange(200, 30000)
        if os.path.exists(f"/tmp/.X11-unix/X{number}") or os.path.exists(f"/tmp/.X{number}-lock"):
            continue
        read_fd, write_fd = os.pipe()
        argv = [xvfb, f":{number}", "-displayfd", str(write_fd), "-screen", "0", screen]
        argv.extend(("-noreset", "-nolisten", "tcp"))
        proc = subprocess.Popen(
            argv,
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_fd)
        ready, _, _ = select.select([read_fd], [], [], timeout_s)
        reported = os.read(read_fd, 32).decode().strip() if ready else ""
        # keep the pipe open while Xvfb runs: a write to a closed pipe would kill it
        if reported and proc.poll() is None:
            return XDisplay(f":{reported}", proc, read_fd)
        os.close(read_fd)
        stop(proc)
    pytest.fail("Xvfb did not start on any free display")


@pytest.fixture
def xvfb() -> Iterator[XDisplay]:
    """An Xvfb 1366×768 screen for the duration of one test."""
    display = start_xvfb()
    try:
        yield display
    finally:
        stop(display.proc)
        os.close(display.fd)
