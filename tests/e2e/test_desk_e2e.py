"""End to end: the real app process (`homeagent demo`) under Xvfb, with the real server,
Kamailio and a pjsua2 customer. The agent's keystrokes go in through XTEST (xdotool); the
assertions read the structured event log and the server's database.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.applog import answered_interactions, events, keys, wait_event
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.e2e


def test_call_answered_wrapped_up_then_refused_when_offline(xvfb, tmp_path: Path) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    log_path = root / "agent" / "events.jsonl"
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--contacts",
            "300", "--first-call", "4", "--call-every", "10", "--talk", "6", "--no-audio",
            "--lang", "fr"]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=xvfb.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_event(log_path, "registration", 60, proc)
        ringing = wait_event(log_path, "call_ringing", 60, proc)
        painted = wait_event(log_path, "card_painted", 10, proc)
        assert painted["known"] is True
        assert painted["contact_id"] == ringing["contact_id"] != ""
        assert painted["latency_ms"] < 1000
        assert str(ringing["remote_number"]).count("*") >= 6  # masked in the log
        keys(xvfb.env, "ctrl+Return")  # answer
        wait_event(log_path, "call_answered", 10, proc)
        wait_event(log_path, "call_ended", 30, proc)  # the customer hangs up after 6 s
        wait_event(log_path, "wrap_up_started", 5, proc)
        keys(xvfb.env, "alt+q", "Down", "ctrl+s")  # Qualification, first choice, save
        wait_event(log_path, "wrap_up_saved", 10, proc)
        wait_event(log_path, "wrap_up_sent", 30, proc)
        _assert_on_server(root, ringing["contact_id"])
        # not available: the next customer is refused with 486 so the queue routes elsewhere
        keys(xvfb.env, "ctrl+d")
        wait_event(log_path, "agent_state", 5, proc, state="offline", previous="available")
        refused = wait_event(log_path, "call_refused", 40, proc)
        assert refused["code"] == 486
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
    names = [e["event"] for e in events(log_path)]
    assert names[-1] == "app_stopped"
    text = log_path.read_text()
    assert "password" not in text


def _assert_on_server(root: Path, contact_id: str) -> None:
    mine = answered_interactions(f"sqlite:///{root / 'server.db'}", contact_id)
    assert mine, "the answered call did not reach the server"
    assert mine[-1].disposition == "resolved"
