"""Agents' help requests to their team's leads: a queue the leads acknowledge and resolve."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import alerts, audit, schemas
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx, Principal
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import HelpRequest, User, utcnow
from homeagent.server.state import person_ref

router = APIRouter(tags=["messages"])
HelpId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]


def help_out(s: Session, h: HelpRequest) -> schemas.HelpOut:
    agent = s.get(User, h.agent_id)
    acked_by = person_ref(s, h.acked_by_id)
    return schemas.HelpOut(
        id=h.id,
        agent_id=h.agent_id,
        agent_name=(agent.display_name or agent.name) if agent is not None else "",
        team_id=h.team_id,
        text=h.text,
        call_context=dict(h.call_context or {}),
        created_at=h.created_at,
        status=h.status,  # type: ignore[arg-type]
        acked_by=schemas.PersonRef(**acked_by) if acked_by is not None else None,
        acked_at=h.acked_at,
        resolved_at=h.resolved_at,
    )


@router.post("/help-requests", response_model=schemas.HelpOut, status_code=201)
def ask_help(body: schemas.HelpIn, p: Auth, ctx: Ctx) -> schemas.HelpOut:
    """An agent asks the team lead for help, with the current call's context."""
    p.require(AGENT)
    with ctx.db.write() as s:
        h = HelpRequest(
            agent_id=p.user_id,
            team_id=p.team_id,
            text=body.text,
            call_context=body.call_context.model_dump(mode="json"),
            status="open",
        )
        s.add(h)
        s.flush()
        out = help_out(s, h)
        publish(
            s,
            "help_request",
            out.model_dump(mode="json"),
            to_team_id=p.team_id,
            to_role="lead" if p.team_id else None,
        )
        alerts.on_help_changed(s, h)
        return out


@router.get("/help-requests", response_model=list[schemas.HelpOut])
def list_help(
    p: Auth,
    ctx: Ctx,
    after_id: Annotated[int, Query(ge=0, le=schemas.MAX_ID)] = 0,
    status: schemas.HelpStatus | None = None,
) -> list[schemas.HelpOut]:
    """Help requests of my team (team lead), all (admin), mine (agent)."""
    stmt = select(HelpRequest).where(HelpRequest.id > after_id)
    if p.role == AGENT:
        stmt = stmt.where(HelpRequest.agent_id == p.user_id)
    elif p.role == TEAM_LEAD:
        stmt = stmt.where(HelpRequest.team_id == p.team_id)
    if status is not None:
        stmt = stmt.where(HelpRequest.status == status)
    with ctx.db.read() as s:
        return [help_out(s, h) for h in s.scalars(stmt.order_by(HelpRequest.id).limit(500))]


def _handle(
    ctx: Ctx, p: Principal, help_id: int, step: Literal["acknowledged", "resolved"]
) -> schemas.HelpOut:
    """Acknowledge ("J'arrive") or resolve a request of the lead's team, once (audited)."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.write() as s:
        h = s.get(HelpRequest, help_id)
        if h is None or not (p.is_admin or (h.team_id is not None and h.team_id == p.team_id)):
            raise ApiError(404, "not_found", "No such help request in your team.")
        if step == "acknowledged" and h.status == "resolved":
            raise ApiError(409, "already_resolved", "This help request is already resolved.")
        if h.status == step:
            return help_out(s, h)  # idempotent: the first lead's answer stands
        now = utcnow()
        if step == "acknowledged":
            h.status, h.acked_by_id, h.acked_at = step, p.user_id, now
        else:
            h.status, h.resolved_by_id, h.resolved_at = step, p.user_id, now
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=h.team_id,
            action="help_ack" if step == "acknowledged" else "help_resolve",
            agent_id=h.agent_id,
            detail={"help_request_id": h.id},
        )
        out = help_out(s, h)
        publish(
            s,
            "help_request_updated",
            out.model_dump(mode="json"),
            to_user_id=h.agent_id,
            to_team_id=h.team_id,
            to_role="lead" if h.team_id else None,
        )
        alerts.on_help_changed(s, h)
        return out


@router.post("/help-requests/{help_id}/ack", response_model=schemas.HelpOut)
def ack_help(help_id: HelpId, p: Auth, ctx: Ctx) -> schemas.HelpOut:
    """A lead takes the request ("J'arrive"): the agent is told at once."""
    return _handle(ctx, p, help_id, "acknowledged")


@router.post("/help-requests/{help_id}/resolve", response_model=schemas.HelpOut)
def resolve_help(help_id: HelpId, p: Auth, ctx: Ctx) -> schemas.HelpOut:
    """A lead closes the request (acknowledged or not)."""
    return _handle(ctx, p, help_id, "resolved")
