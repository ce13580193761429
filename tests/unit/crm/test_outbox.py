"""The outbox: durable, in order, idempotency keys, the stated conflict rule."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from homeagent.client.errors import (
    ApiError,
    AuthenticationFailed,
    ClientError,
    ServerFailed,
    ServerUnreachable,
)
from homeagent.crm.outbox import Outbox
from homeagent.crm.outbox_items import DeadLetter, OutboxStatus
from homeagent.crm.outbox_sender import OutboxSender
from homeagent.crm.store import LocalStore
from tests.helpers.procs import wait_until

KEY = bytes(range(32))


class FakeSender:
    """Records requests; can be 'down' or refuse given paths or entries (by key)."""

    def __init__(self) -> None:
        self.down = False
        self.refuse: dict[str, ClientError] = {}  # by path
        self.refuse_key: dict[str, ClientError] = {}  # by idempotency key (entry id)
        self.tried: list[str | None] = []
        self.received: list[tuple[str, str, Any, str | None]] = []
        self.lock = threading.Lock()

    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        self.tried.append(idempotency_key)
        if self.down:
            raise ServerUnreachable("down")
        if idempotency_key in self.refuse_key:
            raise self.refuse_key[idempotency_key]
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


# --- order per record, dead letters --------------------------------------------------


def _calls_and_notes(outbox: Outbox) -> dict[str, str]:
    """Two records (calls i1 of contact c1, i2 of contact c2), interleaved in the queue."""
    i1 = outbox.log_call({"contact_id": "c1", "direction": "inbound", "outcome": "answered"})
    w1 = outbox.wrap_up(i1, "sale", "first call")
    n2 = outbox.add_note("c2", "about the second contact")
    i2 = outbox.log_call({"contact_id": "c2", "direction": "inbound", "outcome": "answered"})
    w2 = outbox.wrap_up(i2, "info", "second call")
    entry = {item.kind + str(n): item.id for n, item in enumerate(outbox.items())}
    return {
        "i1": entry["interaction0"],
        "w1": w1,
        "n2": n2,
        "i2": entry["interaction3"],
        "w2": w2,
        "call1": i1,
        "call2": i2,
    }


def test_a_retrying_entry_holds_back_only_its_own_record(outbox: Outbox) -> None:
    e = _calls_and_notes(outbox)
    sender = FakeSender()
    sender.refuse_key[e["i1"]] = ServerFailed(500, "internal", "boom")
    with pytest.raises(ServerFailed):  # the pass reports that something must be retried
        outbox.send_pending(sender)
    # the other record went through, in its order; call 1's wrap-up was not even tried
    assert [k for _, _, _, k in sender.received] == [e["n2"], e["i2"], e["w2"]]
    assert e["w1"] not in sender.tried
    assert outbox.status() == OutboxStatus(pending=2, dead_letters=0, retrying=1)
    assert outbox.dead_letters() == []
    del sender.refuse_key[e["i1"]]
    assert outbox.send_pending(sender) == 2
    assert [k for _, _, _, k in sender.received][3:] == [e["i1"], e["w1"]]


def test_a_permanent_refusal_becomes_a_dead_letter_and_holds_back_its_record(
    outbox: Outbox,
) -> None:
    e = _calls_and_notes(outbox)
    sender = FakeSender()
    sender.refuse_key[e["i1"]] = ApiError(422, "invalid_input", "outcome: not a valid outcome")
    assert outbox.send_pending(sender) == 3  # no error: nothing is left to retry
    assert [k for _, _, _, k in sender.received] == [e["n2"], e["i2"], e["w2"]]
    [dead] = outbox.dead_letters()
    assert isinstance(dead, DeadLetter)
    assert (dead.id, dead.kind, dead.record_key, dead.status) == (
        e["i1"],
        "interaction",
        f"call:{e['call1']}",
        422,
    )
    assert dead.error == "422 invalid_input: outcome: not a valid outcome"
    assert dead.created_at.tzinfo is not None
    assert dead.failed_at is not None
    assert outbox.dead_letter_count() == 1
    assert outbox.status() == OutboxStatus(pending=1, dead_letters=1)  # w1 waits
    assert outbox.send_pending(sender) == 0  # still held back by its dead interaction
    assert e["w1"] not in sender.tried


def test_retry_puts_a_dead_letter_back_in_its_place(outbox: Outbox) -> None:
    e = _calls_and_notes(outbox)
    sender = FakeSender()
    sender.refuse_key[e["i1"]] = ApiError(404, "not_found", "No such contact.")
    outbox.send_pending(sender)
    woken: list[bool] = []
    outbox.on_enqueued(lambda: woken.append(True))
    del sender.refuse_key[e["i1"]]
    assert outbox.retry_dead_letter(e["i1"]) is True
    assert woken == [True]  # the sender is woken at once
    assert outbox.dead_letter_count() == 0
    assert outbox.send_pending(sender) == 2
    assert [k for _, _, _, k in sender.received][3:] == [e["i1"], e["w1"]]  # order kept
    assert outbox.retry_dead_letter(e["i1"]) is False  # not a dead letter (any more)
    assert outbox.retry_dead_letter("no-such-id") is False


def test_discard_drops_a_dead_letter_logs_it_and_frees_its_record(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    e = _calls_and_notes(outbox)
    sender = FakeSender()
    sender.refuse_key[e["i1"]] = ApiError(422, "invalid_input", "bad")
    outbox.send_pending(sender)
    with caplog.at_level(logging.INFO, logger="homeagent.crm.outbox"):
        assert outbox.discard_dead_letter(e["i1"]) is True
    assert any("discarded" in r.getMessage() and e["i1"] in r.getMessage() for r in caplog.records)
    assert outbox.dead_letters() == []
    assert outbox.status().dead_letters == 0
    assert outbox.send_pending(sender) == 1  # the wrap-up is no longer held back
    assert sender.received[-1][3] == e["w1"]
    assert outbox.discard_dead_letter(e["i1"]) is False
    assert [i.id for i in outbox.items("discarded")] == [e["i1"]]  # kept apart, not "sent"


def test_dead_letters_and_holds_survive_a_restart(tmp_path: Path) -> None:
    store = LocalStore.open(KEY, tmp_path)
    outbox = Outbox(store)
    e = _calls_and_notes(outbox)
    sender = FakeSender()
    sender.refuse_key[e["i1"]] = ApiError(422, "invalid_input", "bad")
    outbox.send_pending(sender)
    before = outbox.dead_letters()
    store.close()

    store = LocalStore.open(KEY, tmp_path)
    try:
        outbox = Outbox(store)
        assert outbox.dead_letters() == before
        sender = FakeSender()
        assert outbox.send_pending(sender) == 0  # w1 is still held back after the restart
        assert outbox.retry_dead_letter(e["i1"])
        assert outbox.send_pending(sender) == 2
        assert [k for _, _, _, k in sender.received] == [e["i1"], e["w1"]]
    finally:
        store.close()


def test_error_summary_and_log_hold_no_phone_number(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    key = outbox.enqueue("contact", "POST", "/contacts", {"id": "c9", "phones": ["0612345678"]})
    sender = FakeSender()
    sender.refuse["/contacts"] = ApiError(
        422, "invalid_phone", "'+33612345678' is not an E.164 number (+33123456789)."
    )
    with caplog.at_level(logging.DEBUG):
        outbox.send_pending(sender)
    [dead] = outbox.dead_letters()
    assert dead.id == key
    assert dead.status == 422
    for text in [dead.error, outbox.items("failed")[0].last_error] + [
        r.getMessage() for r in caplog.records
    ]:
        assert "33612345678" not in text
        assert "612345678" not in text
    assert "invalid_phone" in dead.error


def test_a_refused_state_change_does_not_hold_back_the_next_one(outbox: Outbox) -> None:
    first = outbox.set_agent_state("wrap_up")
    outbox.set_agent_state("available")
    sender = FakeSender()
    sender.refuse_key[first] = ApiError(409, "invalid_transition", "not allowed")
    assert outbox.send_pending(sender) == 1
    assert sender.received[-1][2] == {"state": "available", "reason": ""}
    assert [d.id for d in outbox.dead_letters()] == [first]


def test_a_retrying_state_change_holds_back_the_next_one(outbox: Outbox) -> None:
    first = outbox.set_agent_state("break", "lunch")
    outbox.set_agent_state("available")
    sender = FakeSender()
    sender.refuse_key[first] = ServerFailed(500, "internal", "boom")
    with pytest.raises(ServerFailed):
        outbox.send_pending(sender)
    assert sender.received == []
    assert sender.tried == [first]


@pytest.mark.parametrize(
    ("error", "dead"),
    [
        (ApiError(400, "bad_request", "x"), True),
        (ApiError(403, "forbidden", "This needs the role agent."), True),
        (ApiError(404, "not_found", "x"), True),
        (ApiError(409, "conflict", "This note id is already used."), True),
        (ApiError(409, "idempotency_conflict", "x"), True),
        (ApiError(409, "idempotency_in_progress", "retry"), False),
        (ApiError(408, "timeout", "x"), False),
        (ApiError(422, "invalid_input", "x"), True),
        (ApiError(425, "too_early", "x"), False),
        (ServerFailed(500, "internal", "x"), False),
    ],
)
def test_which_refusals_are_dead_letters(outbox: Outbox, error: ClientError, dead: bool) -> None:
    key = outbox.add_note("c1", "x")
    other = outbox.add_note("c2", "y")
    sender = FakeSender()
    sender.refuse_key[key] = error
    if dead:
        assert outbox.send_pending(sender) == 1
        assert [d.id for d in outbox.dead_letters()] == [key]
    else:
        with pytest.raises(type(error)):
            outbox.send_pending(sender)
        assert outbox.dead_letters() == []
        assert outbox.status().retrying == 1
    assert sender.received[-1][3] == other  # never holds back another record


@pytest.mark.parametrize(
    "error",
    [
        ServerUnreachable("connection refused"),
        AuthenticationFailed(401, "invalid_refresh_token", "x"),
        ApiError(429, "too_many_requests", "slow down"),
        ServerFailed(503, "unavailable", "x"),
    ],
)
def test_errors_about_the_whole_server_stop_the_pass_and_dead_letter_nothing(
    outbox: Outbox, error: ClientError
) -> None:
    key = outbox.add_note("c1", "x")
    outbox.add_note("c2", "y")
    sender = FakeSender()
    sender.refuse_key[key] = error
    with pytest.raises(type(error)):
        outbox.send_pending(sender)
    assert sender.tried == [key]  # stopped: no point trying the rest now
    assert outbox.dead_letters() == []
    assert outbox.status().pending == 2


def test_sender_status_carries_the_dead_letter_count(outbox: Outbox) -> None:
    sender = FakeSender()
    statuses: list[OutboxStatus] = []
    worker = OutboxSender(outbox, sender, on_status=statuses.append, retry_s=0.05)
    sender.refuse["/callbacks/cb1"] = ApiError(404, "not_found", "No such callback.")
    worker.start()
    try:
        outbox.update_callback("cb1", "done")
        outbox.add_note("c1", "n")
        wait_until(lambda: statuses and statuses[-1] == OutboxStatus(0, 1), timeout_s=5)
    finally:
        worker.stop()


def test_sender_thread_retries_an_entry_the_server_failed(outbox: Outbox) -> None:
    """A 500 for one entry (not a network error) is retried with backoff, not forgotten."""
    sender = FakeSender()
    worker = OutboxSender(outbox, sender, retry_s=0.05)
    key = outbox.add_note("c1", "n")
    sender.refuse_key[key] = ServerFailed(500, "internal", "boom")
    worker.start()
    try:
        wait_until(lambda: sender.tried.count(key) >= 2, timeout_s=5)
        del sender.refuse_key[key]
        wait_until(lambda: outbox.status() == OutboxStatus(0, 0), timeout_s=5)
    finally:
        worker.stop()


def test_entries_of_an_older_cache_keep_their_order_and_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A v2 cache (before dead letters): its failed entry becomes a dead letter whose
    status is unknown, its pending ones are sent, keyed like new ones."""
    from homeagent.crm import db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:2])
    store = LocalStore.open(KEY, tmp_path)
    store.db.execute(
        "INSERT INTO outbox (id, kind, method, path, body, created_at, status, last_error) "
        "VALUES ('k1', 'callback', 'PATCH', '/callbacks/cb1', '{}', "
        "'2026-11-20T10:00:00.000000Z', 'failed', 'already closed')"
    )
    store.db.execute(
        "INSERT INTO outbox (id, kind, method, path, body, created_at) "
        "VALUES ('k2', 'callback', 'PATCH', '/callbacks/cb1', '{}', '2026-11-20T10:01:00.000000Z')"
    )
    store.close()
    monkeypatch.undo()
    store = LocalStore.open(KEY, tmp_path)
    try:
        outbox = Outbox(store)
        [dead] = outbox.dead_letters()
        assert (dead.id, dead.record_key, dead.status) == ("k1", "callback:cb1", None)
        assert dead.error == "already closed"
        sender = FakeSender()
        assert outbox.send_pending(sender) == 0  # k2 waits behind its record's dead letter
        outbox.discard_dead_letter("k1")
        assert outbox.send_pending(sender) == 1
    finally:
        store.close()


def test_dead_letters_survive_kill_9_mid_write(tmp_path: Path) -> None:
    """What was reported dead (or discarded) before a kill -9 is so after it, and no
    dead letter is half-written (its status and time always come with it)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.unit.crm.outbox_refuser",
            "--data-dir",
            str(tmp_path),
            "--key-hex",
            KEY.hex(),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[3],
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        while len(lines) < 40:
            line = proc.stdout.readline()
            assert line, "the writer stopped"
            lines.append(line.split())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
    store = LocalStore.open(KEY, tmp_path)
    try:
        outbox = Outbox(store)
        status = {i.id: i.status for i in outbox.items()}
        for _word, item_id in lines:
            assert status[item_id] in {"failed", "discarded"}
        discarded = {item_id for word, item_id in lines if word == "discarded"}
        assert discarded
        assert all(status[i] == "discarded" for i in discarded)
        for item in outbox.items("failed"):
            assert (item.failed_status, item.failed_code) == (422, "invalid_input")
            assert item.failed_at is not None
        assert outbox.dead_letter_count() == len(outbox.dead_letters()) >= 1
    finally:
        store.close()


def test_an_unexpected_error_on_one_entry_holds_back_only_its_record(outbox: Outbox) -> None:
    """E.g. a 2xx whose body is not JSON: the entry is retried later, the others go."""
    key = outbox.add_note("c1", "x")
    other = outbox.add_note("c2", "y")
    sender = FakeSender()
    sender.refuse_key[key] = ValueError("Expecting value: line 1 column 1")  # type: ignore[assignment]
    with pytest.raises(ValueError, match="Expecting value"):
        outbox.send_pending(sender)
    assert [k for _, _, _, k in sender.received] == [other]
    assert outbox.status() == OutboxStatus(pending=1, dead_letters=0, retrying=1)
