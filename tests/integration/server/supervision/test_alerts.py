"""The team lead's alerts against the real server: each kind raised once, cleared, acked
and audited.

`homeagent-server run` on SQLite and PostgreSQL, driven over HTTP as the desk and the
console drive it; events read from real streams. The alert timer runs every 0.3 s
(`--alert-scan-s`), and thresholds of a second or two make the time-based alerts fire
without a scripted clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from homeagent.server.models import CallQuality, HelpRequest
from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session, SseReader
from tests.integration.server.supervision.helpers import (
    board_row,
    earlier_today,
    events_of,
    log_call,
    quiet,
    set_state,
    wait_event,
)

# --- alerts ----------------------------------------------------------------------------


def test_a_break_over_its_threshold_alerts_once_then_clears_and_ack_is_audited(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    team = server.org.team_a
    assert lead.client.put(f"/teams/{team}/settings", json=quiet(break_over_s=1)).status_code == 200
    agent = sessions("agent_a6")
    set_state(agent, "available")
    t0 = time.monotonic()
    set_state(agent, "break", "Pause café")
    raised = wait_event(stream, "alert", lambda d: d["agent_id"] == agent.user_id, timeout_s=8)
    assert 0.9 <= time.monotonic() - t0 < 5
    alert = raised.data
    assert alert["kind"] == "break_over"
    assert alert["team_id"] == team
    assert alert["agent_name"] == "agent_a6"
    assert alert["detail"]["threshold"] == 1
    assert alert["detail"]["value"] >= 1
    assert alert["cleared_at"] is None
    assert alert["acked_at"] is None
    time.sleep(1.0)  # more scans: still the one alert
    assert not [e for e in events_of(stream, "alert", 0.3) if e.data["agent_id"] == agent.user_id]
    listed = lead.client.get(f"/teams/{team}/alerts", params={"open": "true"}).json()
    assert [a["id"] for a in listed if a["agent_id"] == agent.user_id] == [alert["id"]]

    acked = lead.client.post(f"/alerts/{alert['id']}/ack")
    assert acked.status_code == 200, acked.text
    assert acked.json()["acked_by"] == {"id": lead.user_id, "name": "lead_a"}
    update_ev = wait_event(stream, "alert_updated", lambda d: d["id"] == alert["id"])
    assert update_ev.data["acked_at"] is not None
    again = lead.client.post(f"/alerts/{alert['id']}/ack")
    assert again.status_code == 200
    assert again.json()["acked_at"] == acked.json()["acked_at"]
    assert sessions("lead_b").client.post(f"/alerts/{alert['id']}/ack").status_code == 404
    assert agent.client.post(f"/alerts/{alert['id']}/ack").status_code == 403
    acks = [
        e
        for e in lead.client.get(f"/teams/{team}/audit").json()
        if e["action"] == "alert_ack" and e["detail"]["alert_id"] == alert["id"]
    ]
    assert len(acks) == 1
    assert acks[0]["agent_id"] == agent.user_id

    set_state(agent, "available")  # the break ends: the alert clears at once
    cleared = wait_event(
        stream, "alert_updated", lambda d: d["id"] == alert["id"] and d["cleared_at"] is not None
    )
    assert cleared.data["acked_at"] is not None
    assert not [
        a
        for a in lead.client.get(f"/teams/{team}/alerts", params={"open": "true"}).json()
        if a["agent_id"] == agent.user_id
    ]
    today = lead.client.get(f"/teams/{team}/alerts").json()
    assert [a["cleared_at"] is not None for a in today if a["id"] == alert["id"]] == [True]


def test_missed_calls_in_a_row_alert_at_once_and_a_handled_call_clears_it(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    team = server.org.team_a
    r = lead.client.put(f"/teams/{team}/settings", json=quiet(missed_in_row=2))
    assert r.status_code == 200
    agent = sessions("agent_a2")  # no other test logs calls for this agent
    set_state(agent, "available")
    base = earlier_today(10)

    def call(minute: int, outcome: str) -> None:
        log_call(agent, outcome, talk_s=5, at=base + timedelta(minutes=minute))

    call(0, "answered")  # a handled call first: the run starts after it
    call(1, "missed")
    assert not [e for e in events_of(stream, "alert", 0.5) if e.data["agent_id"] == agent.user_id]
    call(2, "missed")
    raised = wait_event(stream, "alert", lambda d: d["agent_id"] == agent.user_id, timeout_s=3)
    assert raised.data["kind"] == "missed_in_row"
    assert raised.data["detail"] == {"value": 2, "threshold": 2}
    call(3, "missed")  # the same run: no second alert
    assert not [e for e in events_of(stream, "alert", 0.5) if e.data["agent_id"] == agent.user_id]
    assert board_row(lead, team, agent.user_id)["today"]["missed_in_row"] == 3
    call(4, "answered")
    wait_event(
        stream,
        "alert_updated",
        lambda d: d["id"] == raised.data["id"] and d["cleared_at"] is not None,
        timeout_s=3,
    )
    assert board_row(lead, team, agent.user_id)["today"]["missed_in_row"] == 0


def test_a_run_of_long_calls_alerts_and_a_short_call_ends_it(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    team = server.org.team_a
    body = quiet(long_calls_in_row=2)
    body["thresholds"]["call_s"] = {"warn": 60, "alarm": 120}
    assert lead.client.put(f"/teams/{team}/settings", json=body).status_code == 200
    agent = sessions("agent_a6")  # no other test logs calls for this agent
    set_state(agent, "available")
    base = earlier_today(30)
    log_call(agent, talk_s=90, at=base)
    log_call(agent, "missed", at=base + timedelta(minutes=3))  # between: no matter
    assert not [e for e in events_of(stream, "alert", 0.5) if e.data["agent_id"] == agent.user_id]
    log_call(agent, talk_s=61, at=base + timedelta(minutes=5))
    raised = wait_event(stream, "alert", lambda d: d["agent_id"] == agent.user_id, timeout_s=3)
    assert raised.data["kind"] == "long_calls_in_row"
    assert raised.data["detail"] == {"value": 2, "threshold": 2, "call_s": 60}
    log_call(agent, talk_s=20, at=base + timedelta(minutes=10))
    wait_event(
        stream,
        "alert_updated",
        lambda d: d["id"] == raised.data["id"] and d["cleared_at"] is not None,
        timeout_s=3,
    )


def test_a_long_call_and_a_poor_mos_alert_and_the_call_s_end_clears_them(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    team = server.org.team_a
    body = quiet(call_over_s=1, mos_under=3.1)
    assert lead.client.put(f"/teams/{team}/settings", json=body).status_code == 200
    agent = sessions("agent_a5")
    set_state(agent, "available")
    set_state(agent, "on_call")  # a direct call: the desk says so
    # the agent app's figures (published by POST /agents/me/call-quality, another part
    # of the work), as that route stores them
    with server.db.write() as s:
        s.merge(
            CallQuality(
                agent_id=agent.user_id,
                sip_call_id="mos@gw",
                mos=2.4,
                loss_pct=8.0,
                jitter_ms=40.0,
                rtt_ms=300.0,
                final=False,
                at=datetime.now(UTC),
            )
        )
    got: dict[str, Any] = {}
    deadline = time.monotonic() + 8
    while len(got) < 2 and time.monotonic() < deadline:
        ev = wait_event(stream, "alert", lambda d: d["agent_id"] == agent.user_id, timeout_s=8)
        got[ev.data["kind"]] = ev.data
    assert set(got) == {"call_over", "mos_under"}
    assert got["mos_under"]["detail"] == {"value": 2.4, "threshold": 3.1, "sip_call_id": "mos@gw"}
    row = board_row(lead, team, agent.user_id)
    assert row["quality"]["mos"] == 2.4
    assert row["quality"]["final"] is False
    set_state(agent, "available")  # the call ends (no call logged: marked unverified)
    cleared: set[int] = set()
    while len(cleared) < 2:
        ev = wait_event(
            stream,
            "alert_updated",
            lambda d: d["agent_id"] == agent.user_id and d["cleared_at"] is not None,
            timeout_s=3,
        )
        cleared.add(ev.data["id"])
    assert cleared == {a["id"] for a in got.values()}


def test_a_waiting_help_request_alerts_until_it_is_acknowledged(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    team = server.org.team_a
    r = lead.client.put(f"/teams/{team}/settings", json=quiet(help_waiting_s=1))
    assert r.status_code == 200
    agent = sessions("agent_a1")
    set_state(agent, "available")
    help_ = agent.client.post("/help-requests", json={"call_context": {}, "text": "Aide"})
    assert help_.status_code == 201, help_.text
    raised = wait_event(stream, "alert", lambda d: d["agent_id"] == agent.user_id, timeout_s=8)
    assert raised.data["kind"] == "help_waiting"
    assert raised.data["detail"]["help_id"] == help_.json()["id"]
    # the help-request routes set the status (another part of the work): as they will
    with server.db.write() as s:
        s.execute(
            update(HelpRequest)
            .where(HelpRequest.id == help_.json()["id"])
            .values(status="acknowledged")
        )
    wait_event(
        stream,
        "alert_updated",
        lambda d: d["id"] == raised.data["id"] and d["cleared_at"] is not None,
        timeout_s=8,
    )


def test_turning_a_kind_off_clears_its_open_alerts(
    server: Server, lead: Session, stream: SseReader, sessions: Callable[[str], Session]
) -> None:
    team = server.org.team_a
    assert lead.client.put(f"/teams/{team}/settings", json=quiet(no_break_s=1)).status_code == 200
    agent = sessions("agent_a3")
    set_state(agent, "break", "Pause café")
    set_state(agent, "available")  # a new stretch of work starts
    raised = wait_event(stream, "alert", lambda d: d["agent_id"] == agent.user_id, timeout_s=8)
    assert raised.data["kind"] == "no_break"
    assert lead.client.put(f"/teams/{team}/settings", json=quiet()).status_code == 200
    wait_event(
        stream,
        "alert_updated",
        lambda d: d["id"] == raised.data["id"] and d["cleared_at"] is not None,
        timeout_s=3,
    )


def test_alerts_of_another_team_are_not_listed(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    r = sessions("lead_b").client.get(f"/teams/{server.org.team_a}/alerts")
    assert r.status_code == 403
    assert sessions("lead_b").client.post("/alerts/999999999/ack").status_code == 404
