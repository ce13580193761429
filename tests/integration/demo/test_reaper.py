"""No orphans: the demo's children (each in a process group of its own, with children of
their own like Kamailio's workers) die with the demo, also when it is killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

# A stand-in for the demo: the real Reaper, children started as DemoWorld starts them.
PARENT = textwrap.dedent(
    """
    import json, subprocess, sys, time
    from homeagent.demo.reaper import Reaper

    reaper = Reaper()
    kids = []
    for argv in (["sleep", "300"], ["sh", "-c", "sleep 300 & sleep 300 & wait"]):
        p = subprocess.Popen(argv, start_new_session=True)
        reaper.watch(p.pid)
        kids.append(p)
    done = subprocess.Popen(["true"], start_new_session=True)
    reaper.watch(done.pid)
    done.wait()
    reaper.forget(done.pid)
    spared = subprocess.Popen(["sleep", "300"], start_new_session=True)  # never watched
    print(json.dumps({"reaper": reaper.pid, "groups": [p.pid for p in kids],
                      "spared": spared.pid}), flush=True)
    if sys.argv[1] == "close":
        sys.stdin.readline()  # the test has seen every child alive
        reaper.close()
        print("closed", flush=True)
    time.sleep(300)
    """
)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, waiting for init


def _group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def _start(mode: str) -> tuple[subprocess.Popen[str], dict[str, object]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", PARENT, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info


def _wait_dead(pids: list[int], timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = [p for p in pids if _alive(p)]
        if not alive:
            return []
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.mark.parametrize("mode", ["kill", "close"])
def test_every_watched_group_dies_with_the_demo(mode: str) -> None:
    proc, info = _start(mode)
    groups = [int(g) for g in info["groups"]]  # type: ignore[attr-defined]
    spared = int(info["spared"])  # type: ignore[call-overload]
    try:
        members = [pid for g in groups for pid in _group(g)]
        assert len(members) >= 4  # sleep; sh with its two sleeps
        assert all(_alive(p) for p in members)
        if mode == "kill":
            os.kill(proc.pid, signal.SIGKILL)  # no clean-up runs in the demo
            proc.wait(5)
        else:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.write("close\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "closed"
        assert _wait_dead(members, 10) == [], "children outlived the demo"
        assert _wait_dead([int(info["reaper"])], 5) == []  # type: ignore[call-overload]
        assert _alive(spared)  # only the groups it was told about
    finally:
        proc.kill()
        proc.wait(5)
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()
        os.kill(spared, signal.SIGKILL)


def test_a_forgotten_group_is_never_signalled() -> None:
    """A group that ended and was forgotten may get its number reused by another program."""
    from homeagent.demo.reaper import Reaper

    reaper = Reaper()
    other = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        reaper.watch(other.pid)
        reaper.forget(other.pid)  # as if it had ended and its number were reused
        reaper.close()
        time.sleep(0.3)
        assert other.poll() is None
    finally:
        other.kill()
        other.wait(5)
