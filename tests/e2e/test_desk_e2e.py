"""End to end: the real app process (`homeagent demo`) under Xvfb, with the real server,
Kamailio and a pjsua2 customer. The agent's keystrokes go in through XTEST (xdotool); the
assertions read the structured event log and the server's database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.procs import require_tool

pytestmark = pytest.mark.e2e


def _events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _wait_event(
    path: Path, name: str, timeout_s: float, proc: subprocess.Popen[bytes], **fields: object
) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in _events(path):
            if event["event"] == name and all(event.get(k) == v for k, v in fields.items()):
                return event
        assert proc.poll() is None, f"the app exited ({proc.returncode}) waiting for {name}"
        time.sleep(0.1)
    raise AssertionError(f"no {name!r} in the event log after {timeout_s} s: {_events(path)}")


def _keys(env: dict[str, str], *keys: str) -> None:
    xdotool = require_tool("xdotool")
    wid = subprocess.run(
        [xdotool, "search", "--name", "HomeAgent"], env=env, capture_output=True, text=True
    ).stdout.split()
    assert wid, "the HomeAgent window is not on the X display"
    subprocess.run([xdotool, "windowfocus", "--sync", wid[-1]], env=env, check=True, timeout=10)
    subprocess.run([xdotool, "key", "--delay", "80", *keys], env=env, check=True, timeout=10)


def test_call_answered_wrapped_up_then_refused_when_offline(xvfb, tmp_path: Path) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    log_path = root / "agent" / "events.jsonl"
    argv = [sys.executable, "-m", "homeagent.app", "demo", "--dir", str(root), "--contacts",
            "300", "--first-call", "4", "--call-every", "10", "--talk", "6", "--no-audio",
            "--lang", "fr"]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=xvfb.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_event(log_path, "registration", 60, proc)
        ringing = _wait_event(log_path, "call_ringing", 60, proc)
        painted = _wait_event(log_path, "card_painted", 10, proc)
        assert painted["known"] is True
        assert painted["contact_id"] == ringing["contact_id"] != ""
        assert painted["latency_ms"] < 1000
        assert str(ringing["remote_number"]).count("*") >= 6  # masked in the log
        _keys(xvfb.env, "ctrl+Return")  # answer
        _wait_event(log_path, "call_answered", 10, proc)
        _wait_event(log_path, "call_ended", 30, proc)  # the customer hangs up after 6 s
        _wait_event(log_path, "wrap_up_started", 5, proc)
        _keys(xvfb.env, "alt+q", "Down", "ctrl+s")  # Qualification, first choice, save
        _wait_event(log_path, "wrap_up_saved", 10, proc)
        _wait_event(log_path, "wrap_up_sent", 30, proc)
        _assert_on_server(root, ringing["contact_id"])
        # not available: the next customer is refused with 486 so the queue routes elsewhere
        _keys(xvfb.env, "ctrl+d")
        _wait_event(log_path, "agent_state", 5, proc, state="offline", previous="available")
        refused = _wait_event(log_path, "call_refused", 40, proc)
        assert refused["code"] == 486
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
    names = [e["event"] for e in _events(log_path)]
    assert names[-1] == "app_stopped"
    text = log_path.read_text()
    assert "password" not in text


def _assert_on_server(root: Path, contact_id: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import select

    from homeagent.server.db import Database
    from homeagent.server.models import Interaction

    db = Database(f"sqlite:///{root / 'server.db'}")
    try:
        with db.read() as s:
            rows = s.scalars(select(Interaction).where(Interaction.contact_id == contact_id))
            mine = [r for r in rows if r.outcome == "answered"]
    finally:
        db.dispose()
    assert mine, "the answered call did not reach the server"
    assert mine[-1].disposition == "resolved"
