"""Contacts, lookup, delta sync with deletions, call log, wrap-up, notes, callbacks."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.server.launch import Session


def _contact(**extra: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "first_name": "Amélie",
        "last_name": "Poulain",
        "company": "Café des Deux Moulins",
        "phones": ["+33 1 42 54 90 00"],
        "email": "amelie@exemple.fr",
        "account_ref": "CLI-0001",
        "tags": ["vip"],
        "custom": {"ville": "Paris"},
    }
    body.update(extra)
    return body


def test_create_is_idempotent_by_id_and_lookup_finds_e164(
    sessions: Callable[[str], Session],
) -> None:
    a = sessions("agent_a1")
    body = _contact(phones=["+33 6 11 22 33 44"])
    first = a.client.post("/contacts", json=body)
    assert first.status_code == 201
    assert first.json()["phones"] == ["+33611223344"]
    second = a.client.post("/contacts", json=body)
    assert second.status_code == 200
    assert second.json()["id"] == body["id"]
    found = a.client.get("/contacts/lookup", params={"number": "+33611223344"})
    assert found.status_code == 200
    assert found.json()["id"] == body["id"]
    missing = a.client.get("/contacts/lookup", params={"number": "+33699999998"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad = a.client.post("/contacts", json=_contact(phones=["01 42"]))
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_phone"


def test_search_patch_and_delete(sessions: Callable[[str], Session]) -> None:
    a, lead = sessions("agent_a1"), sessions("lead_a")
    c = a.client.post("/contacts", json=_contact(last_name="Zyxwabc")).json()
    hits = a.client.get("/contacts", params={"q": "zyxwabc"}).json()
    assert [h["id"] for h in hits] == [c["id"]]
    r = a.client.patch(f"/contacts/{c['id']}", json={"company": "Nouvelle Société"})
    assert r.status_code == 200
    assert r.json()["company"] == "Nouvelle Société"
    assert r.json()["updated_at"] >= c["updated_at"]
    assert a.client.delete(f"/contacts/{c['id']}").status_code == 403
    assert lead.client.delete(f"/contacts/{c['id']}").status_code == 200
    assert a.client.get(f"/contacts/{c['id']}").status_code == 404
    assert a.client.get("/contacts", params={"q": "zyxwabc"}).json() == []


def test_delta_sync_pages_changes_and_reports_deletions(
    sessions: Callable[[str], Session],
) -> None:
    a, lead = sessions("agent_a2"), sessions("lead_a")
    start = a.client.get("/sync/contacts", params={"limit": 1000})
    cursor = start.json()["cursor"]
    while start.json()["has_more"]:
        start = a.client.get("/sync/contacts", params={"cursor": cursor, "limit": 1000})
        cursor = start.json()["cursor"]
    made = [a.client.post("/contacts", json=_contact()).json()["id"] for _ in range(5)]
    lead.client.delete(f"/contacts/{made[0]}")
    seen: list[str] = []
    deleted: list[str] = []
    while True:
        page = a.client.get("/sync/contacts", params={"cursor": cursor, "limit": 2}).json()
        seen += [c["id"] for c in page["items"]]
        deleted += page["deleted"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == made[1:]
    assert deleted == [made[0]]
    empty = a.client.get("/sync/contacts", params={"cursor": cursor}).json()
    assert empty["items"] == []
    assert empty["deleted"] == []
    assert empty["cursor"] == cursor
    bad = a.client.get("/sync/contacts", params={"cursor": "abc"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_cursor"


def test_call_wrap_up_callback_and_history(sessions: Callable[[str], Session]) -> None:
    a, lead, other = sessions("agent_a1"), sessions("lead_a"), sessions("agent_a2")
    contact = a.client.post("/contacts", json=_contact()).json()
    now = datetime.now(UTC)
    call_id = str(uuid.uuid4())
    call = {
        "id": call_id,
        "contact_id": contact["id"],
        "direction": "inbound",
        "queue": "file-a",
        "remote_number": "+33142549000",
        "started_at": (now - timedelta(minutes=3)).isoformat(),
        "answered_at": (now - timedelta(minutes=2)).isoformat(),
        "ended_at": now.isoformat(),
        "outcome": "answered",
        "sip_call_id": "x@y",
    }
    assert a.client.post("/interactions", json=call).status_code == 201
    assert a.client.post("/interactions", json=call).status_code == 200  # retried: same row
    bad = a.client.post(f"/interactions/{call_id}/wrap-up", json={"disposition": "nope"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown_disposition"
    cb_id = str(uuid.uuid4())
    due = (now + timedelta(days=1)).isoformat()
    wrap = {
        "disposition": "callback",
        "notes": "Rappeler demain matin",
        "callback": {"id": cb_id, "due_at": due, "notes": "avant 10 h"},
    }
    r = a.client.post(f"/interactions/{call_id}/wrap-up", json=wrap)
    assert r.status_code == 200
    assert r.json()["disposition"] == "callback"
    note = {"id": str(uuid.uuid4()), "contact_id": contact["id"], "text": "Client très aimable"}
    assert a.client.post("/notes", json=note).status_code == 201
    history = a.client.get(f"/contacts/{contact['id']}/interactions").json()
    assert [i["id"] for i in history["interactions"]] == [call_id]
    assert history["interactions"][0]["notes"] == "Rappeler demain matin"
    assert [n["text"] for n in history["notes"]] == ["Client très aimable"]
    mine = a.client.get("/callbacks", params={"status": "pending"}).json()
    assert cb_id in [c["id"] for c in mine]
    assert cb_id not in [c["id"] for c in other.client.get("/callbacks").json()]
    assert cb_id in [c["id"] for c in lead.client.get("/callbacks").json()]
    assert other.client.patch(f"/callbacks/{cb_id}", json={"status": "done"}).status_code == 404
    r = a.client.patch(f"/callbacks/{cb_id}", json={"status": "done"})
    assert r.status_code == 200
    assert r.json()["status"] == "done"


def test_idempotency_key_replays_and_conflicts(sessions: Callable[[str], Session]) -> None:
    a = sessions("agent_a1")
    key = str(uuid.uuid4())
    body = _contact(id=None)
    first = a.client.post("/contacts", json=body, headers={"Idempotency-Key": key})
    again = a.client.post("/contacts", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()  # same id: the second request did not create another
    assert again.headers.get("idempotent-replayed") == "true"
    other = a.client.post(
        "/contacts", json=_contact(id=None, last_name="Autre"), headers={"Idempotency-Key": key}
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    # keys are per user: another user may use the same key
    b = sessions("agent_a2")
    r = b.client.post("/contacts", json=body, headers={"Idempotency-Key": key})
    assert r.status_code == 201
    assert r.json()["id"] != first.json()["id"]


def test_concurrent_retries_with_one_key_create_one_contact(
    sessions: Callable[[str], Session],
) -> None:
    a = sessions("agent_a1")
    key, name = str(uuid.uuid4()), f"Concurrent{uuid.uuid4().hex[:8]}"
    body = _contact(id=None, last_name=name)
    results: list[tuple[int, Any]] = []

    def post() -> None:
        r = a.client.post("/contacts", json=body, headers={"Idempotency-Key": key})
        results.append((r.status_code, r.json()))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    created = [b for status, b in results if status == 201]
    busy = [b for status, b in results if status == 409]
    assert len(created) + len(busy) == 8
    assert created, results
    assert all(b == created[0] for b in created)  # replays of the one response
    assert all(b["error"]["code"] == "idempotency_in_progress" for b in busy)
    assert len(a.client.get("/contacts", params={"q": name.lower()}).json()) == 1
