"""End to end: the real app process (`homeagent demo`) under Xvfb, with the real server,
Kamailio with the ACD configuration and pjsua2 customers calling the agent's queue. The
agent's keystrokes go in through XTEST (xdotool); the assertions read the structured event
log, the customers' log and the server's database.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from tests.e2e.applog import answered_interactions, events, keys, running_demo, wait_event

pytestmark = pytest.mark.e2e


def test_call_answered_wrapped_up_then_refused_when_offline(xvfb, tmp_path: Path) -> None:
    args = ("--contacts", "300", "--first-call", "4", "--call-every", "10", "--talk", "6")
    with running_demo(xvfb.env, tmp_path, *args) as demo:
        log_path, proc, root = demo.log, demo.proc, demo.root
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
        # not available: the next customer waits in the queue, the desk never rings
        keys(xvfb.env, "ctrl+d")
        offline = wait_event(log_path, "agent_state", 5, proc, state="offline",
                             previous="available")  # fmt: skip
        seen = len(events(log_path))
        _customer_waiting(demo.db_url, after_s=_epoch(offline["ts"]), timeout_s=40)
        time.sleep(3)  # the queue asks again every second: still nobody to offer it to
        assert "call_ringing" not in [e["event"] for e in events(log_path)[seen:]]
    assert "password" not in demo.log.read_text()


def _epoch(stamp: object) -> float:
    return dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()


def _customer_waiting(db_url: str, *, after_s: float, timeout_s: float) -> None:
    """A customer call entered the queue after `after_s` and waits there (the server's
    queue records: nobody is Available to offer it to)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import select

    from homeagent.server.db import Database
    from homeagent.server.models import QueueCall

    db = Database(db_url)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with db.read() as s:
                calls = list(s.scalars(select(QueueCall)))
            if any(c.entered_at.timestamp() > after_s and c.outcome == "waiting" for c in calls):
                return
            time.sleep(0.5)
    finally:
        db.dispose()
    raise AssertionError("no customer waited in the queue after the agent went offline")


def _assert_on_server(root: Path, contact_id: str) -> None:
    mine = answered_interactions(f"sqlite:///{root / 'server.db'}", contact_id)
    assert mine, "the answered call did not reach the server"
    assert mine[-1].disposition == "resolved"
