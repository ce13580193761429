"""Agent state changes: validate against the core state machine, keep history, publish."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState, InvalidTransition, Presence
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import (
    AcdOffer,
    AgentStatus,
    Interaction,
    PauseReason,
    StateHistory,
    User,
    utcnow,
)

RONA_REASON = "missed"  # reason of NOT_READY after a call rang out (counted as missed)
UNVERIFIED_REASON = "unverified"  # an on-call segment no call turned out to be behind
OFFER_BEFORE_CALL = timedelta(minutes=10)  # a queue offer this long before backs on-call
CLOCK_SLACK = timedelta(minutes=5)  # desk and server clocks differ; calls end before wrap-up


def call_behind(session: Session, agent_id: str, since: datetime) -> bool:
    """Whether a call backs the agent's on-call time that started at `since`.

    A queue call: an offer to the agent rang or was answered shortly before. A direct or
    outbound call: the desk logged an answered call (it logs it before the wrap-up).
    """
    offer = session.scalar(
        select(AcdOffer.id)
        .where(
            AcdOffer.agent_id == agent_id,
            AcdOffer.outcome.in_(("ringing", "answered")),
            AcdOffer.offered_at >= since - OFFER_BEFORE_CALL,
        )
        .limit(1)
    )
    if offer is not None:
        return True
    call = session.scalar(
        select(Interaction.id)
        .where(
            Interaction.agent_id == agent_id,
            Interaction.answered_at.is_not(None),
            or_(Interaction.ended_at.is_(None), Interaction.ended_at >= since - CLOCK_SLACK),
        )
        .limit(1)
    )
    return call is not None


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
    from homeagent.server import live  # here: live imports this module

    publish(
        session,
        "agent_state",
        {**state_payload(row), "call": live.call_payload(session, row)},
        to_user_id=agent.id,
        to_team_id=agent.team_id,
        to_role="lead" if agent.team_id else None,
    )
    live.after_state_change(session, agent, current.state.value, row)
    return row
