"""The agent app's call-quality reports: validated, one a second, relayed to the leads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from homeagent.server.quality import quality_of
from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session, SseReader

GOOD = {"sip_call_id": "abc@pc", "mos": 4.2, "loss_pct": 0.5, "jitter_ms": 12.0, "rtt_ms": 48.0}


def _report(s: Session, **fields: Any) -> Any:
    return s.client.post("/agents/me/call-quality", json={**GOOD, **fields})


def test_a_report_reaches_the_team_s_leads_and_the_board_helper(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1, lead, lead_b = sessions("agent_a1"), sessions("lead_a"), sessions("lead_b")
    lead_s = SseReader(server.url, lead.tokens["access_token"])
    other_s = SseReader(server.url, lead_b.tokens["access_token"])
    try:
        r = _report(a1, mos=3.4)
        assert r.status_code == 204, r.text
        assert r.content == b""
        ev = lead_s.wait_for("call_quality").data
        assert {k: ev[k] for k in ("agent_id", "mos", "loss_pct", "jitter_ms", "rtt_ms")} == {
            "agent_id": a1.user_id, "mos": 3.4, "loss_pct": 0.5, "jitter_ms": 12.0, "rtt_ms": 48.0,
        }  # fmt: skip
        assert ev["final"] is False
        assert ev["at"].endswith("Z")
        assert [e for e in other_s.drain(0.3) if e.type == "call_quality"] == []
        time.sleep(1.05)
        assert _report(a1, mos=2.9, final=True).status_code == 204  # replaces the row
        with server.db.read() as s:
            board = quality_of(s, [a1.user_id, server.org.users["agent_a2"], a1.user_id])
        assert list(board) == [a1.user_id]
        assert (board[a1.user_id]["mos"], board[a1.user_id]["final"]) == (2.9, True)
    finally:
        lead_s.close()
        other_s.close()


def test_more_than_one_a_second_is_429_but_the_final_one_passes(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a2 = sessions("agent_a2")
    assert _report(a2).status_code == 204
    r = _report(a2)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_reports"
    assert _report(a2, final=True).status_code == 204  # the call ended: its last figures
    assert _report(a2, final=True).status_code == 429
    time.sleep(1.05)
    assert _report(a2).status_code == 204


def test_who_reports(server: Server, sessions: Callable[[str], Session]) -> None:
    assert _report(sessions("lead_b")).status_code == 204  # a lead who takes calls
    assert _report(sessions("admin")).status_code == 403


@pytest.mark.parametrize(
    "fields",
    [
        {"mos": 0.99},
        {"mos": 4.51},
        {"loss_pct": -0.1},
        {"loss_pct": 100.5},
        {"jitter_ms": 60000.5},
        {"rtt_ms": -1},
        {"mos": 10**400},  # a huge integer
        {"mos": "beaucoup"},
        {"sip_call_id": ""},
        {"sip_call_id": "x" * 256},
        {"sip_call_id": "a\x00b"},
        {"mos": None},
        {"extra": 1},
    ],
)
def test_bad_figures_are_422(
    server: Server, sessions: Callable[[str], Session], fields: dict[str, Any]
) -> None:
    agent = sessions("agent_b1")
    r = _report(agent, **fields)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"


def test_missing_figures_and_non_json_bodies_are_422(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_b1")
    assert agent.client.post("/agents/me/call-quality", json={"mos": 4.0}).status_code == 422
    good = '"sip_call_id": "c", "loss_pct": 0, "jitter_ms": 0, "rtt_ms": 0'
    for raw in (
        b"\xff\xfe{",  # not UTF-8
        ('{"sip_call_id": "caf\xe9", "mos": 4, "loss_pct": 0, "jitter_ms": 0, "rtt_ms": 0}').encode(
            "latin-1"
        ),  # Latin-1, not UTF-8
        ("{" + good + ', "mos": NaN}').encode(),
        ("{" + good + ', "mos": 1e400}').encode(),  # overflows to infinity
        ("{" + good + ', "mos": Infinity}').encode(),
        b"not json",
    ):
        r = agent.client.post(
            "/agents/me/call-quality", content=raw, headers={"content-type": "application/json"}
        )
        assert 400 <= r.status_code < 500, (raw, r.text)
        assert set(r.json()["error"]) == {"code", "message"}
