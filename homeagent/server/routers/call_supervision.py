"""Live call supervision's routes (docs/supervision-contract.md, docs/api.md).

The rules live in `homeagent.server.call_supervision`; this module is the wire: bodies,
answers and who may call what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import select

from homeagent.server import call_supervision as cs
from homeagent.server import schemas
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.models import Team
from homeagent.server.supervision_models import SupervisionSession

router = APIRouter(tags=["call supervision"])

Mode = Literal["listen", "whisper", "barge"]
EndReason = Literal[
    "lead_stopped",
    "call_ended",
    "transferred",
    "lead_lost",
    "server_lost",
    "refused",
    "failed",
    "not_in_call",
    "agent_signed_out",
]
AgentId = Annotated[str, Path(min_length=1, max_length=36)]
SessionId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]
TeamId = Annotated[str, Path(max_length=36)]


class ModeIn(schemas.Strict):
    mode: Mode


class EndIn(schemas.Strict):
    reason: EndReason


class SessionOut(BaseModel):
    """One supervision session (never its token)."""

    id: int
    agent_id: str
    agent_name: str
    lead_id: str
    lead_name: str
    team_id: str | None
    mode: Mode
    status: Literal["requested", "connected", "ended"]
    created_at: datetime
    connected_at: datetime | None
    ended_at: datetime | None
    end_reason: EndReason | None


class StartedOut(SessionOut):
    """The lead's POST answer: the session and its one-time token (shown once)."""

    token: str


class PolicyOut(BaseModel):
    policy: Literal["announced", "silent", "off"]


@router.post("/agents/{agent_id}/supervision", response_model=StartedOut, status_code=201)
def start_supervision(agent_id: AgentId, body: ModeIn, p: Auth, ctx: Ctx) -> StartedOut:
    """Listen to, whisper to or barge into the agent's current call (its team lead, or an
    admin). The agent's app is told over its stream and calls the lead's softphone."""
    with ctx.db.write() as s:
        row, token = cs.start(s, p, agent_id, body.mode, ctx.settings["sip_domain"])
        return StartedOut.model_validate({**cs.session_out(s, row), "token": token})


@router.patch("/supervision/{session_id}", response_model=SessionOut)
def set_supervision_mode(session_id: SessionId, body: ModeIn, p: Auth, ctx: Ctx) -> SessionOut:
    """Switch listen / whisper / barge (the session's lead, or an admin); 409 once ended."""
    with ctx.db.write() as s:
        row = cs.set_mode(s, p, cs.session_for(s, p, session_id, lock=True), body.mode)
        return SessionOut.model_validate(cs.session_out(s, row))


@router.post("/supervision/{session_id}/connected", response_model=SessionOut)
def supervision_connected(session_id: SessionId, p: Auth, ctx: Ctx) -> SessionOut:
    """The supervised agent's app has the lead's leg up (idempotent)."""
    with ctx.db.write() as s:
        row = cs.mark_connected(s, p, cs.session_for(s, p, session_id, lock=True))
        return SessionOut.model_validate(cs.session_out(s, row))


@router.post("/supervision/{session_id}/end", response_model=SessionOut)
def end_supervision(session_id: SessionId, body: EndIn, p: Auth, ctx: Ctx) -> SessionOut:
    """End a session (its lead, its agent, or an admin); an ended one answers as it is."""
    with ctx.db.write() as s:
        row = cs.end_by(s, p, cs.session_for(s, p, session_id, lock=True), body.reason)
        return SessionOut.model_validate(cs.session_out(s, row))


@router.get("/teams/{team_id}/supervision", response_model=list[SessionOut])
def team_supervision(team_id: TeamId, p: Auth, ctx: Ctx) -> list[SessionOut]:
    """The team's open sessions (requested or connected), oldest first."""
    p.require(TEAM_LEAD, ADMIN)
    p.require_team(team_id)
    with ctx.db.read() as s:
        if s.get(Team, team_id) is None:
            raise ApiError(404, "not_found", "No such team.")
        rows = s.scalars(
            select(SupervisionSession)
            .where(SupervisionSession.team_id == team_id, SupervisionSession.status.in_(cs.OPEN))
            .order_by(SupervisionSession.id)
        )
        return [SessionOut.model_validate(cs.session_out(s, r)) for r in rows]


@router.get("/supervision/policy", response_model=PolicyOut)
def supervision_policy(p: Auth, ctx: Ctx) -> PolicyOut:
    """The organisation's policy: announced, silent or off (leads and admins)."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.read() as s:
        return PolicyOut.model_validate({"policy": cs.policy(s)})
