"""A lead changes an agent's state remotely (Finesse-style: after the current call)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.server import audit, schemas
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx, Principal
from homeagent.server.errors import ApiError
from homeagent.server.models import PauseReason, User, utcnow
from homeagent.server.routers.agents import state_out
from homeagent.server.state import (
    CALL_STATES,
    RONA_REASON,
    change_state,
    clear_pending,
    pending_payload,
    publish_pending,
    status_of,
)

router = APIRouter(tags=["agents"])
AgentId = Annotated[str, Path(min_length=1, max_length=36)]


def team_agent(s: Session, p: Principal, agent_id: str) -> User:
    """An agent of the lead's team (any team for an admin); 404 for anyone else's."""
    p.require(TEAM_LEAD, ADMIN)
    agent = s.get(User, agent_id)
    if (
        agent is None
        or agent.role != AGENT
        or (not p.is_admin and (p.team_id is None or agent.team_id != p.team_id))
    ):
        raise ApiError(404, "not_found", "No such agent in your team.")
    return agent


def _checked_reason(s: Session, agent: User, body: schemas.RemoteStateIn) -> str:
    state = AgentState(body.state)
    if state is AgentState.OFFLINE:
        return ""
    if state is AgentState.NOT_READY:
        if body.reason == RONA_REASON:
            raise ApiError(
                422,
                "reserved_reason",
                f"'{RONA_REASON}' marks a call that rang out; give another reason.",
            )
        return body.reason
    allowed = set(s.scalars(select(PauseReason.label).where(PauseReason.team_id == agent.team_id)))
    if body.reason not in allowed:
        raise ApiError(
            422,
            "unknown_pause_reason",
            f"'{body.reason}' is not a pause reason of this team ({', '.join(sorted(allowed))}).",
        )
    return body.reason


@router.post("/agents/{agent_id}/state", response_model=schemas.RemoteStateOut)
def set_agent_state(
    agent_id: AgentId, body: schemas.RemoteStateIn, p: Auth, ctx: Ctx
) -> schemas.RemoteStateOut:
    """Set an agent's state: now, or — during a call — once the call and its wrap-up end.

    A pending change replaces an earlier pending one. Audited either way.
    """
    with ctx.db.write() as s:
        agent = team_agent(s, p, agent_id)
        lead = s.get(User, p.user_id)
        assert lead is not None
        reason = _checked_reason(s, agent, body)
        row = status_of(s, agent, lock=True)
        before = row.state
        if before == AgentState.OFFLINE.value and body.state != AgentState.OFFLINE.value:
            raise ApiError(409, "agent_offline", "The agent is signed out: nothing to change.")
        detail: dict[str, object] = {
            "state": body.state,
            "reason": reason,
            "note": body.note,
            "from": before,
        }
        if AgentState(before) in CALL_STATES:
            if row.pending_state is not None:
                detail["replaced"] = {"state": row.pending_state, "reason": row.pending_reason}
            row.pending_state, row.pending_reason, row.pending_note = body.state, reason, body.note
            row.pending_by_id, row.pending_at = lead.id, utcnow()
            publish_pending(s, agent, row)
            applied = False
        else:
            if row.pending_state is not None:  # cannot outlive a call; never left behind
                clear_pending(row)
                publish_pending(s, agent, row, "cancelled")
            row = change_state(
                s, agent, AgentState(body.state), reason, check_reason=False, by=lead,
                note=body.note,
            )  # fmt: skip
            applied = True
        detail["applied"] = applied
        audit.record(
            s,
            actor_id=lead.id,
            team_id=agent.team_id,
            action="state_change",
            agent_id=agent.id,
            detail=detail,
        )
        out = state_out(s, row)
        return schemas.RemoteStateOut(applied=applied, state=out, pending=out.pending)


@router.delete("/agents/{agent_id}/pending-state", response_model=schemas.RemoteStateOut)
def cancel_pending_state(agent_id: AgentId, p: Auth, ctx: Ctx) -> schemas.RemoteStateOut:
    """Cancel a lead's change still waiting for the end of the agent's call (audited)."""
    with ctx.db.write() as s:
        agent = team_agent(s, p, agent_id)
        row = status_of(s, agent, lock=True)
        cancelled = pending_payload(s, row)
        if cancelled is None:
            raise ApiError(
                404,
                "no_pending_state",
                "No state change is waiting for this agent (it may just have been applied).",
            )
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=agent.team_id,
            action="state_change_cancelled",
            agent_id=agent.id,
            detail={
                "state": row.pending_state,
                "reason": row.pending_reason,
                "note": row.pending_note,
                "by": row.pending_by_id,
            },
        )
        clear_pending(row)
        publish_pending(s, agent, row, "cancelled")
        return schemas.RemoteStateOut(applied=False, state=state_out(s, row), pending=None)
