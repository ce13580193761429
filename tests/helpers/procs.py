"""Starting and stopping the real peers the tests use (Kamailio, sipp, PulseAudio…)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest


def free_port(kind: int = socket.SOCK_STREAM, host: str = "127.0.0.1") -> int:
    """A port free for both TCP and UDP right now (good enough for parallel test workers)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        other = socket.SOCK_DGRAM if kind == socket.SOCK_STREAM else socket.SOCK_STREAM
        try:
            with socket.socket(socket.AF_INET, other) as s2:
                s2.bind((host, port))
        except OSError:
            continue
        return int(port)
    raise RuntimeError("no free port")


def require_tool(name: str) -> str:
    """Path of a required executable; fails (not skips) the test with a clear message."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None
    )
    if path is None:
        pytest.fail(f"{name} is not installed: run `make test` as root to install it")
    return path


def wait_until(
    predicate: Callable[[], object], timeout_s: float = 10.0, interval_s: float = 0.02
) -> object:
    """Poll `predicate` until it returns something truthy; raise TimeoutError otherwise."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


@contextlib.contextmanager
def running(
    argv: Sequence[str],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    ready: Callable[[], object] | None = None,
    ready_timeout_s: float = 15.0,
    stop_signal: int = signal.SIGTERM,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a process for the duration of a `with` block, its output going to `log`.

    The process gets its own process group, so everything it forks is stopped too.
    """
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        try:
            if ready is not None:
                try:
                    wait_until(
                        lambda: proc.poll() is not None or ready(), timeout_s=ready_timeout_s
                    )
                except TimeoutError:
                    raise RuntimeError(
                        f"{argv[0]} not ready in {ready_timeout_s} s; log:\n{_tail(log)}"
                    ) from None
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"{argv[0]} exited with {proc.returncode}; log:\n{_tail(log)}"
                    )
            yield proc
        finally:
            stop(proc, stop_signal)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout_s: float = 5.0) -> None:
    """Stop a process group started by `running`, escalating to SIGKILL; close its pipes."""
    try:
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout_s)
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
