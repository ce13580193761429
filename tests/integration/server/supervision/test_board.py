"""The team lead's server side against the real server: settings, the board and days.

`homeagent-server run` on SQLite and PostgreSQL, driven over HTTP as the desk, the ACD
hook (Kamailio's credentials) and the console drive it; events read from real streams.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from homeagent.server.team_settings import DEFAULTS
from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session, SseReader
from tests.integration.server.supervision.helpers import (
    board_row,
    events_of,
    log_call,
    set_state,
    settings,
    wait_event,
)

# --- settings --------------------------------------------------------------------------


def test_settings_default_then_saved_audited_and_told_to_the_leads(
    server: Server, lead: Session, stream: SseReader
) -> None:
    team = server.org.team_a
    assert lead.client.get(f"/teams/{team}/settings").json() == DEFAULTS
    body = settings(break_over_s=1200, missed_in_row=5, long_calls_in_row=3)
    body["thresholds"]["mos"] = {"warn": 3.8, "alarm": 3.0}
    r = lead.client.put(f"/teams/{team}/settings", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == body
    assert lead.client.get(f"/teams/{team}/settings").json() == body
    ev = wait_event(stream, "team_settings", lambda d: d["team_id"] == team)
    assert ev.data == {**body, "team_id": team}
    entries = lead.client.get(f"/teams/{team}/audit").json()
    change = [e for e in entries if e["action"] == "settings_change"][-1]
    assert change["actor"] == {"id": lead.user_id, "name": "lead_a"}
    assert change["detail"]["after"] == body
    assert change["agent_id"] is None


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(colour="red"), "colour"),
        (lambda b: b["alerts"].update(break_over_s=86401), "break_over_s"),
        (lambda b: b["alerts"].update(mos_under=0.5), "mos_under"),
        (lambda b: b["thresholds"]["call_s"].update(warn=-1), "warn"),
        (lambda b: b["thresholds"].pop("missed"), "missed"),
        (lambda b: b["thresholds"]["mos"].update(warn=2.0, alarm=3.0), "mos"),
    ],
)
def test_bad_settings_are_a_clear_422_and_change_nothing(
    server: Server, lead: Session, mutate: Callable[[dict[str, Any]], None], field: str
) -> None:
    team = server.org.team_a
    before = lead.client.get(f"/teams/{team}/settings").json()
    body = copy.deepcopy(DEFAULTS)
    mutate(body)
    r = lead.client.put(f"/teams/{team}/settings", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert field in r.json()["error"]["message"]
    assert lead.client.get(f"/teams/{team}/settings").json() == before


def test_teams_admin_sees_every_team_a_lead_only_theirs(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    admin = {t["id"] for t in sessions("admin").client.get("/teams").json()}
    assert {server.org.team_a, server.org.team_b} <= admin
    mine = sessions("lead_b").client.get("/teams").json()
    assert [t["id"] for t in mine] == [server.org.team_b]
    assert "Pause café" in mine[0]["pause_reasons"]
    assert sessions("agent_a1").client.get("/teams").status_code == 403


# --- the board -------------------------------------------------------------------------


def test_board_figures_are_the_figures_of_the_figures_route(
    server: Server, lead: Session, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a3")
    set_state(agent, "available")
    log_call(agent, talk_s=120)
    log_call(agent, talk_s=30)
    log_call(agent, "missed")
    log_call(agent, "missed")
    set_state(agent, "break", "Pause café")
    set_state(agent, "available")
    team = server.org.team_a
    row = board_row(lead, team, agent.user_id)
    figures = lead.client.get(f"/figures/agents/{agent.user_id}").json()
    assert row["today"] == {
        "calls_handled": figures["calls_handled"],
        "avg_handle_s": figures["avg_handle_s"],
        "missed": figures["missed"],
        "missed_in_row": 2,
        "breaks": figures["breaks"],
    }
    assert figures["calls_handled"] == 2
    assert figures["missed"] == 2
    assert figures["breaks"]["count"] == 1
    assert row["state"] == "available"
    assert row["call"] is None
    assert row["changed_by"] is None
    assert row["pending"] is None
    assert row["network"] is None
    board = lead.client.get(f"/teams/{team}/board").json()
    assert board["team_name"] == "Équipe A"
    assert board["wrap_up_s"] == 60
    assert {r["name"] for r in board["agents"]} >= {"agent_a1", "agent_a2", "agent_a3"}
    assert "lead_a" not in {r["name"] for r in board["agents"]}


def test_a_queue_call_shows_on_the_board_and_in_agent_state(
    server: Server,
    lead: Session,
    stream: SseReader,
    sessions: Callable[[str], Session],
    acd: httpx.Client,
) -> None:
    agent = sessions("agent_a4")
    for other in ("agent_a1", "agent_a2", "agent_a3", "agent_a5", "agent_a6"):
        set_state(sessions(other), "offline")  # so the ACD offers the call to agent_a4
    set_state(agent, "available")
    call_id = f"{uuid.uuid4()}@gw"
    r = acd.get("/route", params={"queue": "file-a", "call_id": call_id})
    assert r.status_code == 200, r.text
    assert r.text == "agent_a4"
    ringing = wait_event(
        stream, "agent_state", lambda d: d["agent_id"] == agent.user_id and d["state"] == "ringing"
    )
    assert ringing.data["call"]["queue"] == "file-a"
    assert ringing.data["call"]["direction"] == "inbound"
    assert acd.get("/result", params={"call_id": call_id, "code": 200}).text == "answered"
    on_call = wait_event(
        stream, "agent_state", lambda d: d["agent_id"] == agent.user_id and d["state"] == "on_call"
    )
    assert on_call.data["call"]["started_at"] == ringing.data["call"]["started_at"]
    row = board_row(lead, server.org.team_a, agent.user_id)
    assert row["state"] == "on_call"
    assert row["call"]["queue"] == "file-a"
    assert row["call"]["direction"] == "inbound"
    log_call(agent, talk_s=1, queue="file-a", sip_call_id=call_id)
    wrap = set_state(agent, "wrap_up")
    assert wrap["state"] == "wrap_up"
    row = board_row(lead, server.org.team_a, agent.user_id)
    assert row["call"]["queue"] == "file-a"
    set_state(agent, "available")
    idle = wait_event(
        stream,
        "agent_state",
        lambda d: d["agent_id"] == agent.user_id and d["state"] == "available",
    )
    assert idle.data["call"] is None


def test_an_outbound_call_shows_its_direction_once_logged(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a3")
    set_state(agent, "available")
    on_call = set_state(agent, "on_call")  # dialled from the desk: no queue offer
    row = board_row(lead, server.org.team_a, agent.user_id)
    assert row["call"] == {"started_at": on_call["since"], "queue": "", "direction": None}
    log_call(agent, talk_s=3, direction="outbound")
    set_state(agent, "wrap_up")
    ev = wait_event(
        stream, "agent_state", lambda d: d["agent_id"] == agent.user_id and d["state"] == "wrap_up"
    )
    assert ev.data["call"]["direction"] == "outbound"
    assert ev.data["call"]["queue"] == ""
    assert board_row(lead, server.org.team_a, agent.user_id)["call"]["direction"] == "outbound"
    set_state(agent, "available")


def test_agent_figures_follow_a_logged_call_and_a_break_s_end(
    lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a5")
    set_state(agent, "available")
    before = agent.client.get(f"/figures/agents/{agent.user_id}").json()
    log_call(agent, talk_s=40)
    ev = wait_event(stream, "agent_figures", lambda d: d["agent_id"] == agent.user_id)
    assert ev.data["today"]["calls_handled"] == before["calls_handled"] + 1
    set_state(agent, "break", "Formation")
    set_state(agent, "available")
    ev = wait_event(stream, "agent_figures", lambda d: d["agent_id"] == agent.user_id)
    assert ev.data["today"]["breaks"]["count"] == before["breaks"]["count"] + 1
    # one per change: a state change that moves no figure sends none
    set_state(agent, "offline")
    set_state(agent, "available")
    assert not [
        e for e in events_of(stream, "agent_figures") if e.data["agent_id"] == agent.user_id
    ]


# --- days ------------------------------------------------------------------------------


def test_days_agree_with_the_figures(
    server: Server, lead: Session, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a5")
    set_state(agent, "available")
    log_call(agent, talk_s=90)
    team = server.org.team_a
    mine = agent.client.get(f"/agents/{agent.user_id}/day")
    assert mine.status_code == 200, mine.text
    day = mine.json()
    assert day["team"] is None
    assert len(day["agents"]) == 1
    me = day["agents"][0]
    figures = agent.client.get(f"/figures/agents/{agent.user_id}").json()
    assert me["figures"] == figures
    assert sum(me["calls_per_hour"]) == figures["calls_handled"]
    assert len(me["calls_per_hour"]) == 24
    assert len(me["handle_by_hour"]) == 24
    hour = datetime.now(UTC).hour
    assert me["calls_per_hour"][hour] >= 1
    assert me["handle_by_hour"][hour] is not None
    start = datetime.fromisoformat(f"{day['day']}T00:00:00+00:00")
    for seg in me["timeline"]:
        a, b = datetime.fromisoformat(seg["start"]), datetime.fromisoformat(seg["end"])
        assert start <= a < b <= start + timedelta(days=1)
    assert me["timeline"][-1]["state"] == "available"
    team_day = lead.client.get(f"/teams/{team}/day").json()
    team_figures = lead.client.get(f"/figures/teams/{team}").json()
    assert team_day["team"]["figures"] == team_figures
    assert sum(team_day["team"]["calls_per_hour"]) == team_figures["calls_handled"]
    assert agent.user_id in {a["agent_id"] for a in team_day["agents"]}
    other = sessions("agent_a1").client.get(f"/agents/{agent.user_id}/day")
    assert other.status_code == 403
    past = lead.client.get(f"/teams/{team}/day", params={"day": "2020-01-01"}).json()
    assert past["team"]["figures"]["calls_handled"] == 0
    assert all(a["timeline"] == [] for a in past["agents"])


def test_audit_of_another_day_is_empty(server: Server, lead: Session) -> None:
    r = lead.client.get(f"/teams/{server.org.team_a}/audit", params={"day": "2020-01-01"})
    assert r.status_code == 200
    assert r.json() == []
    bad = lead.client.get(f"/teams/{server.org.team_a}/audit", params={"day": "hier"})
    assert bad.status_code == 422
