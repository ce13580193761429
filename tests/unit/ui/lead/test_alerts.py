"""Alerts: an event adds a highlighted row and one notification; acknowledging goes
through the API (audited) and clears the highlight; open alerts come first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from homeagent.testing.fakes import FakeLeadComms
from homeagent.ui.lead.alerts import COL_ACK, COL_ALERT, COL_STATE, AlertsPanel
from homeagent.ui.qt.tasks import TaskRunner
from tests.unit.ui.lead.conftest import FakeClock, feed


@pytest.fixture
def notes() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def panel(qtbot, server: FakeLeadComms, net: TaskRunner, clock: FakeClock, notes) -> AlertsPanel:  # type: ignore[no-untyped-def]
    p = AlertsPanel(server, net, server.team_id, lambda t, b: notes.append((t, b)), clock=clock,
                    tz=ZoneInfo("Europe/Paris"))  # fmt: skip
    qtbot.addWidget(p)
    p.show()
    return p


def test_an_alert_event_highlights_its_row_and_notifies_once(panel, server, notes) -> None:  # type: ignore[no-untyped-def]
    alert_id = server.raise_alert("a-2", "break_over", 960, 900)
    events = server.drain_events()
    for event_type, data in events:
        assert panel.apply_event(event_type, data)
    assert notes == [("Alert: Long break", "Bruno Petit: 16:00 (threshold 15:00)")]
    assert panel.highlighted(alert_id)
    texts = panel.row_texts(0)
    assert texts[0] == "10:00"  # 09:00 UTC, in Paris
    assert texts[COL_ALERT] == "Long break — 16:00 (threshold 15:00)"
    assert texts[COL_STATE] == "Ongoing"
    assert texts[COL_ACK] == "⚠ To acknowledge"
    for event_type, data in events:  # the stream replays it after a reconnect
        panel.apply_event(event_type, data)
    assert len(notes) == 1
    assert len(panel.alerts()) == 1


def test_acknowledging_calls_the_api_and_clears_the_highlight(qtbot, panel, server, clock) -> None:  # type: ignore[no-untyped-def]
    alert_id = server.raise_alert("a-1", "missed_in_row", 3, 3)
    feed(panel, server)
    counts: list[int] = []
    panel.open_count_changed.connect(counts.append)
    panel.select(alert_id)
    clock.advance(120)
    panel.ack_button.click()
    qtbot.waitUntil(lambda: not panel.highlighted(alert_id), timeout=3000)
    assert f"POST /alerts/{alert_id}/ack" in server.calls
    assert ("alert_ack", alert_id) in server.audit
    assert panel.row_texts(0)[COL_ACK] == "10:02 by Léa Chef"
    assert counts[-1] == 0
    assert not panel.ack_button.isEnabled()
    # the server's `alert_updated` for our own ack, then the episode ends
    feed(panel, server)
    clock.advance(60)
    server.clear_alert(alert_id)
    feed(panel, server)
    assert panel.row_texts(0)[COL_STATE] == "Over at 10:03"
    assert not panel.highlighted(alert_id)


def test_open_alerts_come_first_and_start_loads_today(qtbot, server, net, clock, notes) -> None:  # type: ignore[no-untyped-def]
    old = server.raise_alert("a-1", "call_over", 1000, 900)
    clock.advance(60)
    server.raise_alert("a-2", "mos_under", 2.84, 3.1)
    clock.advance(60)
    server.clear_alert(old)
    server.drain_events()
    panel = AlertsPanel(server, net, server.team_id, lambda t, b: notes.append((t, b)), clock=clock)
    qtbot.addWidget(panel)
    panel.start()
    qtbot.waitUntil(lambda: len(panel.alerts()) == 2, timeout=3000)
    assert [a.kind for a in panel.alerts()] == ["mos_under", "call_over"]
    assert panel.row_texts(0)[COL_ALERT] == "Poor call quality — MOS 2.8 (threshold 3.1)"
    assert notes == []  # loading today's log does not notify
    assert server.calls == ["GET /teams/team-1/alerts"]


def test_a_malformed_or_foreign_alert_is_ignored(panel, server, caplog) -> None:  # type: ignore[no-untyped-def]
    server.raise_alert("a-1", "no_break", 11000, 10800)
    ((event_type, data),) = server.drain_events()
    assert not panel.apply_event(event_type, {**data, "detail": {"value": "long"}})
    assert "malformed alert event ignored" in caplog.text
    assert not panel.apply_event(event_type, {**data, "team_id": "another-team"})
    assert panel.alerts() == []
    assert panel.apply_event(event_type, {**data, "kind": "a_newer_kind"})
    assert panel.row_texts(0)[COL_ALERT].startswith("Alert — ")


def test_enter_on_a_row_acknowledges_it(qtbot, panel, server) -> None:  # type: ignore[no-untyped-def]
    alert_id = server.raise_alert("a-1", "wrap_up_over", 75, 60)
    feed(panel, server)
    panel.select(alert_id)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.highlighted(alert_id), timeout=3000)
    assert f"POST /alerts/{alert_id}/ack" in server.calls
