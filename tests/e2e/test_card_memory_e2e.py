"""End to end: the real app (`homeagent demo`) under Xvfb — the card remembers.

The agent answers a customer, writes a note while talking, qualifies the call "Rappel
prévu" (which ticks the callback) and saves. Opening that customer from the search then
shows the card with the note and the open callback, read back from the server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.applog import contact_name, keys, type_text, wait_event
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.e2e


def test_a_note_and_a_callback_are_on_the_customers_card_afterwards(
    xvfb,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    log_path = root / "agent" / "events.jsonl"
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--contacts",
            "200", "--first-call", "3", "--call-every", "300", "--talk", "6", "--no-audio",
            "--lang", "fr"]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=xvfb.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_event(log_path, "registration", 60, proc)
        ringing = wait_event(log_path, "call_ringing", 60, proc)
        contact_id = str(ringing["contact_id"])
        keys(xvfb.env, "ctrl+Return")  # answer
        wait_event(log_path, "call_answered", 10, proc)
        keys(xvfb.env, "alt+n")  # the notes during the call
        type_text(xvfb.env, "Souhaite une box plus rapide", title="HomeAgent")
        wait_event(log_path, "wrap_up_started", 30, proc)  # the customer hangs up after 6 s
        keys(xvfb.env, "alt+q", "Down", "Down", "ctrl+s")  # "Rappel prévu", then save
        wait_event(log_path, "wrap_up_sent", 30, proc)
        seen = len(log_path.read_text().splitlines())
        name = contact_name(f"sqlite:///{root / 'server.db'}", contact_id)
        time.sleep(1)  # back on the idle view
        keys(xvfb.env, "ctrl+f")
        type_text(xvfb.env, name, title="HomeAgent")
        time.sleep(1.5)  # search-as-you-type
        keys(xvfb.env, "Tab", "Down")  # into the results: the first one opens its card
        memory = wait_event(log_path, "card_memory", 20, proc, after=seen,
                            contact_id=contact_id, source="server")  # fmt: skip
        assert memory["notes"] >= 1
        assert memory["callbacks"] >= 1
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
