"""Diagnostics bundles: asked for by a lead or IT, sent by the agent, read by lead and IT."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import pytest

from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session, SseReader

ZIP = {"Content-Type": "application/zip"}


def bundle(extra: bytes = b"", *, manifest: object | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.jsonl", b'{"event": "x"}\n' + extra)
        body = (
            manifest if manifest is not None else {"format": 1, "files": [{"name": "events.jsonl"}]}
        )
        zf.writestr("manifest.json", json.dumps(body))
    return out.getvalue()


def test_a_lead_asks_the_agent_sends_and_lead_and_it_read_it(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1, lead, admin, lead_b = (sessions(n) for n in ("agent_a1", "lead_a", "admin", "lead_b"))
    agent_s = SseReader(server.url, a1.tokens["access_token"])
    lead_s = SseReader(server.url, lead.tokens["access_token"])
    try:
        r = lead.client.post(f"/agents/{a1.user_id}/diagnostics/requests", json={"note": "écho"})
        assert r.status_code == 201, r.text
        asked = r.json()
        assert (asked["status"], asked["note"], asked["requested_by"]["id"]) == (
            "pending", "écho", lead.user_id,
        )  # fmt: skip
        event = agent_s.wait_for("diagnostics_requested").data
        assert event["id"] == asked["id"]
        assert event["requested_by"]["name"] == "lead_a"
        again = lead.client.post(f"/agents/{a1.user_id}/diagnostics/requests", json={})
        assert again.json()["id"] == asked["id"]  # still pending: the same request
        pending = a1.client.get("/agents/me/diagnostics/requests").json()
        assert [p["id"] for p in pending] == [asked["id"]]

        content = bundle()
        r = a1.client.post(
            "/agents/me/diagnostics",
            params={"request_id": asked["id"]},
            content=content,
            headers=ZIP,
        )
        assert r.status_code == 201, r.text
        sent = r.json()
        assert (sent["agent_id"], sent["request_id"], sent["size_bytes"]) == (
            a1.user_id, asked["id"], len(content),
        )  # fmt: skip
        assert sent["manifest"]["files"] == [{"name": "events.jsonl"}]
        answered = lead_s.wait_for("diagnostics_answered").data
        assert (answered["status"], answered["bundle_id"]) == ("sent", sent["id"])
        assert a1.client.get("/agents/me/diagnostics/requests").json() == []

        for reader in (lead, admin):
            listed = reader.client.get("/diagnostics", params={"agent_id": a1.user_id}).json()
            assert sent["id"] in [b["id"] for b in listed]
            got = reader.client.get(f"/diagnostics/{sent['id']}")
            assert got.status_code == 200
            assert got.content == content
            assert got.headers["content-type"] == "application/zip"
            assert "attachment" in got.headers["content-disposition"]
        # another team's lead and the agent itself cannot read it
        assert lead_b.client.get(f"/diagnostics/{sent['id']}").status_code == 404
        assert sent["id"] not in [b["id"] for b in lead_b.client.get("/diagnostics").json()]
        assert a1.client.get(f"/diagnostics/{sent['id']}").status_code == 403
        assert a1.client.get("/diagnostics").status_code == 403
        # the request cannot be answered twice
        r = a1.client.post(f"/agents/me/diagnostics/requests/{asked['id']}/decline")
        assert r.status_code == 409
    finally:
        agent_s.close()
        lead_s.close()


def test_who_may_ask_whom(server: Server, sessions: Callable[[str], Session]) -> None:
    a1, a2, lead_b, admin = (sessions(n) for n in ("agent_a1", "agent_a2", "lead_b", "admin"))
    # an agent cannot ask, a lead only in their team, an admin anyone
    assert a2.client.post(f"/agents/{a1.user_id}/diagnostics/requests", json={}).status_code == 403
    r = lead_b.client.post(f"/agents/{a1.user_id}/diagnostics/requests", json={})
    assert r.status_code == 404
    r = admin.client.post(f"/agents/{a1.user_id}/diagnostics/requests", json={"note": "x" * 501})
    assert r.status_code == 422
    r = admin.client.post(f"/agents/{a2.user_id}/diagnostics/requests", json={})
    assert r.status_code == 201
    # an agent answers only their own requests
    other = a1.client.post(f"/agents/me/diagnostics/requests/{r.json()['id']}/decline")
    assert other.status_code == 404
    r2 = a1.client.post(
        "/agents/me/diagnostics",
        params={"request_id": r.json()["id"]},
        content=bundle(),
        headers=ZIP,
    )
    assert r2.status_code == 404


def test_declining_tells_whoever_asked(server: Server, sessions: Callable[[str], Session]) -> None:
    a2, admin = sessions("agent_a2"), sessions("admin")
    admin_s = SseReader(server.url, admin.tokens["access_token"])
    try:
        pending = a2.client.get("/agents/me/diagnostics/requests").json()
        asked = (
            pending[0]
            if pending
            else admin.client.post(f"/agents/{a2.user_id}/diagnostics/requests", json={}).json()
        )
        r = a2.client.post(f"/agents/me/diagnostics/requests/{asked['id']}/decline")
        assert r.status_code == 200
        assert r.json()["status"] == "declined"
        ev = admin_s.wait_for("diagnostics_answered").data
        assert (ev["id"], ev["status"], ev["bundle_id"]) == (asked["id"], "declined", None)
    finally:
        admin_s.close()


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"", ZIP, 422, "invalid_bundle"),
        (b"PK\x03\x04 not really a zip", ZIP, 422, "invalid_bundle"),
        (bundle(), {"Content-Type": "application/json"}, 415, "unsupported_media_type"),
        (bundle(manifest=["no", "files"]), ZIP, 422, "invalid_bundle"),
    ],
    ids=["empty", "not-a-zip", "wrong-type", "bad-manifest"],
)
def test_what_is_not_a_bundle_is_refused(
    server: Server,
    sessions: Callable[[str], Session],
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    r = sessions("agent_b1").client.post("/agents/me/diagnostics", content=content, headers=headers)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_a_zip_without_manifest_or_a_bomb_is_refused(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a = sessions("agent_b1")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.jsonl", b"x")
    assert (
        a.client.post("/agents/me/diagnostics", content=out.getvalue(), headers=ZIP).status_code
        == 422
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", '{"files": []}')
        zf.writestr("zeros", b"\0" * (65 * 1024 * 1024))  # ~65 KB compressed
    r = a.client.post("/agents/me/diagnostics", content=bomb.getvalue(), headers=ZIP)
    assert r.status_code == 422
    assert "too much" in r.json()["error"]["message"]


def test_a_bundle_larger_than_the_json_limit_is_taken(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    import os

    content = bundle(os.urandom(1_500_000))  # over the 1 MiB of the JSON routes
    r = sessions("agent_b1").client.post("/agents/me/diagnostics", content=content, headers=ZIP)
    assert r.status_code == 201, r.text
    assert r.json()["size_bytes"] == len(content)
