"""A stalled server never holds back local work: the disk lane and the network lane.

The server client stalls ``/figures`` for 20 s (a hung home connection); meanwhile a
wrap-up must read "Enregistré" (durable in the outbox) at once and the contact search must
still answer. With one lane for both, both waited behind the stalled request.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from homeagent.core import records
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery
from homeagent.testing.device import FakeDevice, FakeServerClient
from tests.unit.desktop.conftest import running_session
from tests.unit.desktop.test_session import CAMILLE

STALL_S = 20.0
SAVED_WITHIN_S = 0.2  # what the agent perceives as "at once"


class StallingClient(FakeServerClient):
    """`GET /figures` hangs until released (or 20 s)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.figures_asked = threading.Event()

    def read_figures(self, agent_id: str, day: dt.date) -> records.Figures:
        self.figures_asked.set()
        self.release.wait(STALL_S)
        return super().read_figures(agent_id, day)


def test_a_stalled_server_holds_neither_the_wrap_up_save_nor_the_search(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    client = StallingClient()
    device.client = client
    device.store.apply_contact_changes(
        [{"id": CAMILLE, "first_name": "Camille", "last_name": "Martin", "phones": ["0612345678"]}]
    )
    try:
        with running_session(qtbot, device, tmp_path / "events.jsonl") as session:
            window = session.window
            assert client.figures_asked.wait(5), "the desk asks for its figures at start"
            model, engine = session.model, session.fake_engine  # type: ignore[attr-defined]
            call_id = engine.ring("+33612345678")
            qtbot.waitUntil(lambda: model.snapshot().screen is Screen.RINGING, timeout=3000)
            model.answer()
            qtbot.waitUntil(lambda: model.snapshot().screen is Screen.IN_CALL, timeout=3000)
            engine.remote_hangup(call_id)
            qtbot.waitUntil(lambda: model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
            model.edit_wrap_up(notes="rappel demain", disposition="ok", callback_at=None)
            started = time.monotonic()
            model.submit_wrap_up()
            qtbot.waitUntil(lambda: model.snapshot().last_delivery is Delivery.SAVED, timeout=3000)
            saved_s = time.monotonic() - started
            assert saved_s < SAVED_WITHIN_S, f"Enregistré after {saved_s:.3f} s"

            box = window.side.contacts
            box.field.setText("Camille")
            qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=3000)
            assert not client.release.is_set(), "all of it happened while /figures still hung"
            client.release.set()  # before the session stops
    finally:
        client.release.set()
