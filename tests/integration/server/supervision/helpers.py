"""Steps and readers shared by the team-lead server tests (settings bodies, events,
logged calls, state changes, board rows)."""

from __future__ import annotations

import copy
import queue
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from homeagent.server.team_settings import DEFAULTS
from tests.integration.server.launch import Session, SseEvent, SseReader


def settings(**alerts: Any) -> dict[str, Any]:
    body = copy.deepcopy(DEFAULTS)
    body["alerts"].update(alerts)
    return body


def quiet(**on: Any) -> dict[str, Any]:
    """Every alert off but `on`."""
    return settings(**{k: None for k in DEFAULTS["alerts"]} | on)


def wait_event(
    reader: SseReader, type_: str, match: Callable[[Any], bool], timeout_s: float = 10.0
) -> SseEvent:
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {type_} event matched in {timeout_s} s")
        try:
            ev = reader.next(left)
        except queue.Empty:
            continue
        if ev.type == type_ and match(ev.data):
            return ev


def events_of(reader: SseReader, type_: str, quiet_s: float = 0.8) -> list[SseEvent]:
    return [e for e in reader.drain(quiet_s) if e.type == type_]


def log_call(
    agent: Session,
    outcome: str = "answered",
    talk_s: float = 60,
    at: datetime | None = None,
    **extra: Any,
) -> None:
    """A call logged at its end: by default an answered one began ringing talk_s + 5 s ago."""
    ago_s = talk_s + 5 if outcome == "answered" else 5
    start = at or datetime.now(UTC) - timedelta(seconds=ago_s)
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "direction": "inbound",
        "started_at": start.isoformat(),
        "outcome": outcome,
        **extra,
    }
    if outcome == "answered":
        body["answered_at"] = (start + timedelta(seconds=5)).isoformat()
        body["ended_at"] = (start + timedelta(seconds=5 + talk_s)).isoformat()
    else:
        body["ended_at"] = (start + timedelta(seconds=5)).isoformat()
    r = agent.client.post("/interactions", json=body)
    assert r.status_code == 201, r.text


def set_state(agent: Session, state: str, reason: str = "") -> dict[str, Any]:
    r = agent.client.put("/agents/me/state", json={"state": state, "reason": reason})
    assert r.status_code == 200, r.text
    return dict(r.json())


def earlier_today(minutes: int) -> datetime:
    """`minutes` ago, but today (a test run just after midnight keeps its calls today)."""
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=1, microsecond=0)
    return max(now - timedelta(minutes=minutes), midnight)


def board_row(lead: Session, team_id: str, agent_id: str) -> dict[str, Any]:
    r = lead.client.get(f"/teams/{team_id}/board")
    assert r.status_code == 200, r.text
    return next(row for row in r.json()["agents"] if row["agent_id"] == agent_id)
