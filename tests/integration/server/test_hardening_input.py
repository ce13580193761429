"""Hostile input at the edge: out-of-range integers, odd digits, NUL bytes, field sizes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session

TOO_BIG = str(2**63)  # one past the largest 64-bit id


@pytest.fixture(scope="module")
def agent(server: Server) -> Iterator[Session]:
    s = server.login("agent_a1")
    yield s
    s.close()


def _invalid(r: httpx.Response) -> None:
    assert r.status_code == 422, r.text
    assert set(r.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/messages", {"after_id": TOO_BIG}),
        ("GET", "/help-requests", {"after_id": TOO_BIG}),
        ("GET", "/sync/contacts", {"cursor": TOO_BIG}),
        ("GET", "/events", {"last_event_id": TOO_BIG}),
        ("POST", f"/messages/{TOO_BIG}/read", {}),
        ("POST", f"/messages/{TOO_BIG}/delivered", {}),
        ("POST", f"/messages/{TOO_BIG}/ack", {}),
        ("GET", f"/messages/{TOO_BIG}/receipts", {}),
        ("POST", f"/help-requests/{TOO_BIG}/ack", {}),
        ("POST", f"/help-requests/{TOO_BIG}/resolve", {}),
        ("POST", "/help-requests/-1/resolve", {}),
        ("GET", "/help-requests", {"status": "open\x00"}),
    ],
)
def test_integers_past_64_bits_are_422_not_500(
    agent: Session, method: str, path: str, params: dict[str, str]
) -> None:
    _invalid(agent.client.request(method, path, params=params))
    # the connection survived: the same client still gets answers
    assert agent.client.get("/me").status_code == 200


def test_last_event_id_header_past_64_bits_is_422(agent: Session) -> None:
    _invalid(agent.client.get("/events", headers={"Last-Event-ID": TOO_BIG}))


# -- item 14: phone numbers, field sizes, NUL bytes -------------------------------------


def _phones(agent: Session, *phones: str) -> httpx.Response:
    return agent.client.post("/contacts", json={"last_name": "Chiffres", "phones": list(phones)})


@pytest.mark.parametrize(
    "raw",
    [
        "+3\u0663\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits
        "+33\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e",  # Devanagari digits
        "+33 6 12 34 56 78 \u200b",  # a zero-width space
    ],
)
def test_non_ascii_digits_are_refused(agent: Session, raw: str) -> None:
    r = _phones(agent, raw)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_phone"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("\uff0b\uff13\uff13\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
         "+33612345678"),  # full-width
        ("+\U0001d7d1\U0001d7d1\U0001d7d4\U0001d7cf\U0001d7d0\U0001d7d1\U0001d7d2\U0001d7d3"
         "\U0001d7d4\U0001d7d5\U0001d7d6", "+33612345678"),  # mathematical bold digits
        ("+33 (0)1 23 45 67 89", "+33123456789"),
        ("+33(0)612345678", "+33612345678"),
    ],
)  # fmt: skip
def test_other_digit_forms_are_stored_as_e164(agent: Session, raw: str, stored: str) -> None:
    r = _phones(agent, raw)
    assert r.status_code == 201, r.text
    assert r.json()["phones"] == [stored]
    found = agent.client.get("/contacts/lookup", params={"number": raw})
    assert found.status_code == 200
    assert stored in found.json()["phones"]


@pytest.mark.parametrize(
    "body",
    [
        {"tags": ["x" * 51]},
        {"custom": {"k": "v" * 1001}},
        {"custom": {"k" * 65: "v"}},
        {"phones": ["+33612345678" + " " * 40]},
        {"first_name": "x" * 101},
    ],
)
def test_contact_field_sizes_are_capped(agent: Session, body: dict[str, object]) -> None:
    _invalid(agent.client.post("/contacts", json={"last_name": "Taille", **body}))


@pytest.mark.parametrize("path", ["/messages/to-lead", "/agents/me/call-quality", "/help-requests"])
def test_bodies_that_are_not_utf8_are_refused(agent: Session, path: str) -> None:
    r = agent.client.post(
        path,
        content='{"body": "café"}'.encode("latin-1"),
        headers={"content-type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert set(r.json()["error"]) == {"code", "message"}
    assert agent.client.get("/me").status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/contacts", {"last_name": "Nul\x00"}),
        ("/contacts", {"last_name": "Tag", "tags": ["a\x00b"]}),
        ("/contacts", {"last_name": "Champ", "custom": {"k\x00": "v"}}),
        ("/contacts", {"last_name": "Champ", "custom": {"k": "v\x00"}}),
        ("/help-requests", {"call_context": {"queue": "q"}, "text": "aide\x00"}),
        ("/messages/to-lead", {"body": "nul\x00"}),
        (
            "/agents/me/call-quality",
            {"sip_call_id": "a\x00", "mos": 4, "loss_pct": 0, "jitter_ms": 0, "rtt_ms": 0},
        ),
    ],
)
def test_nul_bytes_are_refused(agent: Session, path: str, body: dict[str, object]) -> None:
    _invalid(agent.client.post(path, json=body))


# -- item 13: a deleted contact's history ---------------------------------------------


def test_a_deleted_contacts_calls_and_notes_are_gone_too(server: Server, agent: Session) -> None:
    import uuid

    lead = server.login("lead_a")
    contact = lead.client.post("/contacts", json={"last_name": "Effacé"}).json()
    note = {"id": str(uuid.uuid4()), "contact_id": contact["id"], "text": "Client fâché"}
    assert agent.client.post("/notes", json=note).status_code == 201
    call = {
        "id": str(uuid.uuid4()),
        "contact_id": contact["id"],
        "direction": "inbound",
        "started_at": "2026-11-30T10:00:00Z",
        "outcome": "answered",
    }
    assert agent.client.post("/interactions", json=call).status_code == 201
    history = agent.client.get(f"/contacts/{contact['id']}/interactions")
    assert len(history.json()["notes"]) == 1
    assert lead.client.delete(f"/contacts/{contact['id']}").status_code == 200
    r = agent.client.get(f"/contacts/{contact['id']}/interactions")
    assert r.status_code == 404
    late = {"id": str(uuid.uuid4()), "contact_id": contact["id"], "text": "Après"}
    assert agent.client.post("/notes", json=late).status_code == 404
    # a call logged afterwards is kept for the figures, without the deleted contact
    late_call = {**call, "id": str(uuid.uuid4())}
    logged = agent.client.post("/interactions", json=late_call)
    assert logged.status_code == 201
    assert logged.json()["contact_id"] is None
    lead.close()
