"""The ringing card's contact lookup does not wait for the background sync: it reads the
cache through its own connection (WAL) instead of queueing behind a page transaction."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

from homeagent.core.eventlog import EventLog
from homeagent.desktop.session import AgentSession
from homeagent.testing.device import FakeDevice
from tests.unit.desktop.test_app_revocation import _engine

HOLD_S = 2.0


def test_card_pops_while_a_sync_page_is_being_written(qtbot, tmp_path: Path) -> None:
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    camille = str(uuid.uuid4())
    device.store.apply_contact_changes(
        [{"id": camille, "first_name": "Camille", "last_name": "Martin",
          "phones": ["06 12 34 56 78"]}]
    )  # fmt: skip
    log = EventLog(tmp_path / "events.jsonl")
    session = AgentSession(device=device, event_log=log, engine_factory=_engine, use_audio=False)
    window = session.start()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    writing, done = threading.Event(), threading.Event()

    def sync_page() -> None:  # what the sync holds while it writes one page of contacts
        with device.store.transaction():
            writing.set()
            done.wait(HOLD_S)

    writer = threading.Thread(target=sync_page, name="contacts-sync")
    writer.start()
    try:
        assert writing.wait(5)
        session.engine.ring("+33612345678")
        qtbot.waitUntil(
            lambda: "card_painted" in (tmp_path / "events.jsonl").read_text(), timeout=5000
        )
    finally:
        done.set()
        writer.join(5)
        session.stop()
        log.close()
    painted = next(
        e
        for e in map(json.loads, (tmp_path / "events.jsonl").read_text().splitlines())
        if e["event"] == "card_painted"
    )
    assert painted["contact_id"] == camille
    assert painted["latency_ms"] < HOLD_S * 1000 / 4
