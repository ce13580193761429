"""What follows an agent's change for the leads: `agent_figures` events and alert checks.

Called in the transaction of the change (state change, logged call), so a lead's board
and alerts move with it or not at all. Cheap: the figures of one agent for today (three
indexed queries) only when a figure can have changed, one event per change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.server import alerts
from homeagent.server.days import missed_in_row
from homeagent.server.events import publish
from homeagent.server.models import AgentStatus, User, utcnow
from homeagent.server.routers.figures import Tally, tallies
from homeagent.server.state import RONA_REASON
from homeagent.server.supervision_schemas import TodayOut

_REST = (AgentState.BREAK.value, AgentState.OFFLINE.value)
# leaving these changes a figure: wrap-up time, break count and time
_FIGURE_STATES = (AgentState.WRAP_UP.value, AgentState.BREAK.value)


def today_out(tally: Tally) -> TodayOut:
    """The board's `today` from the agent's tally (the figures' own definitions)."""
    figures = tally.figures(utcnow().date())
    return TodayOut(
        calls_handled=figures.calls_handled,
        avg_handle_s=figures.avg_handle_s,
        missed=figures.missed,
        missed_in_row=missed_in_row(tally.calls).count,
        breaks=figures.breaks,
    )


def publish_figures(s: Session, agent_id: str, team_id: str | None, tally: Tally) -> None:
    """`agent_figures {agent_id, today}` to the team's leads."""
    if team_id is None:
        return
    body: dict[str, Any] = {
        "agent_id": agent_id,
        "today": today_out(tally).model_dump(mode="json"),
    }
    publish(s, "agent_figures", body, to_team_id=team_id, to_role="lead")


def after_state_change(s: Session, agent: User, before: str, row: AgentStatus) -> None:
    """After `change_state` moved the agent from `before` to `row.state`."""
    if row.state in _REST:
        row.work_since = None
    elif row.work_since is None:
        row.work_since = row.since
    rona = row.state == AgentState.NOT_READY.value and row.reason == RONA_REASON
    tally = None
    if before in _FIGURE_STATES or rona:
        tally = tallies(s, [agent.id], utcnow().date())[agent.id]
        publish_figures(s, agent.id, agent.team_id, tally)
    alerts.check_agent(s, agent.id, runs=rona, tally=tally, now=row.since)


def after_call_logged(s: Session, agent_id: str, team_id: str | None) -> None:
    """After the desk logged a call (POST /interactions)."""
    tally = tallies(s, [agent_id], utcnow().date())[agent_id]
    publish_figures(s, agent_id, team_id, tally)
    alerts.check_agent(s, agent_id, runs=True, tally=tally)
