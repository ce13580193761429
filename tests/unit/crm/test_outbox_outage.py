"""The outbox after an outage: call states that later states superseded are not replayed,
and an entry a dead server left "in progress" goes again under a new key."""

from __future__ import annotations

from pathlib import Path

import pytest

from homeagent.client.errors import (
    ApiError,
)
from homeagent.crm.outbox import Outbox
from homeagent.crm.outbox_items import OutboxStatus
from homeagent.crm.outbox_sender import OutboxSender
from homeagent.crm.store import LocalStore
from tests.helpers.procs import wait_until
from tests.unit.crm.test_outbox import KEY, FakeSender, outbox

__all__ = ["outbox"]  # the fixture


# --- after an outage: call states that later states superseded are not replayed --------


def _shift_offline(outbox: Outbox) -> list[str]:
    """What a desk queues offline for one call and a break (states and the call)."""
    return [
        outbox.set_agent_state("ringing"),
        outbox.set_agent_state("on_call"),
        outbox.log_call({"id": "i1", "direction": "inbound", "outcome": "answered"}),
        outbox.set_agent_state("wrap_up"),
        outbox.wrap_up("i1", "sale"),
        outbox.set_agent_state("available"),
        outbox.set_agent_state("break", "lunch"),
        outbox.set_agent_state("available"),
    ]


def test_after_an_outage_superseded_call_states_are_not_replayed(outbox: Outbox) -> None:
    # Replayed hours later, "on call" would tell the lead the agent is on a call now, and
    # the server refuses the stale "wrap_up" (409 no_call: the call it logged ended hours
    # before the replayed on-call time). The call arrives with its own times
    # (POST /interactions); the agent's own states (break, available) arrive, in order.
    ids = _shift_offline(outbox)
    sender = FakeSender()
    assert outbox.send_pending(sender, after_outage=True) == 5
    states = [b["state"] for _, p, b, _ in sender.received if p == "/agents/me/state"]
    assert states == ["available", "break", "available"]
    assert [p for _, p, _, _ in sender.received if p != "/agents/me/state"] == [
        "/interactions",
        "/interactions/i1/wrap-up",
    ]
    superseded = {i.id for i in outbox.items("superseded")}
    assert superseded == {ids[0], ids[1], ids[3]}
    assert outbox.status().pending == 0
    assert outbox.dead_letter_count() == 0


def test_the_last_queued_state_is_sent_even_a_call_state(outbox: Outbox) -> None:
    outbox.set_agent_state("available")
    last = outbox.set_agent_state("on_call")  # the agent is on a call as the server returns
    sender = FakeSender()
    outbox.send_pending(sender, after_outage=True)
    assert sender.received[-1][3] == last
    assert sender.received[-1][2] == {"state": "on_call", "reason": ""}


def test_online_every_state_is_sent(outbox: Outbox) -> None:
    _shift_offline(outbox)
    sender = FakeSender()
    assert outbox.send_pending(sender) == 8
    assert outbox.items("superseded") == []


def test_the_sender_replays_after_an_outage_without_the_superseded_call_states(
    outbox: Outbox,
) -> None:
    sender = FakeSender()
    sender.down = True
    statuses: list[OutboxStatus] = []
    worker = OutboxSender(outbox, sender, on_status=statuses.append, retry_s=0.05)
    worker.start()
    try:
        _shift_offline(outbox)
        wait_until(lambda: any(s.last_error for s in statuses), timeout_s=5)
        sender.down = False
        worker.wake()
        wait_until(lambda: outbox.status().pending == 0, timeout_s=5)
        states = [b["state"] for _, p, b, _ in sender.received if p == "/agents/me/state"]
        assert states == ["available", "break", "available"]
        # back to normal: the next states are all sent
        outbox.set_agent_state("ringing")
        outbox.set_agent_state("on_call")
        wait_until(lambda: outbox.status().pending == 0, timeout_s=5)
        assert sender.received[-1][2]["state"] == "on_call"
    finally:
        worker.stop()


# --- a server killed mid-request leaves its key "in progress" for good ------------------


def test_an_entry_stuck_in_progress_is_sent_again_under_a_new_key(outbox: Outbox) -> None:
    # The server was killed -9 while it ran this request: its Idempotency-Key stays
    # claimed ("in progress") until the server's records expire, and every try gets 409
    # idempotency_in_progress. After IN_PROGRESS_REKEY_AFTER such answers in a row the
    # entry goes again under a fresh key: safe, since what the outbox sends is
    # idempotent by itself (client ids, whole-state PUTs, same-value wrap-ups).
    from homeagent.crm.outbox import IN_PROGRESS_REKEY_AFTER

    stuck = outbox.set_agent_state("break", "lunch")
    outbox.set_agent_state("available")
    sender = FakeSender()
    sender.refuse_key[stuck] = ApiError(409, "idempotency_in_progress", "still running")
    for _ in range(IN_PROGRESS_REKEY_AFTER):
        with pytest.raises(ApiError):
            outbox.send_pending(sender)
    assert sender.received == []  # the later state waits behind it, in order
    assert outbox.send_pending(sender) == 2
    (first, second) = sender.received
    assert first[2] == {"state": "break", "reason": "lunch"}
    assert first[3] != stuck
    assert first[3].startswith(stuck)
    assert second[2] == {"state": "available", "reason": ""}
    assert {i.id for i in outbox.items("sent")} >= {stuck}  # the entry keeps its id


def test_a_help_request_is_never_sent_under_a_new_key(outbox: Outbox) -> None:
    # the API gives help requests no id of their own: a second key could make a second one
    from homeagent.crm.outbox import IN_PROGRESS_REKEY_AFTER

    key = outbox.help_request({"queue": "q"}, "aide")
    sender = FakeSender()
    sender.refuse_key[key] = ApiError(409, "idempotency_in_progress", "still running")
    for _ in range(IN_PROGRESS_REKEY_AFTER + 2):
        with pytest.raises(ApiError):
            outbox.send_pending(sender)
    assert set(sender.tried) == {key}


def test_the_cache_has_the_send_key_columns(tmp_path: Path) -> None:
    store = LocalStore.open(KEY, tmp_path)
    try:
        cols = {r[1] for r in store.db.execute("PRAGMA table_info(outbox)").fetchall()}
    finally:
        store.close()
    assert {"send_key", "in_progress"} <= cols
