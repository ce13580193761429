"""Receipts and messages to the lead go through the outbox: durable, in order per message,
and the server's answers come back to the desk (docs/lead-contract.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from homeagent.crm.outbox import Outbox
from homeagent.crm.outbox_items import OutboxItem
from homeagent.crm.store import LocalStore
from homeagent.testing.fake_server import FakeServer

KEY = bytes(range(32))


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = LocalStore.open(KEY, tmp_path)
    yield s
    s.close()


def test_a_message_that_reaches_the_desk_is_stored_with_its_delivered_receipt(store) -> None:  # type: ignore[no-untyped-def]
    server, outbox = FakeServer(), Outbox(store)
    message = server.lead_sends("Réunion à 14 h", "urgent")
    assert outbox.message_arrived(message)
    assert not outbox.message_arrived(message)  # a replay: stored once, one receipt
    assert [i.path for i in outbox.pending()] == [f"/messages/{message['id']}/delivered"]
    outbox.ack_message(str(message["id"]))  # offline: kept, and queued after the delivery
    outbox.send_pending(server)
    assert server.receipts[message["id"]]["acked_at"] is not None
    assert server.receipts[message["id"]]["read_at"] is not None  # ack implies read
    [row] = store.message_rows()
    assert row["raw"]["body"] == "Réunion à 14 h"
    assert row["acked_at"]
    assert row["read_at"]


def test_a_message_that_is_not_ours_to_receive_gets_no_receipt(store) -> None:  # type: ignore[no-untyped-def]
    outbox = Outbox(store)
    theirs = {"id": 5, "body": "x", "created_at": "2026-12-01T09:00:00Z", "receipt": None}
    assert outbox.message_arrived(theirs)
    assert outbox.pending() == []


def test_the_receipts_survive_a_restart_offline(tmp_path: Path) -> None:
    server = FakeServer()
    message = server.lead_sends("Urgent", "urgent")
    first = LocalStore.open(KEY, tmp_path)
    Outbox(first).message_arrived(message)
    Outbox(first).ack_message(str(message["id"]))
    first.close()
    again = LocalStore.open(KEY, tmp_path)  # the desk restarts, then the server is back
    try:
        assert Outbox(again).send_pending(server) == 2
    finally:
        again.close()
    assert server.sent(f"/messages/{message['id']}/ack") == [{}]


def test_a_message_to_the_lead_gets_the_server_s_id_and_the_listeners_hear_it(store) -> None:  # type: ignore[no-untyped-def]
    server, outbox = FakeServer(), Outbox(store)
    heard: list[tuple[OutboxItem, Any]] = []
    outbox.on_sent(lambda item, answer: heard.append((item, answer)))
    local_id = outbox.message_to_lead("Je reviens dans 5 min", "local:1")
    [waiting] = store.sent_messages()
    assert (waiting["id"], waiting["server_id"], waiting["sent_at"]) == ("local:1", None, None)
    outbox.send_pending(server)
    [sent] = store.sent_messages()
    assert sent["server_id"] == heard[0][1]["id"]
    assert sent["sent_at"] is not None
    assert heard[0][0].id == local_id
    assert server.sent("/messages/to-lead") == [{"body": "Je reviens dans 5 min"}]


def test_a_refused_receipt_is_a_dead_letter_not_a_lost_one(store) -> None:  # type: ignore[no-untyped-def]
    server, outbox = FakeServer(), Outbox(store)
    message = server.lead_sends("pour info")
    outbox.message_arrived(message)
    outbox.ack_message(str(message["id"]))  # not urgent: the contract says 409
    outbox.send_pending(server)
    [dead] = outbox.dead_letters()
    assert (dead.kind, dead.status) == ("receipt", 409)
