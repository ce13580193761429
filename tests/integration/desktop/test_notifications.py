"""Desktop notifications over D-Bus, on a private session bus: the same contract against
the test's fake server and against a real one (dunst under Xvfb), so the fake stays true.

A ringing call's notification has Answer / Decline; the server's ActionInvoked answers
through the desk (a fake desk: the real model, window and controller); the notification
is withdrawn when the call stops ringing. A server without the "actions" capability gets
no buttons; without any server the desk falls back (nothing breaks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from homeagent.core.desk_snapshot import Screen
from homeagent.desktop.notifications import FreedesktopNotifications
from tests.helpers.notification_server import (
    NotificationServer,
    private_session_bus,
    start_dunst,
    start_fake,
    stop_server,
)
from tests.unit.ui.conftest import make_desk, ring

pytestmark = pytest.mark.integration
__all__ = ["private_session_bus"]


@pytest.fixture(params=["fake", "dunst"])
def server(request, private_session_bus, tmp_path: Path) -> Iterator[NotificationServer]:  # type: ignore[no-untyped-def]
    folder = tmp_path / request.param
    folder.mkdir()
    start = start_fake if request.param == "fake" else start_dunst
    running = start(folder, private_session_bus.env)
    try:
        yield running
    finally:
        stop_server(running)


@pytest.fixture
def desk(qtbot):  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _connect(qtbot) -> FreedesktopNotifications:  # type: ignore[no-untyped-def]
    client = FreedesktopNotifications.connect_session()
    assert client is not None
    qtbot.waitUntil(lambda: client.available, timeout=5000)
    return client


def test_answer_on_the_notification_answers_the_call(qtbot, server, desk) -> None:  # type: ignore[no-untyped-def]
    client = _connect(qtbot)
    assert client.supports_actions
    desk.controller.notifier.use(desktop=client)
    ring(qtbot, desk)
    notifier = desk.controller.notifier
    # the server gave the ringing notification its id (a notification shown again for the
    # same ring, e.g. once the card is found, replaces the first: wait for the one left)
    qtbot.waitUntil(lambda: notifier._call_token in client._ids, timeout=5000)
    qtbot.waitUntil(lambda: server.displayed() == 1, timeout=5000)
    server_id = client._ids[notifier._call_token]
    server.click(server_id, "answer")
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=5000)
    assert desk.model.snapshot().call is not None
    client.shutdown()


def test_decline_and_withdrawal(qtbot, server, desk) -> None:  # type: ignore[no-untyped-def]
    client = _connect(qtbot)
    desk.controller.notifier.use(desktop=client)
    ring(qtbot, desk)
    qtbot.waitUntil(lambda: len(client._ids) == 1, timeout=5000)
    (first,) = client._ids.values()
    server.click(first, "decline")
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=5000)
    call_id = ring(qtbot, desk)  # a second call: the customer gives up before Answer
    qtbot.waitUntil(lambda: len(client._ids) == 1, timeout=5000)
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=5000)
    qtbot.waitUntil(lambda: server.displayed() == 0, timeout=5000)  # withdrawn
    client.shutdown()


def test_the_wire_format_and_a_server_without_actions(
    qtbot, private_session_bus, tmp_path: Path, desk
) -> None:  # type: ignore[no-untyped-def]
    fake = start_fake(tmp_path, private_session_bus.env, actions=False)
    try:
        client = _connect(qtbot)
        assert not client.supports_actions
        desk.controller.notifier.use(desktop=client)
        ring(qtbot, desk)
        record = tmp_path / "record.jsonl"
        qtbot.waitUntil(lambda: '"Notify"' in record.read_text(), timeout=5000)
        (notify,) = [json.loads(x) for x in record.read_text().splitlines() if '"Notify"' in x]
        assert "refused" not in notify  # the exact signature: susssasa{sv}i
        assert notify["app"] == "HomeAgent"
        assert notify["summary"] == "Incoming call"
        assert notify["body"] == "Camille Martin"
        assert notify["actions"] == []  # no buttons a server cannot show
        assert notify["hints"]["urgency"] == 2
        assert notify["hints"]["desktop-entry"] == "homeagent"
        assert notify["timeout"] == 0  # a ringing call stays until it stops ringing
        client.shutdown()
    finally:
        stop_server(fake)


def test_without_a_server_the_desk_falls_back(qtbot, private_session_bus, desk) -> None:  # type: ignore[no-untyped-def]
    client = FreedesktopNotifications.connect_session()
    assert client is not None  # the bus is there, nobody owns the name
    qtbot.wait(300)
    assert not client.available
    desk.controller.notifier.use(desktop=client)
    ring(qtbot, desk)
    assert desk.controller.notifier.via[-1] == "none"  # no tray offscreen either
    assert desk.window.ringing.isVisible()
    client.shutdown()
