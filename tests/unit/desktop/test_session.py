"""The composition of real parts: `AgentSession` over the real encrypted store and outbox,
with a fake server client and the fake engine (no network, no SIP stack)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery
from homeagent.testing.device import FakeDevice
from tests.unit.desktop.conftest import running_session

CAMILLE = str(uuid.uuid4())


@pytest.fixture
def session(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    device.store.apply_contact_changes(
        [{"id": CAMILLE, "first_name": "Camille", "last_name": "Martin",
          "phones": ["06 12 34 56 78"]}]
    )  # fmt: skip
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        yield s


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


def test_my_day_is_read_again_when_the_server_moves_my_state(qtbot, session) -> None:
    """A break that ended (or a wrap-up) changes "Ma journée": its figures follow."""
    from homeagent.client.events import StreamEvent

    device, client = session.device, session.device.client
    qtbot.waitUntil(lambda: session.model.snapshot().agent_name == "Alice Robert", timeout=3000)
    qtbot.waitUntil(lambda: client.figures_reads >= 1, timeout=3000)
    before = client.figures_reads
    ringing = {"agent_id": "u-1", "state": "ringing", "reason": "", "since": "2026-12-01T09:00:00Z"}
    device.on_event(StreamEvent(1, "agent_state", ringing))
    back = {**ringing, "state": "available", "since": "2026-12-01T09:30:00Z"}
    device.on_event(StreamEvent(2, "agent_state", {**back, "agent_id": "someone-else"}))
    device.on_event(StreamEvent(3, "agent_state", back))
    qtbot.waitUntil(lambda: client.figures_reads >= before + 1, timeout=3000)
    qtbot.wait(300)  # the events are handled in order: any earlier re-read has landed too
    assert client.figures_reads == before + 1  # not for ringing, nor for another agent
