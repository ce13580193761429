"""End to end: the real app (`homeagent demo`) under Xvfb — the card remembers.

The agent answers a customer, writes a note while talking, qualifies the call "Rappel
prévu" (which ticks the callback) and saves. Opening that customer from the search then
shows the card with the note and the open callback, read back from the server.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.e2e.applog import contact_name, keys, running_demo, type_text, wait_event

pytestmark = pytest.mark.e2e


def test_a_note_and_a_callback_are_on_the_customers_card_afterwards(
    xvfb,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    args = ("--contacts", "200", "--first-call", "3", "--call-every", "300", "--talk", "6")
    with running_demo(xvfb.env, tmp_path, *args) as demo:
        log, proc = demo.log, demo.proc
        wait_event(log, "registration", 60, proc)
        contact_id = str(wait_event(log, "call_ringing", 60, proc)["contact_id"])
        keys(xvfb.env, "ctrl+Return")  # answer
        wait_event(log, "call_answered", 10, proc)
        keys(xvfb.env, "alt+n")  # the notes during the call
        type_text(xvfb.env, "Souhaite une box plus rapide", title="HomeAgent")
        wait_event(log, "wrap_up_started", 30, proc)  # the customer hangs up after 6 s
        keys(xvfb.env, "alt+q", "Down", "Down", "ctrl+s")  # "Rappel prévu", then save
        wait_event(log, "wrap_up_sent", 30, proc)
        seen = len(log.read_text().splitlines())
        time.sleep(1)  # back on the idle view
        keys(xvfb.env, "ctrl+f")
        type_text(xvfb.env, contact_name(demo.db_url, contact_id), title="HomeAgent")
        time.sleep(1.5)  # search-as-you-type
        keys(xvfb.env, "Tab", "Down")  # into the results: the first one opens its card
        memory = wait_event(log, "card_memory", 20, proc, after=seen,
                            contact_id=contact_id, source="server")  # fmt: skip
        assert memory["notes"] >= 1
        assert memory["callbacks"] >= 1
