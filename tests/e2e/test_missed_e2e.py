"""End to end: the real app (`homeagent demo`) under Xvfb, a queue call nobody answers.

The ACD's no-answer time runs out: the desk says so with the caller (`call_missed`, the
number masked), the agent is Not ready "missed" — on the desk and on the server — and one
key (Ctrl+D) makes them Available again.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.applog import keys, wait_event
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.e2e


def test_a_call_nobody_answers_sets_the_agent_aside_with_the_caller(
    xvfb,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    log_path = root / "agent" / "events.jsonl"
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--contacts",
            "200", "--first-call", "3", "--call-every", "120", "--talk", "40", "--no-audio",
            "--lang", "fr"]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=xvfb.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_event(log_path, "registration", 60, proc)
        ringing = wait_event(log_path, "call_ringing", 60, proc)
        missed = wait_event(log_path, "call_missed", 40, proc)  # nobody presses a key
        assert missed["set_aside"] is True
        assert missed["contact_id"] == ringing["contact_id"] != ""
        assert str(missed["remote_number"]).count("*") >= 6  # masked in the log
        wait_event(log_path, "agent_state", 10, proc, state="not_ready", reason="missed")
        keys(xvfb.env, "ctrl+d")
        wait_event(log_path, "agent_state", 10, proc, state="available", previous="not_ready")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
