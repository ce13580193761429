"""The outbox: durable, in order, idempotency keys, the stated conflict rule."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.crm.outbox import Outbox, OutboxSender, OutboxStatus
from homeagent.crm.store import LocalStore
from tests.helpers.procs import wait_until

KEY = bytes(range(32))


class FakeSender:
    """Records requests; can be 'down' or refuse given paths."""

    def __init__(self) -> None:
        self.down = False
        self.refuse: dict[str, ApiError] = {}
        self.received: list[tuple[str, str, Any, str | None]] = []
        self.lock = threading.Lock()

    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        if self.down:
            raise ServerUnreachable("down")
        if path in self.refuse:
            raise self.refuse[path]
        with self.lock:
            self.received.append((method, path, body, idempotency_key))
        return {}


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    store = LocalStore.open(KEY, tmp_path)
    yield Outbox(store)
    store.close()


def test_writes_are_queued_locally_and_sent_in_order(outbox: Outbox) -> None:
    n1 = outbox.add_note("c1", "first")
    outbox.set_agent_state("break", "lunch")
    n2 = outbox.add_note("c1", "second", interaction_id="i1")
    assert outbox.status() == OutboxStatus(3, 0)
    assert [n["text"] for n in outbox._store.notes_of("c1")] == ["first", "second"]
    sender = FakeSender()
    assert outbox.send_pending(sender) == 3
    assert [(m, p) for m, p, _, _ in sender.received] == [
        ("POST", "/notes"),
        ("PUT", "/agents/me/state"),
        ("POST", "/notes"),
    ]
    assert sender.received[0][2] == {"id": n1, "contact_id": "c1", "text": "first"}
    assert sender.received[0][3] == n1  # idempotency key = the note's id
    assert sender.received[2][2]["interaction_id"] == "i1"
    assert sender.received[2][3] == n2
    assert outbox.status() == OutboxStatus(0, 0)
    assert outbox.send_pending(sender) == 0


def test_unreachable_server_keeps_everything_pending(outbox: Outbox) -> None:
    outbox.add_note("c1", "a")
    outbox.add_note("c1", "b")
    sender = FakeSender()
    sender.down = True
    with pytest.raises(ServerUnreachable):
        outbox.send_pending(sender)
    assert outbox.status().pending == 2
    sender.down = False
    assert outbox.send_pending(sender) == 2


def test_permanent_refusal_is_marked_failed_and_the_queue_moves_on(outbox: Outbox) -> None:
    outbox.update_callback("cb1", "done")
    outbox.add_note("c1", "after")
    sender = FakeSender()
    sender.refuse["/callbacks/cb1"] = ApiError(409, "conflict", "already closed by Paul")
    assert outbox.send_pending(sender) == 1
    failed = outbox.items("failed")
    assert [i.kind for i in failed] == ["callback"]
    assert failed[0].last_error == "already closed by Paul"
    assert outbox.status() == OutboxStatus(0, 1)


def test_server_error_is_not_permanent(outbox: Outbox) -> None:
    outbox.add_note("c1", "x")
    sender = FakeSender()
    sender.refuse["/notes"] = ApiError(429, "slow_down", "too many")
    with pytest.raises(ApiError):
        outbox.send_pending(sender)
    assert outbox.status().pending == 1


def test_call_wrap_up_and_receipt(outbox: Outbox) -> None:
    call_id = outbox.log_call(
        {"direction": "inbound", "remote_number": "+33123456789", "started_at": "t0"}
    )
    outbox.wrap_up(call_id, "sale", "ok", callback={"due_at": "2026-11-24T09:00:00Z"})
    outbox._store.save_messages([{"id": "m1", "body": "hi"}])
    outbox.mark_message_read("m1")
    sender = FakeSender()
    outbox.send_pending(sender)
    paths = [p for _, p, _, _ in sender.received]
    assert paths == ["/interactions", f"/interactions/{call_id}/wrap-up", "/messages/m1/read"]
    assert sender.received[1][2]["callback"]["id"]
    assert outbox._store.call_history()[0]["disposition"] == "sale"
    assert outbox._store.unread_count() == 0


def test_sender_thread_retries_until_back(outbox: Outbox) -> None:
    sender = FakeSender()
    sender.down = True
    statuses: list[OutboxStatus] = []
    worker = OutboxSender(outbox, sender, on_status=statuses.append, retry_s=0.05)
    worker.start()
    try:
        for i in range(5):
            outbox.add_note("c1", f"n{i}")
        wait_until(lambda: any(s.last_error for s in statuses), timeout_s=5)
        sender.down = False
        worker.wake()
        wait_until(lambda: len(sender.received) == 5, timeout_s=5)
        assert [b["text"] for _, _, b, _ in sender.received] == [f"n{i}" for i in range(5)]
    finally:
        worker.stop()
