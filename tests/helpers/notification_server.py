"""Notification servers on a private session bus: the fake (`fake_notifications`) and a
real one (dunst, under Xvfb), behind one interface so one contract test holds both.

`private_session_bus` starts a dbus-daemon of its own and points this process's
DBUS_SESSION_BUS_ADDRESS at it for the test (parallel workers never share a bus).
The user's click on an action: the fake's control method, or dunst's context menu
(``dunstctl context`` runs the "dmenu" of its configuration: a script here that picks the
action the test asked for).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.procs import require_tool, stop
from tests.helpers.xvfb import start_xvfb

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Bus:
    address: str
    pid: int
    env: dict[str, str]


@pytest.fixture
def private_session_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bus]:
    dbus = require_tool("dbus-daemon")
    out = subprocess.run(
        [dbus, "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True, text=True, check=True, timeout=10,
    ).stdout.split()  # fmt: skip
    address, pid = out[0], int(out[1])
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    try:
        yield Bus(address, pid, env)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)


def _call(member: str, signature: str | None = None, body: tuple[Any, ...] = (), *,
          interface: str = "org.freedesktop.Notifications") -> Any:  # fmt: skip
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    address = DBusAddress(
        "/org/freedesktop/Notifications", bus_name="org.freedesktop.Notifications",
        interface=interface,
    )  # fmt: skip
    with open_dbus_connection(bus="SESSION") as conn:
        return conn.send_and_get_reply(new_method_call(address, member, signature, body), timeout=5)


@dataclass
class NotificationServer:
    kind: str  # "fake" or "dunst"
    proc: subprocess.Popen[bytes]
    folder: Path
    extra: list[Any] = field(default_factory=list)

    def click(self, server_id: int, action: str) -> None:
        """The agent clicks `action` on notification `server_id`."""
        if self.kind == "fake":
            _call("Invoke", "us", (server_id, action),
                  interface="org.homeagent.test.FakeNotifications")  # fmt: skip
            return
        (self.folder / "choice").write_text(f"[{server_id},{action}]")
        subprocess.run([require_tool("dunstctl"), "context"], check=True, timeout=10,
                       env=self.extra[0])  # fmt: skip

    def displayed(self) -> int:
        """How many notifications are on screen."""
        if self.kind == "fake":
            calls = [json.loads(x) for x in (self.folder / "record.jsonl").read_text().splitlines()]
            shown = {c["id"] for c in calls if c["call"] == "Notify" and "id" in c}
            gone = {c["id"] for c in calls if c["call"] in ("CloseNotification", "Invoke")}
            return len(shown - gone)
        out = subprocess.run([require_tool("dunstctl"), "count", "displayed"], env=self.extra[0],
                             capture_output=True, text=True, timeout=10, check=True)  # fmt: skip
        return int(out.stdout.strip())


def _wait_for_name(timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            reply = _call("GetCapabilities")
            if reply.header.message_type.name == "method_return":
                return
        except Exception:
            pass
        time.sleep(0.1)
    pytest.fail("the notification server did not take its name on the bus")


def start_fake(folder: Path, env: dict[str, str], *, actions: bool = True) -> NotificationServer:
    argv = [sys.executable, "-m", "tests.helpers.fake_notifications", "--record",
            str(folder / "record.jsonl")] + ([] if actions else ["--no-actions"])  # fmt: skip
    (folder / "record.jsonl").touch()
    proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    _wait_for_name()
    return NotificationServer("fake", proc, folder)


def start_dunst(folder: Path, env: dict[str, str]) -> NotificationServer:
    dunst = require_tool("dunst")
    display = start_xvfb("800x600x24")
    menu = folder / "dmenu.sh"
    menu.write_text(
        "#!/bin/sh\n"  # dunst pipes its context menu in; print the line the test chose
        f'cat > "{folder}/menu.txt"\n'
        f'grep -F -m1 "$(cat "{folder}/choice")" "{folder}/menu.txt"\n'
    )
    menu.chmod(0o755)
    config = folder / "dunstrc"
    config.write_text(f"[global]\n    dmenu = {menu}\n    browser = /bin/true\n")
    env = dict(env, DISPLAY=display.display)
    with open(folder / "dunst.log", "wb") as log:
        proc = subprocess.Popen([dunst, "-config", str(config)], env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    server = NotificationServer("dunst", proc, folder, [env, display])
    _wait_for_name()
    return server


def stop_server(server: NotificationServer) -> None:
    stop(server.proc)
    if server.kind == "dunst":
        display = server.extra[1]
        stop(display.proc)
        os.close(display.fd)
