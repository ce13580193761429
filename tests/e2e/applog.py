"""Reading the app's structured event log and typing into its windows (shared by e2e tests)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.procs import require_tool


@dataclass
class Demo:
    """A running `homeagent demo`: its process, folder and the agent's event log."""

    proc: subprocess.Popen[bytes]
    root: Path
    log: Path
    db_url: str


@contextlib.contextmanager
def running_demo(env: dict[str, str], tmp_path: Path, *args: str) -> Iterator[Demo]:
    """`homeagent demo --dir … --no-audio --lang fr ARGS` as a process; on leaving, Ctrl+C
    and a clean exit (code 0, last event `app_stopped`) are asserted."""
    require_tool("kamailio")
    root = tmp_path / "demo"
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--no-audio",
            "--lang", "fr", *args]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    demo = Demo(proc, root, root / "agent" / "events.jsonl", f"sqlite:///{root / 'server.db'}")
    try:
        yield demo
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
    assert events(demo.log)[-1]["event"] == "app_stopped"


def events(path: Path) -> list[dict[str, Any]]:
    """Every JSON line of the event log so far."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_event(
    path: Path,
    name: str,
    timeout_s: float,
    proc: subprocess.Popen[bytes],
    *,
    after: int = 0,
    **fields: object,
) -> dict[str, Any]:
    """The first `name` event (from line `after` on) whose `fields` match; the app must live."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in events(path)[after:]:
            if event["event"] == name and all(event.get(k) == v for k, v in fields.items()):
                return event
        assert proc.poll() is None, f"the app exited ({proc.returncode}) waiting for {name}"
        time.sleep(0.1)
    raise AssertionError(f"no {name!r} in the event log after {timeout_s} s: {events(path)}")


def _front_window(env: dict[str, str], title: str) -> str:
    xdotool = require_tool("xdotool")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        wid = subprocess.run(
            [xdotool, "search", "--onlyvisible", "--name", title],
            env=env, capture_output=True, text=True, check=False, timeout=10,
        ).stdout.split()  # fmt: skip
        if wid:
            return wid[-1]
        time.sleep(0.2)
    raise AssertionError(f"no visible window titled {title!r} on the X display")


def app_keys(env: dict[str, str], pid: int, *keys: str) -> None:
    """Focus the main window of the app process `pid` and press `keys` (several apps run
    on one display, without a window manager: their titles say the same, and a window
    shown later may have taken the focus, so the focus is checked before typing)."""
    xdotool = require_tool("xdotool")

    def run(*args: str) -> str:
        done = subprocess.run([xdotool, *args], env=env, capture_output=True, text=True,
                              check=False, timeout=10)  # fmt: skip
        return done.stdout.strip()

    deadline = time.monotonic() + 10
    while True:
        found = run("search", "--onlyvisible", "--pid", str(pid), "--name", "HomeAgent").split()
        if found:
            wid = found[0]
            run("windowraise", wid)
            run("windowfocus", "--sync", wid)
            time.sleep(0.3)  # a window shown or raised just now may still take the focus
            if run("getwindowfocus") == wid:
                break
        assert time.monotonic() < deadline, f"cannot focus a HomeAgent window of process {pid}"
        time.sleep(0.2)
    subprocess.run([xdotool, "key", "--delay", "80", "--window", wid, *keys], env=env,
                   check=True, timeout=10)  # fmt: skip


def keys(env: dict[str, str], *keys: str, title: str = "HomeAgent") -> None:
    """Focus the window whose title matches `title` and press `keys` (xdotool names)."""
    xdotool = require_tool("xdotool")
    wid = _front_window(env, title)
    subprocess.run([xdotool, "windowfocus", "--sync", wid], env=env, check=True, timeout=10)
    subprocess.run([xdotool, "key", "--delay", "80", *keys], env=env, check=True, timeout=10)


def type_text(env: dict[str, str], text: str, *, title: str) -> None:
    """Type `text` into the focused field of the window titled `title`."""
    xdotool = require_tool("xdotool")
    wid = _front_window(env, title)
    subprocess.run([xdotool, "windowfocus", "--sync", wid], env=env, check=True, timeout=10)
    subprocess.run([xdotool, "type", "--delay", "30", text], env=env, check=True, timeout=20)


def answered_interactions(db_url: str, contact_id: str) -> list[Any]:
    """The server's answered interactions with `contact_id` (read from its database)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import select

    from homeagent.server.db import Database
    from homeagent.server.models import Interaction

    db = Database(db_url)
    try:
        with db.read() as s:
            rows = s.scalars(select(Interaction).where(Interaction.contact_id == contact_id))
            return [r for r in rows if r.outcome == "answered"]
    finally:
        db.dispose()


def contact_name(db_url: str, contact_id: str) -> str:
    """A contact's "first last" name, read from the server's database (to search for it)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from homeagent.server.db import Database
    from homeagent.server.models import Contact

    db = Database(db_url)
    try:
        with db.read() as s:
            contact = s.get(Contact, contact_id)
            assert contact is not None, f"no contact {contact_id} on the server"
            return f"{contact.first_name} {contact.last_name}"
    finally:
        db.dispose()
