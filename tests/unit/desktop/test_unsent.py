"""What the server refuses for good reaches the agent: a badge, a list, retry and discard.

Real encrypted store and outbox; the "server" refuses wrap-ups with a 422.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from homeagent.client.errors import ApiError
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery, UnsentKind
from homeagent.testing.device import FakeDevice
from tests.unit.desktop.conftest import running_session


class RefusesWrapUps:
    """Acknowledges everything but wrap-ups, which it refuses for good."""

    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        if path.endswith("/wrap-up"):
            raise ApiError(422, "unknown_disposition", "'ok' is not a disposition of this team")
        return {}


@pytest.fixture
def session(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        yield s


def _refused_wrap_up(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    model, engine, device = session.model, session.fake_engine, session.device
    call_id = engine.ring("+33612345678")
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.RINGING, timeout=3000)
    model.answer()
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    model.edit_wrap_up(notes="rappel", disposition="ok", callback_at=None)
    model.submit_wrap_up()
    qtbot.waitUntil(lambda: model.snapshot().last_delivery is Delivery.SAVED, timeout=3000)
    device.outbox.send_pending(RefusesWrapUps())
    assert device.on_outbox is not None
    device.on_outbox(device.outbox.status())  # what the sender reports after its pass


def test_a_refused_wrap_up_shows_one_item_not_sent_and_can_be_retried(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    _refused_wrap_up(qtbot, session)
    badge = session.window.top.unsent
    qtbot.waitUntil(badge.isVisible, timeout=3000)
    assert "1" in badge.text()
    assert session.model.snapshot().last_delivery is Delivery.SAVED  # not "Envoyé"
    badge.click()
    dialog = session.unsent.dialog
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=3000)
    assert UnsentKind.WRAP_UP.value in [d.kind for d in session.device.outbox.dead_letters()]
    assert "422" in dialog.list.item(0).text()
    dialog.retry.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=3000)
    assert not badge.isVisible()
    assert [i.kind for i in session.device.outbox.pending()] == ["wrap_up"]


def test_a_discarded_wrap_up_is_never_called_sent(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    _refused_wrap_up(qtbot, session)
    session.unsent.open_dialog()
    dialog = session.unsent.dialog
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=3000)
    dialog.discard.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=3000)
    session.device.on_outbox(session.device.outbox.status())
    qtbot.waitUntil(lambda: session.model.snapshot().last_delivery is Delivery.FAILED, timeout=3000)
    assert not session.window.top.unsent.isVisible()
