"""The lead's messages: per-recipient receipts live from events, the urgent "not yet read
by" list, conversations both ways with an unread badge, history from the server."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from homeagent.testing.fakes import FakeLeadComms
from homeagent.ui.lead.messages import TO_SEVERAL, TO_TEAM, MessagesPanel
from homeagent.ui.qt.tasks import TaskRunner
from tests.unit.ui.lead.conftest import feed

PARIS = ZoneInfo("Europe/Paris")
AGENTS = [("a-1", "Alice Martin"), ("a-2", "Bruno Petit")]


@pytest.fixture
def panel(qtbot, server: FakeLeadComms, net: TaskRunner) -> MessagesPanel:  # type: ignore[no-untyped-def]
    p = MessagesPanel(server, net, server.team_id, me_id=server.lead_id, tz=PARIS)
    qtbot.addWidget(p)
    p.set_agents(AGENTS)
    p.show()
    return p


def _send(qtbot, panel: MessagesPanel, text: str, *, target: int, urgent: bool = False,  # type: ignore[no-untyped-def]
          checked: tuple[str, ...] = ()) -> None:  # fmt: skip
    panel.target.setCurrentIndex(target)
    for row in range(panel.pick.count()):
        item = panel.pick.item(row)
        on = item.data(Qt.ItemDataRole.UserRole) in checked
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
    panel.urgent.setChecked(urgent)
    panel.body.setPlainText(text)
    panel.send_button.click()
    qtbot.waitUntil(lambda: panel.body.toPlainText() == "", timeout=3000)


def test_a_broadcast_counts_read_receipts_live_from_events(qtbot, panel, server) -> None:  # type: ignore[no-untyped-def]
    _send(qtbot, panel, "Réunion d'équipe à 14 h", target=TO_TEAM)
    assert panel.status.text() == "Sent to the whole team."
    message_id = max(server.messages)
    assert server.messages[message_id]["to_team_id"] == server.team_id
    assert feed(panel, server) == 1  # our own `message` echo: no duplicate
    assert panel.view.count() == 1
    assert panel.receipt_text(message_id) == "Delivered 0/2 · Read 0/2"
    server.agent_receipt(message_id, "a-1", "read")
    feed(panel, server)
    assert panel.receipt_text(message_id) == "Delivered 1/2 · Read 1/2"
    assert "Read 1/2" in panel.view.item(0).text()
    server.agent_receipt(message_id, "a-2", "delivered")
    server.agent_receipt(message_id, "a-2", "read")
    feed(panel, server)
    assert panel.receipt_text(message_id) == "Delivered 2/2 · Read 2/2"


def test_an_urgent_message_lists_who_has_not_read_and_not_acknowledged(
    qtbot, panel, server
) -> None:  # type: ignore[no-untyped-def]
    _send(qtbot, panel, "Coupure réseau : basculez", target=TO_SEVERAL, urgent=True,
          checked=("a-1", "a-2"))  # fmt: skip
    assert panel.status.text() == "Sent to 2 agents."
    message_id = max(server.messages)
    assert server.messages[message_id]["priority"] == "urgent"
    qtbot.waitUntil(lambda: "Not yet read by" in panel.receipt_text(message_id), timeout=3000)
    assert "Not yet read by: Alice Martin, Bruno Petit" in panel.receipt_text(message_id)
    server.agent_receipt(message_id, "a-1", "ack")
    feed(panel, server)
    text = panel.receipt_text(message_id)
    assert "Acknowledged 1/2" in text
    assert "Not yet read by: Bruno Petit" in text
    assert "Not yet acknowledged by: Bruno Petit" in text
    server.agent_receipt(message_id, "a-2", "read")
    feed(panel, server)
    text = panel.receipt_text(message_id)
    assert "Not yet read by" not in text
    assert "Not yet acknowledged by: Bruno Petit" in text
    server.agent_receipt(message_id, "a-2", "ack")
    feed(panel, server)
    assert panel.receipt_text(message_id) == "Delivered 2/2 · Read 2/2 · Acknowledged 2/2"


def test_the_receipts_table_shows_each_recipient(qtbot, panel, server) -> None:  # type: ignore[no-untyped-def]
    _send(qtbot, panel, "Pensez aux qualifications", target=TO_TEAM)
    message_id = max(server.messages)
    server.agent_receipt(message_id, "a-2", "read")
    feed(panel, server)
    panel.view.setCurrentRow(0)
    qtbot.waitUntil(lambda: panel.receipts.rowCount() == 2, timeout=3000)
    rows = {panel.receipts.item(r, 0).text(): panel.receipts.item(r, 2).text() for r in range(2)}
    assert rows == {"Alice Martin": "—", "Bruno Petit": "10:00"}  # 09:00 UTC in Paris


def test_an_agent_message_badges_until_the_lead_opens_the_conversation(
    qtbot, panel, server
) -> None:  # type: ignore[no-untyped-def]
    counts: list[int] = []
    panel.unread_changed.connect(counts.append)
    server.agent_writes("a-2", "Je peux prendre ma pause ?")
    feed(panel, server)
    assert panel.unread_count() == 1
    assert counts[-1] == 1
    names = [panel.threads.item(r).text() for r in range(panel.threads.count())]
    assert "Bruno Petit (1 unread)" in names
    panel.open_conversation("a-2")
    qtbot.waitUntil(lambda: panel.unread_count() == 0, timeout=3000)
    assert counts[-1] == 0
    assert "POST /messages/1/read" in server.calls
    assert server.receipts[1][server.lead_id]["read_at"] is not None
    assert "Je peux prendre ma pause ?" in panel.view.item(0).text()


def test_history_comes_from_the_server_after_a_restart(qtbot, server, net) -> None:  # type: ignore[no-untyped-def]
    server.agent_writes("a-1", "Client en attente, je rappelle")
    server._post_message({"to_agent_id": "a-1", "body": "D'accord", "priority": "normal"})
    server.drain_events()
    panel = MessagesPanel(server, net, server.team_id)
    qtbot.addWidget(panel)
    panel.set_agents(AGENTS)
    panel.start()
    qtbot.waitUntil(lambda: panel.unread_count() == 1, timeout=3000)
    panel.open_conversation("a-1")
    qtbot.waitUntil(lambda: panel.view.count() == 2, timeout=3000)
    texts = [panel.view.item(r).text() for r in range(2)]
    assert "Client en attente" in texts[0]
    assert "D'accord" in texts[1]
    assert "Read 0/1" in texts[1]


def test_a_failed_send_keeps_the_draft_and_says_why(qtbot, panel, server) -> None:  # type: ignore[no-untyped-def]
    server.fail_with = ConnectionError("down")
    panel.body.setPlainText("Point à 15 h")
    panel.target.setCurrentIndex(TO_TEAM)
    panel.send_button.click()
    qtbot.waitUntil(lambda: panel.send_button.isEnabled(), timeout=3000)
    assert panel.body.toPlainText() == "Point à 15 h"
    assert panel.status.text().startswith("Not sent (the draft is kept)")
    assert server.messages == {}
    panel.send_button.click()
    qtbot.waitUntil(lambda: panel.body.toPlainText() == "", timeout=3000)
    assert len(server.messages) == 1


def test_a_malformed_event_is_dropped_alone_with_a_warning(qtbot, panel, server, caplog) -> None:  # type: ignore[no-untyped-def]
    server.agent_writes("a-1", "Bonjour")
    ((event_type, good),) = server.drain_events()
    bad = {**good, "created_at": "hier"}
    with caplog.at_level(logging.WARNING):
        assert not panel.apply_event(event_type, bad)
    assert "malformed message event ignored" in caplog.text
    assert "Bonjour" not in caplog.text  # never the content
    assert panel.apply_event(event_type, good)
    assert panel.unread_count() == 1
    assert not panel.apply_event("agent_state", {"agent_id": "a-1"})


def test_the_board_can_address_the_composer(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    panel.compose_to(["a-1", "a-2"])
    assert panel.target.currentIndex() == TO_SEVERAL
    assert all(
        panel.pick.item(r).checkState() == Qt.CheckState.Checked for r in range(panel.pick.count())
    )
    panel.compose_to(["a-2"])
    assert panel.one.currentData() == "a-2"
    assert panel.threads.currentItem().text() == "Bruno Petit"


def test_in_french_the_lead_reads_lu_2_sur_2(qtbot, french, server, net) -> None:  # type: ignore[no-untyped-def]
    panel = MessagesPanel(server, net, server.team_id)
    qtbot.addWidget(panel)
    panel.set_agents(AGENTS)
    _send(qtbot, panel, "Réunion", target=TO_TEAM, urgent=True)
    assert panel.status.text() == "Envoyé à toute l'équipe."
    message_id = max(server.messages)
    for agent in ("a-1", "a-2"):
        server.agent_receipt(message_id, agent, "read")
    feed(panel, server)
    qtbot.waitUntil(lambda: "confirmé" in panel.receipt_text(message_id), timeout=3000)
    lines = panel.receipt_text(message_id).split("\n")
    assert lines[0] == "Distribué 2/2 · lu 2/2 · bien reçu 0/2"
    assert lines[1] == "Pas encore confirmé par : Alice Martin, Bruno Petit"
