"""Agent state: set my state, read a team's live states, read history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.server import schemas
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.models import AgentStatus, StateHistory, Team, User, utcnow
from homeagent.server.state import (
    RONA_REASON,
    UNVERIFIED_REASON,
    call_behind,
    change_state,
    pending_payload,
    state_payload,
    status_of,
)

router = APIRouter(tags=["agents"])


def state_out(s: Session, row: AgentStatus) -> schemas.StateOut:
    """The agent's state as `agent_state` tells it, plus a lead's pending change."""
    return schemas.StateOut.model_validate(
        {**state_payload(s, row), "since": row.since, "pending": pending_payload(s, row)}
    )


@router.put("/agents/me/state", response_model=schemas.StateOut)
def set_my_state(body: schemas.StateIn, p: Auth, ctx: Ctx) -> schemas.StateOut:
    """Change my presence (Break needs one of my team's pause reasons).

    The call states follow the calls. Ringing is set by the queue (the desk's echo of it
    changes nothing). On-call is taken as the desk says (outbound and direct calls pass no
    queue), but leaving it is checked: wrap-up needs a call behind the on-call time (a
    queue offer, or the call the desk logged first), else 409 `no_call`; going elsewhere
    without one marks that on-call segment `unverified` in the history leads read.
    Not ready "missed" from Available is a direct call that rang out at the desk: the
    server records the ringing it never saw, then the RONA.
    """
    p.require(AGENT, TEAM_LEAD)
    with ctx.db.write() as s:
        agent = s.get(User, p.user_id)
        assert agent is not None
        row = status_of(s, agent, lock=True)  # a lead's change cannot slip in between
        if body.state is AgentState.RINGING:
            return state_out(s, row)
        leaving_call = (
            row.state == AgentState.ON_CALL.value and body.state is not AgentState.ON_CALL
        )
        backed = not leaving_call or call_behind(s, agent.id, row.since)
        if body.state is AgentState.WRAP_UP and leaving_call and not backed:
            raise ApiError(
                409,
                "no_call",
                "No call backs this on-call time: log the call (POST /interactions) first.",
            )
        if (
            body.state is AgentState.NOT_READY
            and body.reason == RONA_REASON
            and row.state == AgentState.AVAILABLE.value
        ):
            # A direct call rang out at the desk (its engine's ring timeout): no queue
            # offer told the server it rang, so record that ringing, then the RONA.
            change_state(s, agent, AgentState.RINGING)
        segment = None
        if not backed:
            segment = s.scalar(
                select(StateHistory)
                .where(StateHistory.agent_id == agent.id, StateHistory.ended_at.is_(None))
                .order_by(StateHistory.id.desc())
                .limit(1)
            )
        row = change_state(s, agent, body.state, body.reason)
        if segment is not None and segment.state == AgentState.ON_CALL.value:
            segment.reason = UNVERIFIED_REASON
        return state_out(s, row)


@router.get("/agents/me/state", response_model=schemas.StateOut)
def my_state(p: Auth, ctx: Ctx) -> schemas.StateOut:
    p.require(AGENT, TEAM_LEAD)
    with ctx.db.write() as s:
        agent = s.get(User, p.user_id)
        assert agent is not None
        return state_out(s, status_of(s, agent))


@router.get("/teams/{team_id}/agents", response_model=list[schemas.AgentLiveOut])
def team_agents(team_id: str, p: Auth, ctx: Ctx) -> list[schemas.AgentLiveOut]:
    """Live states of a team's agents (its team lead, or an admin)."""
    p.require(TEAM_LEAD, ADMIN)
    p.require_team(team_id)
    with ctx.db.read() as s:
        if s.get(Team, team_id) is None:
            raise ApiError(404, "not_found", "No such team.")
        rows = s.execute(
            select(User, AgentStatus)
            .outerjoin(AgentStatus, AgentStatus.agent_id == User.id)
            .where(User.team_id == team_id, User.role == AGENT)
            .order_by(User.name)
        ).all()
        out = []
        for user, st in rows:
            live = state_out(s, st).model_dump() if st is not None else {
                "agent_id": user.id, "state": AgentState.OFFLINE, "reason": "", "since": utcnow()
            }  # fmt: skip
            out.append(schemas.AgentLiveOut(**live, name=user.name, display_name=user.display_name))
        return out


@router.get("/agents/{agent_id}/state-history", response_model=list[schemas.StateHistoryOut])
def state_history(
    agent_id: str,
    p: Auth,
    ctx: Ctx,
    day: Annotated[schemas.Day | None, Query(description="YYYY-MM-DD (UTC); default today")] = None,
) -> list[schemas.StateHistoryOut]:
    """State segments of one agent for one day (own, the team lead, or an admin)."""
    with ctx.db.read() as s:
        p.readable_agent(s, agent_id)  # refused before anything is read
        start = datetime.combine(day or utcnow().date(), datetime.min.time())
        rows = s.scalars(
            select(StateHistory)
            .where(
                StateHistory.agent_id == agent_id,
                StateHistory.started_at >= start,
                StateHistory.started_at < start + timedelta(days=1),
            )
            .order_by(StateHistory.id)
        )
        return [
            schemas.StateHistoryOut(
                state=AgentState(r.state),
                reason=r.reason,
                started_at=r.started_at,
                ended_at=r.ended_at,
            )
            for r in rows
        ]
