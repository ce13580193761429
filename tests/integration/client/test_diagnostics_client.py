"""The desk's and the console's diagnostics calls through `ServerClient` against the real
server over HTTPS: a lead asks, the agent's client reads the request, sends the zip (a
real bundle) or declines; a server that is down is `ServerUnreachable` (the desk keeps the
report)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.desktop.diag_bundle import Sources, build
from tests.integration.client.conftest import lead_client
from tests.integration.client.realserver import ServerInstance

pytestmark = pytest.mark.integration


def test_request_send_decline_through_the_real_client(tmp_path: Path) -> None:
    server = ServerInstance(tmp_path / "server")
    lead_id = server.create_user("lena", "team_lead", "Ventes")
    agent_id = server.create_user("alice", "agent", "Ventes")
    assert lead_id
    server.start()
    lead = agent = None
    try:
        lead, agent = lead_client(server, "lena"), lead_client(server, "alice")
        asked = lead.request_diagnostics(agent_id, "coupures")
        assert (asked["status"], asked["note"]) == ("pending", "coupures")
        pending = agent.pending_diagnostics_requests()
        assert [p["id"] for p in pending] == [asked["id"]]
        data = tmp_path / "data"
        data.mkdir()
        (data / "events.jsonl").write_text('{"ts": "2026-12-02T10:00:00Z", "event": "x"}\n')
        bundle = build(tmp_path / "b.zip", Sources(data_dir=data), now=dt.datetime.now(dt.UTC))
        content = bundle.path.read_bytes()
        sent = agent.send_diagnostics(content, asked["id"])
        assert (sent["request_id"], sent["size_bytes"]) == (asked["id"], len(content))
        assert {f["name"] for f in sent["manifest"]["files"]} >= {"versions.json", "events.jsonl"}
        assert agent.pending_diagnostics_requests() == []
        with pytest.raises(ApiError) as refused:
            agent.decline_diagnostics(asked["id"])
        assert (refused.value.status, refused.value.code) == (409, "already_answered")
        again = lead.request_diagnostics(agent_id)
        assert agent.decline_diagnostics(again["id"])["status"] == "declined"
        listed = lead.get("/diagnostics", {"agent_id": agent_id})
        assert [b["id"] for b in listed] == [sent["id"]]
        zipped = tmp_path / "got.zip"
        zipped.write_bytes(lead._raw("GET", f"/diagnostics/{sent['id']}", headers={
            "Authorization": f"Bearer {lead._ensure_token()}"}).content)  # fmt: skip
        with zipfile.ZipFile(zipped) as zf:
            assert "manifest.json" in zf.namelist()
        server.stop()
        with pytest.raises(ServerUnreachable):
            agent.send_diagnostics(content)
    finally:
        for client in (lead, agent):
            if client is not None:
                client.close()
        server.stop()
