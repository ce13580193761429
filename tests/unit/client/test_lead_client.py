"""The console's client methods: the contract's paths, bodies, keys and parsed answers."""

from __future__ import annotations

import pytest

from homeagent.client.errors import ApiError, MalformedPayload
from homeagent.core.lead_settings import DEFAULT_SETTINGS
from homeagent.testing.lead_board import FakeLeadBoardServer
from tests.unit.client.test_server_client import Script, make, script, tokens_body

__all__ = ["script"]


def test_board_queues_and_settings_are_read_and_parsed(script: tuple[Script, str]) -> None:
    sc, url = script
    team = FakeLeadBoardServer(agents=2)
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("GET", "/teams/t-1/board", (200, team.board_wire()))
    sc.on("GET", "/teams/t-1/queues", (200, list(team.queues.values())))
    sc.on("GET", "/teams/t-1/settings", (200, DEFAULT_SETTINGS.to_wire()))
    sc.on("GET", "/teams", (200, [{"id": "t-1", "name": "Service client"}]))
    client = make(url)
    board = client.read_board("t-1")
    assert [r.display_name for r in board.agents] == ["Léa Moreau", "Hugo Laurent"]
    assert [q.title for q in client.read_queue_stats("t-1")] == [
        "Support Fibre",
        "Ventes",
        "Facturation",
    ]
    assert client.read_team_settings("t-1") == DEFAULT_SETTINGS
    assert client.read_teams()[0].name == "Service client"
    client.close()


def test_writes_send_the_contract_bodies(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    state = {"agent_id": "a-1", "state": "on_call", "reason": "", "since": "2026-12-01T09:00:00Z"}
    pending = {"state": "break", "reason": "Café", "by": {"id": "u-9", "name": "Claire Martin"},
               "note": "", "at": "2026-12-01T09:01:00Z"}  # fmt: skip
    sc.on(
        "POST", "/agents/a-1/state", (200, {"applied": False, "state": state, "pending": pending})
    )
    sc.on("DELETE", "/agents/a-1/pending-state", (204, None))
    sc.on("PUT", "/teams/t-1/settings", (200, DEFAULT_SETTINGS.to_wire()))
    client = make(url)
    result = client.set_agent_state_remote("a-1", "break", "Café", "")
    assert not result.applied
    assert result.pending is not None
    method, path, headers, body = sc.seen[-1]
    assert (method, path, body) == (
        "POST", "/agents/a-1/state", {"state": "break", "reason": "Café", "note": ""},
    )  # fmt: skip
    assert headers.get("Idempotency-Key")  # a retry cannot apply it twice
    client.cancel_pending_state("a-1")
    assert sc.seen[-1][:2] == ("DELETE", "/agents/a-1/pending-state")
    assert client.write_team_settings("t-1", DEFAULT_SETTINGS) == DEFAULT_SETTINGS
    assert sc.seen[-1][3] == DEFAULT_SETTINGS.to_wire()
    client.close()


def test_refusals_and_malformed_answers(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on(
        "GET",
        "/teams/t-2/board",
        (404, {"error": {"code": "not_found", "message": "No such team."}}),
    )
    sc.on("GET", "/teams/t-1/board", (200, {"team_id": "t-1"}))
    client = make(url)
    with pytest.raises(ApiError) as info:
        client.read_board("t-2")
    assert info.value.status == 404
    with pytest.raises(MalformedPayload, match="team_name: missing"):
        client.read_board("t-1")
    client.close()
