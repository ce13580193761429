"""The composition of real parts: `AgentSession` over the real encrypted store and outbox,
with a fake server client and the fake engine (no network, no SIP stack)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery
from homeagent.core.eventlog import EventLog
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore
from homeagent.desktop.session import AgentSession
from homeagent.testing.fakes import FakeEngine

CAMILLE = str(uuid.uuid4())
ME = {
    "user": {"id": "u-1", "name": "alice", "display_name": "Alice Robert", "role": "agent"},
    "team": {
        "id": "t-1",
        "name": "Support",
        "pause_reasons": ["Déjeuner", "Café"],
        "wrap_up_s": 30,
        "auto_answer_s": 0,
        "auto_available_after_wrap_up": True,
        "dispositions": [{"code": "ok", "label": "Résolu"}],
    },
}


class FakeClient:
    verify = True

    def me(self) -> dict[str, Any]:
        return ME

    def callbacks(self, status: str, due_before: str | None = None) -> list[Any]:
        return []

    def figures_for_agent(self, agent_id: str, day: str) -> dict[str, Any]:
        return {"calls_handled": 3, "avg_handle_s": 100, "wrap_up_s": 20,
                "breaks": {"count": 1, "duration_s": 600}, "missed": 0}  # fmt: skip


class FakeDevice:
    """The parts of `DeviceSession` the session uses; the sender marks items sent."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.store = LocalStore.open(os.urandom(32), data_dir)
        self.outbox = Outbox(self.store)
        self.client = FakeClient()
        self.on_outbox: Any = None
        (data_dir / "device.json").write_text(json.dumps({"user": {"id": "u-1"}}))

    def sip_account(self, ca_file: str | None = None) -> SipAccountConfig:
        return SipAccountConfig("127.0.0.1", 5060, "demo.local", "1001", "secret")

    def on_revoked(self, callback: Any) -> None:
        self.revoked = callback

    def start(self, *, on_event: Any, on_connection: Any, on_outbox: Any, on_sync: Any) -> None:
        self.on_outbox = on_outbox

    def server_sends_everything(self) -> None:
        for item in self.outbox.pending():
            self.outbox.mark_sent(item.id)
        self.on_outbox(None)

    def stop(self) -> None:
        self.store.close()


@pytest.fixture
def session(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = FakeDevice(tmp_path)
    device.store.apply_contact_changes(
        [{"id": CAMILLE, "first_name": "Camille", "last_name": "Martin",
          "phones": ["06 12 34 56 78"]}]
    )  # fmt: skip
    engines: list[FakeEngine] = []

    def factory(config: EngineConfig, account: SipAccountConfig, on_event, audio=None):  # type: ignore[no-untyped-def]
        engine = FakeEngine(on_event, threaded=True)
        engines.append(engine)
        return engine

    log = EventLog(tmp_path / "events.jsonl")
    s = AgentSession(device=device, event_log=log, engine_factory=factory, use_audio=False)
    window = s.start()
    qtbot.addWidget(window)
    window.show()
    s.fake_engine = engines[0]  # type: ignore[attr-defined]
    yield s
    s.stop()
    log.close()


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_call_goes_through_the_real_store_and_outbox(qtbot, session, tmp_path) -> None:
    model, engine = session.model, session.fake_engine
    qtbot.waitUntil(lambda: model.snapshot().agent_name == "Alice Robert", timeout=3000)
    assert model.snapshot().team.wrap_up_s == 30
    call_id = engine.ring("+33612345678")
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.RINGING, timeout=3000)
    assert session.window.card.name.text() == "Camille Martin"
    model.answer()
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    model.edit_wrap_up(notes="ok", disposition="ok", callback_at=None)
    model.submit_wrap_up()
    qtbot.waitUntil(lambda: model.snapshot().last_delivery is Delivery.SAVED, timeout=3000)
    kinds = [item.kind for item in session.device.outbox.pending()]
    assert "interaction" in kinds
    assert "wrap_up" in kinds
    session.device.server_sends_everything()
    qtbot.waitUntil(lambda: model.snapshot().last_delivery is Delivery.SENT, timeout=3000)
    qtbot.waitUntil(lambda: session.window.side.history.model.rowCount() == 1, timeout=3000)
    QCoreApplication.processEvents()
    names = [e["event"] for e in _events(tmp_path / "events.jsonl")]
    for name in ("call_ringing", "card_painted", "call_answered", "call_ended", "wrap_up_saved",
                 "wrap_up_sent"):  # fmt: skip
        assert name in names
    text = (tmp_path / "events.jsonl").read_text()
    assert "612345678" not in text
    assert "secret" not in text
