"""End to end: the real app (`homeagent demo`) under Xvfb, a queue call nobody answers.

The ACD's no-answer time runs out: the desk says so with the caller (`call_missed`, the
number masked), the agent is Not ready "missed" — on the desk and on the server — and one
key (Ctrl+D) makes them Available again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.applog import keys, running_demo, wait_event

pytestmark = pytest.mark.e2e


def test_a_call_nobody_answers_sets_the_agent_aside_with_the_caller(
    xvfb,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    args = ("--contacts", "200", "--first-call", "3", "--call-every", "120", "--talk", "40")
    with running_demo(xvfb.env, tmp_path, *args) as demo:
        log, proc = demo.log, demo.proc
        wait_event(log, "registration", 60, proc)
        ringing = wait_event(log, "call_ringing", 60, proc)
        missed = wait_event(log, "call_missed", 40, proc)  # nobody presses a key
        assert missed["set_aside"] is True
        assert missed["contact_id"] == ringing["contact_id"] != ""
        assert str(missed["remote_number"]).count("*") >= 6  # masked in the log
        wait_event(log, "agent_state", 10, proc, state="not_ready", reason="missed")
        keys(xvfb.env, "ctrl+d")
        wait_event(log, "agent_state", 10, proc, state="available", previous="not_ready")
