"""Agent state changes: validate against the core state machine, keep history, publish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

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
CALL_STATES = (AgentState.RINGING.value, AgentState.ON_CALL.value, AgentState.WRAP_UP.value)
LONGEST_CALL = timedelta(hours=12)  # how far back the call behind a call state is looked for


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


def live_calls(session: Session, rows: Sequence[AgentStatus]) -> dict[str, dict[str, Any]]:
    """The current call of each agent in a call state: `{started_at, queue, direction}`.

    Two queries for any number of agents. The call is the ACD's latest offer to the agent
    (a queue call) or the call the desk logged (it logs one before its wrap-up); a direct
    or outbound call the desk has not logged yet shows its state's start and no direction.
    """
    busy = [r for r in rows if r.state in CALL_STATES]
    if not busy:
        return {}
    ids = [r.agent_id for r in busy]
    floor = min(r.since for r in busy) - LONGEST_CALL
    offers: dict[str, AcdOffer] = {}
    for o in session.scalars(
        select(AcdOffer)
        .where(AcdOffer.agent_id.in_(ids), AcdOffer.offered_at >= floor)
        .order_by(AcdOffer.id)
    ):
        offers[o.agent_id] = o  # the latest wins
    logged: dict[str, Interaction] = {}
    for i in session.scalars(
        select(Interaction)
        .where(Interaction.agent_id.in_(ids), Interaction.started_at >= floor)
        .order_by(Interaction.started_at)
    ):
        logged[i.agent_id] = i
    out: dict[str, dict[str, Any]] = {}
    for row in busy:
        offer, call = offers.get(row.agent_id), logged.get(row.agent_id)
        started, queue, direction = row.since, "", None
        if row.state == AgentState.RINGING.value:
            direction = "inbound"
            if offer is not None and offer.outcome == "ringing":
                started, queue = offer.offered_at, offer.queue
        elif (
            offer is not None
            and offer.outcome == "answered"
            and not _newer(call, offer)
            and (
                row.state == AgentState.WRAP_UP.value
                or offer.offered_at >= row.since - OFFER_BEFORE_CALL
            )
        ):
            started, queue, direction = offer.offered_at, offer.queue, "inbound"
        elif call is not None and call.answered_at is not None:
            # on-call: the desk logs a call at its end, so only one still open is this one;
            # wrap-up: the call it logged just before (within the clocks' difference)
            ended = call.ended_at
            since = row.since if row.state == AgentState.ON_CALL.value else row.since - CLOCK_SLACK
            if ended is None or ended >= since:
                started, queue, direction = call.started_at, call.queue, call.direction
        out[row.agent_id] = {"started_at": started, "queue": queue, "direction": direction}
    return out


def _newer(call: Interaction | None, offer: AcdOffer) -> bool:
    """Whether the desk logged a call that began after the offer (so not the queue call)."""
    return call is not None and call.started_at > offer.offered_at + CLOCK_SLACK


def live_call_payload(session: Session, row: AgentStatus) -> dict[str, Any] | None:
    """`call` of an `agent_state` event (null outside ringing, on-call and wrap-up)."""
    call = live_calls(session, [row]).get(row.agent_id)
    if call is None:
        return None
    return {**call, "started_at": iso(call["started_at"])}


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
        {**state_payload(row), "call": live_call_payload(session, row)},
        to_user_id=agent.id,
        to_team_id=agent.team_id,
        to_role="lead" if agent.team_id else None,
    )
    from homeagent.server import live  # here: live imports this module

    live.after_state_change(session, agent, current.state.value, row)
    return row
