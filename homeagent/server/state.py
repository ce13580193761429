"""Agent state changes: validate against the core state machine, keep history, publish."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState, InvalidTransition, Presence
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import AgentStatus, PauseReason, StateHistory, User, utcnow

RONA_REASON = "missed"  # reason of NOT_READY after a call rang out (counted as missed)


def status_of(session: Session, agent: User) -> AgentStatus:
    """The agent's live status row (created Offline on first use)."""
    row = session.get(AgentStatus, agent.id)
    if row is None:
        row = AgentStatus(agent_id=agent.id, team_id=agent.team_id, state="offline", reason="")
        session.add(row)
        session.flush()
    return row


def state_payload(row: AgentStatus) -> dict[str, str]:
    return {
        "agent_id": row.agent_id,
        "state": row.state,
        "reason": row.reason,
        "since": iso(row.since),
    }


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def change_state(
    session: Session,
    agent: User,
    state: AgentState,
    reason: str = "",
    *,
    check_reason: bool = True,
    at: datetime | None = None,
) -> AgentStatus:
    """Move `agent` to `state`; raise ApiError 409 for a transition the machine refuses."""
    row = status_of(session, agent)
    now = at or utcnow()
    current = Presence(AgentState(row.state), row.reason, row.since.timestamp())
    if state is AgentState.BREAK and check_reason and agent.team_id is not None:
        allowed = set(
            session.scalars(select(PauseReason.label).where(PauseReason.team_id == agent.team_id))
        )
        if reason not in allowed:
            raise ApiError(
                422,
                "unknown_pause_reason",
                f"'{reason}' is not a pause reason of this team ({', '.join(sorted(allowed))}).",
            )
    try:
        after = current.to(state, reason=reason, at_s=now.timestamp())
    except InvalidTransition as exc:
        raise ApiError(409, "invalid_transition", str(exc)) from None
    if after is current:
        return row
    open_segment = session.scalar(
        select(StateHistory)
        .where(StateHistory.agent_id == agent.id, StateHistory.ended_at.is_(None))
        .order_by(StateHistory.id.desc())
        .limit(1)
    )
    if open_segment is not None:
        open_segment.ended_at = now
    session.add(
        StateHistory(
            agent_id=agent.id,
            team_id=agent.team_id,
            state=after.state.value,
            reason=after.reason,
            started_at=now,
        )
    )
    row.state, row.reason, row.since, row.team_id = (
        after.state.value,
        after.reason,
        now,
        agent.team_id,
    )
    publish(
        session,
        "agent_state",
        state_payload(row),
        to_user_id=agent.id,
        to_team_id=agent.team_id,
        to_role="lead" if agent.team_id else None,
    )
    return row
