"""Live call supervision's rules (docs/supervision-contract.md): who may supervise whom,
the organisation's policy, one open session per agent and per lead, the one-time token,
and the ends the server decides itself (the call ended, the agent signed out).

Every function works inside the caller's transaction: a session, its events and its
audit rows commit together or not at all. The token is returned once, to the lead who
asked (and, in its stream event, to the agent's app); only its SHA-256 is stored, and
nothing here logs it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.core.supervision import END_REASONS, MODES, POLICIES
from homeagent.server import audit
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Principal
from homeagent.server.errors import ApiError
from homeagent.server.events import publish, publish_to_users
from homeagent.server.models import Device, Setting, User, utcnow
from homeagent.server.state import iso, status_of
from homeagent.server.supervision_models import SupervisionSession

__all__ = [
    "DEFAULT_POLICY",
    "END_REASONS",
    "MODES",
    "OPEN",
    "POLICIES",
    "POLICY_KEY",
    "day_supervisions",
    "end_for_device",
    "end_open_of_agent",
    "end_session",
    "hash_token",
    "mark_connected",
    "policy",
    "session_out",
    "set_mode",
    "start",
    "token_matches",
]

POLICY_KEY = "supervision_policy"
DEFAULT_POLICY = "announced"
OPEN = ("requested", "connected")


# --- the policy and the token ------------------------------------------------------


def policy(s: Session) -> str:
    """The organisation's `supervision_policy` (`announced` when unset or unreadable:
    when in doubt the agent is told)."""
    row = s.get(Setting, POLICY_KEY)
    value = row.value if row is not None else DEFAULT_POLICY
    return value if value in POLICIES else DEFAULT_POLICY


def new_token() -> tuple[str, str]:
    """A one-time session token and the SHA-256 hex the server keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(row: SupervisionSession, token: str) -> bool:
    """Whether `token` is the session's (constant-time; an ended session matches none)."""
    if row.status == "ended":
        return False
    return hmac.compare_digest(row.token_hash, hash_token(token))


# --- names and wire shapes -----------------------------------------------------------


def _name(user: User | None) -> str:
    return "" if user is None else user.display_name or user.name


def session_out(s: Session, row: SupervisionSession) -> dict[str, Any]:
    """The contract's `Session` (never the token)."""
    agent, lead = s.get(User, row.agent_id), s.get(User, row.lead_id)
    return {
        "id": row.id,
        "agent_id": row.agent_id,
        "agent_name": _name(agent),
        "lead_id": row.lead_id,
        "lead_name": _name(lead),
        "team_id": row.team_id,
        "mode": row.mode,
        "status": row.status,
        "created_at": iso(row.created_at),
        "connected_at": iso(row.connected_at) if row.connected_at else None,
        "ended_at": iso(row.ended_at) if row.ended_at else None,
        "end_reason": row.end_reason,
    }


def _publish_session(s: Session, row: SupervisionSession) -> None:
    """`supervision_session` to the team's leads (admins see every lead event); a session
    of an agent without a team goes to its own lead only, never to everyone."""
    data = session_out(s, row)
    if row.team_id is not None:
        publish(s, "supervision_session", data, to_team_id=row.team_id, to_role="lead")
    else:
        publish(s, "supervision_session", data, to_user_id=row.lead_id)


def _lead_ref(s: Session, row: SupervisionSession) -> dict[str, str]:
    return {"id": row.lead_id, "name": _name(s.get(User, row.lead_id))}


def _audit(s: Session, row: SupervisionSession, action: str, actor_id: str, **detail: Any) -> None:
    audit.record(
        s,
        actor_id=actor_id,
        team_id=row.team_id,
        action=action,
        agent_id=row.agent_id,
        detail={"session_id": row.id, "lead_id": row.lead_id, **detail},
    )


# --- who may do what ---------------------------------------------------------------


def supervisable_agent(s: Session, p: Principal, agent_id: str) -> User:
    """The agent `p` may supervise: the lead of the agent's team, or an admin.

    403 for an agent and another team's lead, 404 for an unknown id (or not an agent).
    """
    p.require(TEAM_LEAD, ADMIN)
    agent = s.get(User, agent_id)
    if agent is None or agent.role != AGENT or not agent.active:
        raise ApiError(404, "not_found", "No such agent.")
    if not p.is_admin and (p.team_id is None or agent.team_id != p.team_id):
        raise ApiError(403, "forbidden", "You may supervise the agents of your team only.")
    return agent


def session_for(
    s: Session, p: Principal, session_id: int, *, lock: bool = False
) -> SupervisionSession:
    """A session its lead, its agent, the agent's team lead or an admin may see (else 404).

    `lock`: on PostgreSQL, hold the row until commit (an end and a mode change racing).
    """
    row = s.get(SupervisionSession, session_id, with_for_update=True if lock and _pg(s) else None)
    if row is None or not (
        p.is_admin
        or p.user_id in (row.lead_id, row.agent_id)
        or (p.is_lead and row.team_id is not None and row.team_id == p.team_id)
    ):
        raise ApiError(404, "not_found", "No such supervision session.")
    return row


def _pg(s: Session) -> bool:
    return s.bind is not None and s.bind.dialect.name == "postgresql"


def open_of_agent(s: Session, agent_id: str) -> SupervisionSession | None:
    return s.scalar(
        select(SupervisionSession)
        .where(SupervisionSession.agent_id == agent_id, SupervisionSession.status.in_(OPEN))
        .limit(1)
    )


def open_of_lead(s: Session, lead_id: str) -> SupervisionSession | None:
    return s.scalar(
        select(SupervisionSession)
        .where(SupervisionSession.lead_id == lead_id, SupervisionSession.status.in_(OPEN))
        .limit(1)
    )


def _already_supervised(s: Session, holder: SupervisionSession) -> ApiError:
    by = _lead_ref(s, holder)
    agent = _name(s.get(User, holder.agent_id))
    return ApiError(
        409,
        "already_supervised",
        f"{by['name']} is already supervising {agent}.",
        extra={"by": by},
    )


def _lead_busy() -> ApiError:
    return ApiError(409, "lead_busy", "You are already supervising a call: stop it first.")


# --- the routes' work ----------------------------------------------------------------


def start(
    s: Session, p: Principal, agent_id: str, mode: str, sip_domain: str
) -> tuple[SupervisionSession, str]:
    """Open a session of `p` on the agent's current call; publish and audit it.

    Refusals raise before anything is written or published. The agent's status row is
    held (PostgreSQL: FOR UPDATE) so that two leads racing on one agent are serialised;
    the partial unique indexes turn any race that slips past into the same 409s.
    """
    agent = supervisable_agent(s, p, agent_id)
    current = policy(s)
    if current == "off":
        raise ApiError(
            403, "supervision_off", "Live call supervision is turned off by your organisation."
        )
    lead = s.get(User, p.user_id)
    assert lead is not None
    status = status_of(s, agent, lock=True)
    if status.state != AgentState.ON_CALL.value:
        raise ApiError(409, "not_in_call", f"{_name(agent)} is not on a call ({status.state}).")
    holder = open_of_agent(s, agent.id)
    if holder is not None:
        raise _already_supervised(s, holder)
    if open_of_lead(s, lead.id) is not None:
        raise _lead_busy()
    token, digest = new_token()
    now = utcnow()
    row = SupervisionSession(
        agent_id=agent.id,
        lead_id=lead.id,
        team_id=agent.team_id,
        mode=mode,
        status="requested",
        token_hash=digest,
        created_at=now,
        modes=[{"mode": mode, "at": iso(now)}],
    )
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError:
        # another instance opened one between our checks and our insert: say which
        holder = open_of_agent(s, agent.id)
        if holder is not None:
            raise _already_supervised(s, holder) from None
        raise _lead_busy() from None
    announce = current == "announced"
    publish(
        s,
        "supervision_requested",
        {
            "id": row.id,
            "token": token,
            "mode": mode,
            "lead": _lead_ref(s, row),
            "lead_sip_uri": f"sip:{lead.sip_username}@{sip_domain}",
            "announce": announce,
        },
        to_user_id=agent.id,
    )
    _publish_session(s, row)
    _audit(s, row, "supervision_started", lead.id, mode=mode, policy=current)
    return row, token


def set_mode(s: Session, p: Principal, row: SupervisionSession, mode: str) -> SupervisionSession:
    """Switch the session's mode (its lead or an admin); the agent's app reconnects."""
    if not (p.is_admin or p.user_id == row.lead_id):
        raise ApiError(403, "forbidden", "Only the session's lead may change its mode.")
    if row.status == "ended":
        raise ApiError(409, "ended", "This supervision session has ended.")
    if mode == row.mode:
        return row
    before, now = row.mode, utcnow()
    row.mode = mode
    row.modes = [*row.modes, {"mode": mode, "at": iso(now)}]
    s.flush()
    publish(
        s,
        "supervision_mode",
        {
            "id": row.id,
            "mode": mode,
            "lead": _lead_ref(s, row),
            "announce": policy(s) == "announced",
        },
        to_user_id=row.agent_id,
    )
    _publish_session(s, row)
    _audit(s, row, "supervision_mode", p.user_id, mode=mode, **{"from": before})
    return row


def mark_connected(s: Session, p: Principal, row: SupervisionSession) -> SupervisionSession:
    """The agent's app has the leg up (idempotent; an ended session answers as it is)."""
    if p.user_id != row.agent_id:
        raise ApiError(403, "forbidden", "Only the supervised agent's app reports the leg.")
    if row.status != "requested":
        return row
    row.status, row.connected_at = "connected", utcnow()
    s.flush()
    _publish_session(s, row)
    _audit(s, row, "supervision_connected", p.user_id, mode=row.mode)
    return row


def end_session(
    s: Session, row: SupervisionSession, reason: str, actor_id: str
) -> SupervisionSession:
    """End an open session (an ended one is left as it is): tell the agent, the lead and
    the team's leads, and audit it."""
    if row.status == "ended":
        return row
    row.status, row.ended_at, row.end_reason = "ended", utcnow(), reason
    s.flush()
    publish_to_users(
        s, "supervision_ended", {"id": row.id, "reason": reason}, [row.agent_id, row.lead_id]
    )
    _publish_session(s, row)
    _audit(
        s,
        row,
        "supervision_ended",
        actor_id,
        reason=reason,
        modes=[m["mode"] for m in row.modes],
    )
    return row


def end_by(s: Session, p: Principal, row: SupervisionSession, reason: str) -> SupervisionSession:
    """POST /supervision/{id}/end: its lead, its agent, or an admin."""
    if not (p.is_admin or p.user_id in (row.lead_id, row.agent_id)):
        raise ApiError(403, "forbidden", "Only the session's lead or agent may end it.")
    return end_session(s, row, reason, p.user_id)


# --- the ends the server decides ------------------------------------------------------


def end_open_of_agent(s: Session, agent_id: str, reason: str, actor_id: str) -> None:
    """End the agent's open session, if any (its state left on-call: `call_ended`)."""
    row = open_of_agent(s, agent_id)
    if row is not None:
        end_session(s, row, reason, actor_id)


def end_for_device(s: Session, device: Device, actor_id: str | None = None) -> None:
    """A device was revoked or signed out: end its user's open session — as the agent
    (`agent_signed_out`: nobody may listen through a device that left) or as the lead
    (`lead_lost`: the leg would go to a console that is gone)."""
    user = s.get(User, device.user_id)
    if user is None:
        return
    actor = actor_id or user.id
    if user.role == AGENT:
        end_open_of_agent(s, user.id, "agent_signed_out", actor)
    else:
        row = open_of_lead(s, user.id)
        if row is not None:
            end_session(s, row, "lead_lost", actor)


# --- the agent's day -------------------------------------------------------------------


def day_supervisions(
    s: Session, agent_id: str, start: datetime, end: datetime, *, hide_open: bool
) -> list[dict[str, Any]]:
    """The sessions on the agent that began in [start, end), oldest first (the day's
    `supervisions`). `hide_open`: leave out those still going on (the agent reading its
    own day under the `silent` policy learns of a session afterwards, not during it)."""
    stmt = (
        select(SupervisionSession)
        .where(
            SupervisionSession.agent_id == agent_id,
            SupervisionSession.created_at >= start,
            SupervisionSession.created_at < end,
        )
        .order_by(SupervisionSession.created_at, SupervisionSession.id)
    )
    if hide_open:
        stmt = stmt.where(SupervisionSession.status == "ended")
    out = []
    for row in s.scalars(stmt):
        out.append(
            {
                "id": row.id,
                "lead_name": _name(s.get(User, row.lead_id)),
                "modes": [m["mode"] for m in row.modes if m.get("mode") in MODES],
                "started_at": row.created_at,
                "ended_at": row.ended_at,
                "end_reason": row.end_reason,
            }
        )
    return out
