"""The help queue: oldest first, times ticking on a fake clock, the threshold highlight,
acknowledge / resolve through the API and updates from events."""

from __future__ import annotations

import datetime as dt

import pytest

from homeagent.testing.fakes import FakeLeadComms
from homeagent.ui.lead.comms_common import highlight_brush
from homeagent.ui.lead.help_queue import COL_CALL, COL_STATUS, COL_WAIT, HelpQueuePanel
from homeagent.ui.qt.tasks import TaskRunner
from tests.unit.ui.lead.conftest import FakeClock, feed


@pytest.fixture
def panel(qtbot, server: FakeLeadComms, net: TaskRunner, clock: FakeClock) -> HelpQueuePanel:  # type: ignore[no-untyped-def]
    p = HelpQueuePanel(server, net, clock=clock, threshold_s=60, tick_ms=3_600_000,
                       contact_name={"c-1": "Camille Martin"}.get)  # fmt: skip
    qtbot.addWidget(p)
    p.show()
    return p


def _cell(panel: HelpQueuePanel, row: int, col: int) -> str:
    item = panel.table.item(row, col)
    assert item is not None
    return item.text()


def test_requests_are_sorted_oldest_first_and_times_tick(panel, server, clock) -> None:  # type: ignore[no-untyped-def]
    server.agent_asks_help("a-2", "Client très énervé", call_started_at=clock.now
                           - dt.timedelta(minutes=3), contact_id="c-1")  # fmt: skip
    clock.advance(20)
    server.agent_asks_help("a-1", "Question tarif", queue="ventes", call_started_at=None)
    events = server.drain_events()
    for event_type, data in reversed(events):  # the newer one first: order is by age
        assert panel.apply_event(event_type, data)
    assert [r.agent_name for r in panel.requests()] == ["Bruno Petit", "Alice Martin"]
    assert _cell(panel, 0, COL_WAIT) == "00:20"
    assert (
        _cell(panel, 0, COL_CALL)
        == "Camille Martin · +*********678 · queue support · in call 03:20"
    )
    assert _cell(panel, 1, COL_CALL) == "+*********678 · queue ventes"
    clock.advance(15)
    panel.tick()
    assert _cell(panel, 0, COL_WAIT) == "00:35"
    assert _cell(panel, 0, COL_CALL).endswith("in call 03:35")
    assert _cell(panel, 1, COL_WAIT) == "00:15"


def test_a_request_past_the_threshold_is_highlighted_and_marked(panel, server, clock) -> None:  # type: ignore[no-untyped-def]
    server.agent_asks_help("a-1", "Besoin d'aide")
    feed(panel, server)
    clock.advance(60)
    panel.tick()
    assert not panel.late(panel.requests()[0])
    assert _cell(panel, 0, COL_WAIT) == "01:00"
    clock.advance(1)
    panel.tick()
    assert panel.late(panel.requests()[0])
    assert _cell(panel, 0, COL_WAIT) == "⚠ 01:01"
    item = panel.table.item(0, 0)
    assert item is not None
    assert item.background() == highlight_brush("warn")
    assert item.font().bold()
    panel.set_threshold_s(120)
    assert _cell(panel, 0, COL_WAIT) == "01:01"


def test_acknowledge_and_resolve_call_the_api_and_follow_the_events(
    qtbot, panel, server, clock
) -> None:  # type: ignore[no-untyped-def]
    request_id = server.agent_asks_help("a-1", "Besoin d'aide")
    feed(panel, server)
    panel.select(request_id)
    assert panel.ack_button.isEnabled()
    assert not panel.listen_button.isEnabled()  # no supervision wired in this panel
    assert "not available" in panel.listen_button.toolTip()
    clock.advance(30)
    panel.ack_button.click()
    qtbot.waitUntil(lambda: panel.requests()[0].status == "acknowledged", timeout=3000)
    assert f"POST /help-requests/{request_id}/ack" in server.calls
    assert panel.status.text() == "Alice Martin knows you are coming."
    assert _cell(panel, 0, COL_STATUS) == "On the way: Léa Chef"
    clock.advance(100)
    panel.tick()
    assert _cell(panel, 0, COL_WAIT) == "00:30"  # the wait stopped at the acknowledgement
    assert not panel.late(panel.requests()[0])
    assert not panel.ack_button.isEnabled()
    # the server's event of our own ack changes nothing more
    assert feed(panel, server) == 1
    assert len(panel.requests()) == 1
    panel.resolve_button.click()
    qtbot.waitUntil(lambda: panel.requests() == [], timeout=3000)
    assert server.help[request_id]["status"] == "resolved"
    assert panel.empty.isVisible()


def test_another_leads_acknowledgement_arrives_as_an_event(panel, server) -> None:  # type: ignore[no-untyped-def]
    request_id = server.agent_asks_help("a-2", "Aide")
    feed(panel, server)
    counts: list[int] = []
    panel.count_changed.connect(counts.append)
    server.handle("POST", f"/help-requests/{request_id}/ack", {}, None)
    feed(panel, server)
    assert panel.requests()[0].status == "acknowledged"
    assert counts == [0]
    server.handle("POST", f"/help-requests/{request_id}/resolve", {}, None)
    feed(panel, server)
    assert panel.requests() == []


def test_reply_opens_the_agents_conversation_and_start_loads_the_queue(
    qtbot, server, net, clock
) -> None:  # type: ignore[no-untyped-def]
    server.agent_asks_help("a-1", "Une")
    acked = server.agent_asks_help("a-2", "Deux")
    server.handle("POST", f"/help-requests/{acked}/ack", {}, None)
    done = server.agent_asks_help("a-2", "Trois")
    server.handle("POST", f"/help-requests/{done}/resolve", {}, None)
    panel = HelpQueuePanel(server, net, clock=clock, tick_ms=3_600_000)
    qtbot.addWidget(panel)
    panel.start()
    qtbot.waitUntil(lambda: len(panel.requests()) == 2, timeout=3000)
    assert [r.text for r in panel.requests()] == ["Une", "Deux"]
    replies: list[str] = []
    panel.reply_requested.connect(replies.append)
    panel.select(acked)
    panel.reply_button.click()
    assert replies == ["a-2"]


def test_a_malformed_help_event_is_ignored(panel, server, caplog) -> None:  # type: ignore[no-untyped-def]
    server.agent_asks_help("a-1", "Aide")
    ((event_type, data),) = server.drain_events()
    assert not panel.apply_event(event_type, {**data, "status": "pending"})
    assert "malformed help_request event ignored" in caplog.text
    assert panel.requests() == []
    assert panel.apply_event(event_type, data)
