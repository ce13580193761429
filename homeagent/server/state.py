"""Agent state changes: validate against the core state machine, keep history, publish."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState, InvalidTransition, Presence
from homeagent.server import audit
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


def status_of(session: Session, agent: User, *, lock: bool = False) -> AgentStatus:
    """The agent's live status row (created Offline on first use).

    `lock`: on PostgreSQL, hold the row until commit, so that a lead's pending change and
    the agent's own change cannot interleave (one would overwrite what the other read).
    """
    locked = _locked(session)
    if (
        lock
        and agent.id not in locked
        and session.bind is not None
        and session.bind.dialect.name != "sqlite"
    ):
        row = session.get(AgentStatus, agent.id, with_for_update=True, populate_existing=True)
        locked.add(agent.id)  # held until the transaction ends: no second round trip
    else:
        row = session.get(AgentStatus, agent.id)
    if row is None:
        row = AgentStatus(agent_id=agent.id, team_id=agent.team_id, state="offline", reason="")
        session.add(row)
        session.flush()
    return row


def _locked(session: Session) -> set[str]:
    """Agents whose status row this transaction holds (FOR UPDATE)."""
    held: set[str] = session.info.setdefault("locked_agent_status", set())
    return held


def mark_locked(session: Session, agent_id: str) -> None:
    """The caller's own query took the agent's status row FOR UPDATE."""
    _locked(session).add(agent_id)


def person_ref(session: Session, user_id: str | None) -> dict[str, str] | None:
    """`{id, name}` of a user (the display name, else the login name), or None."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None:
        return {"id": user_id, "name": ""}
    return {"id": user.id, "name": user.display_name or user.name}


def pending_payload(session: Session, row: AgentStatus) -> dict[str, object] | None:
    """The lead's change waiting for the end of the agent's call, or None."""
    if row.pending_state is None:
        return None
    return {
        "state": row.pending_state,
        "reason": row.pending_reason,
        "by": person_ref(session, row.pending_by_id),
        "note": row.pending_note,
        "at": iso(row.pending_at or row.since),
    }


def state_payload(session: Session, row: AgentStatus) -> dict[str, object]:
    """The `agent_state` event's data (and the base of every StateOut)."""
    return {
        "agent_id": row.agent_id,
        "state": row.state,
        "reason": row.reason,
        "since": iso(row.since),
        "changed_by": person_ref(session, row.changed_by_id),
        "note": row.note,
    }


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# States of a call in progress: a lead's change made during one waits for their end.
CALL_STATES = frozenset({AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP})


def publish_pending(
    session: Session, agent: User, row: AgentStatus, outcome: str | None = None
) -> None:
    """`state_change_pending` to the agent and the team's leads (pending None: it ended)."""
    data: dict[str, object] = {"agent_id": agent.id, "pending": pending_payload(session, row)}
    if outcome is not None:
        data["outcome"] = outcome  # applied | cancelled | dropped
    publish(
        session,
        "state_change_pending",
        data,
        to_user_id=agent.id,
        to_team_id=agent.team_id,
        to_role="lead" if agent.team_id else None,
    )


def clear_pending(row: AgentStatus) -> None:
    row.pending_state, row.pending_reason, row.pending_note = None, "", ""
    row.pending_by_id, row.pending_at = None, None


def change_state(
    session: Session,
    agent: User,
    state: AgentState,
    reason: str = "",
    *,
    check_reason: bool = True,
    at: datetime | None = None,
    by: User | None = None,
    note: str = "",
) -> AgentStatus:
    """Move `agent` to `state`; raise ApiError 409 for a transition the machine refuses.

    `by`: the lead who set it remotely (with `note`). A lead may set Break, Not ready or
    Offline from any state but a call's: that is a supervisor's override, not a move of
    the agent's own state machine.

    A lead's change made during a call is pending (`AgentStatus.pending_state`): the
    first move that ends the call — out of ringing, on-call or wrap-up to anything but
    another call state — becomes the pending state instead, set by that lead. The agent
    signing out (offline) drops it: nobody is put on a break after closing the app.
    """
    row = status_of(session, agent, lock=True)
    now = at or utcnow()
    before = AgentState(row.state)
    pending_outcome: str | None = None
    forced = by is not None  # a lead's override (checked by the route)
    if row.pending_state is not None and before in CALL_STATES and state not in CALL_STATES:
        if state is AgentState.OFFLINE and row.pending_state != AgentState.OFFLINE.value:
            pending_outcome = "dropped"
            audit.record(
                session,
                actor_id=agent.id,
                team_id=agent.team_id,
                action="state_change_cancelled",
                agent_id=agent.id,
                detail={**_pending_detail(row), "why": "agent_offline"},
            )
        else:
            lead = session.get(User, row.pending_by_id) if row.pending_by_id else None
            state, reason, note = (
                AgentState(row.pending_state),
                row.pending_reason,
                row.pending_note,
            )
            by, forced, check_reason, pending_outcome = lead, True, False, "applied"
            audit.record(
                session,
                actor_id=row.pending_by_id or agent.id,
                team_id=agent.team_id,
                action="state_change",
                agent_id=agent.id,
                detail={**_pending_detail(row), "from": before.value, "applied": True,
                        "was_pending": True},
            )  # fmt: skip
        clear_pending(row)
    current = Presence(before, row.reason, row.since.timestamp())
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
    if forced:
        kept = reason if state in (AgentState.BREAK, AgentState.NOT_READY) else ""
        after = Presence(state, kept, now.timestamp())
    else:
        try:
            after = current.to(state, reason=reason, at_s=now.timestamp())
        except InvalidTransition as exc:
            raise ApiError(409, "invalid_transition", str(exc)) from None
    changed_by_id = by.id if by is not None else None
    if after is current or (after.state is before and after.reason == row.reason):
        if changed_by_id is not None and (row.changed_by_id, row.note) != (changed_by_id, note):
            row.changed_by_id, row.note = changed_by_id, note
            _publish_state(session, agent, row)
        if pending_outcome is not None:
            publish_pending(session, agent, row, pending_outcome)
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
    # the agent's own next change (or the ACD's) clears who set the state and why
    row.changed_by_id, row.note = changed_by_id, note if changed_by_id else ""
    _publish_state(session, agent, row)
    if pending_outcome is not None:
        publish_pending(session, agent, row, pending_outcome)
    from homeagent.server import live  # here: live imports this module

    live.after_state_change(session, agent, before.value, row)
    return row


def _pending_detail(row: AgentStatus) -> dict[str, object]:
    return {"state": row.pending_state, "reason": row.pending_reason, "note": row.pending_note}


def _publish_state(session: Session, agent: User, row: AgentStatus) -> None:
    from homeagent.server import live  # here: live imports this module

    publish(
        session,
        "agent_state",
        {**state_payload(session, row), "call": live.call_payload(session, row)},
        to_user_id=agent.id,
        to_team_id=agent.team_id,
        to_role="lead" if agent.team_id else None,
    )
