"""Team messages with read receipts, and agents' help requests to their team lead."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import and_, or_, select

from homeagent.server import schemas
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import HelpRequest, Message, MessageRead, Team, User, utcnow
from homeagent.server.state import iso
from homeagent.server.views import message_out

router = APIRouter(tags=["messages"])


def _payload(m: Message) -> dict[str, object]:
    return message_out(m).model_dump(mode="json")


@router.get("/messages", response_model=list[schemas.MessageOut])
def list_messages(
    p: Auth,
    ctx: Ctx,
    after_id: Annotated[int, Query(ge=0, le=schemas.MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[schemas.MessageOut]:
    """Agents: messages to them or their team. Team leads: also what they sent. Admin: all."""
    stmt = select(Message, MessageRead.read_at).outerjoin(
        MessageRead, and_(MessageRead.message_id == Message.id, MessageRead.agent_id == p.user_id)
    )
    if p.role != ADMIN:
        mine = or_(Message.to_agent_id == p.user_id, Message.sender_id == p.user_id)
        if p.team_id is not None:
            mine = or_(mine, Message.to_team_id == p.team_id)
        stmt = stmt.where(mine)
    with ctx.db.read() as s:
        rows = s.execute(stmt.where(Message.id > after_id).order_by(Message.id).limit(limit))
        return [message_out(m, read_at) for m, read_at in rows]


@router.post("/messages", response_model=schemas.MessageOut, status_code=201)
def send_message(body: schemas.MessageIn, p: Auth, ctx: Ctx) -> schemas.MessageOut:
    """A team lead writes to one agent of the team or to the whole team."""
    p.require(TEAM_LEAD, ADMIN)
    if (body.to_agent_id is None) == (body.to_team_id is None):
        raise ApiError(422, "invalid_input", "Give exactly one of to_agent_id and to_team_id.")
    with ctx.db.write() as s:
        if body.to_agent_id is not None:
            agent = s.get(User, body.to_agent_id)
            if agent is None:
                raise ApiError(404, "not_found", "No such agent.")
            p.require_team(agent.team_id)
        else:
            if s.get(Team, body.to_team_id) is None:
                raise ApiError(404, "not_found", "No such team.")
            p.require_team(body.to_team_id)
        m = Message(
            sender_id=p.user_id,
            to_agent_id=body.to_agent_id,
            to_team_id=body.to_team_id,
            body=body.body,
            priority=body.priority,
        )
        s.add(m)
        s.flush()
        if m.to_agent_id is not None:
            publish(s, "message", _payload(m), to_user_id=m.to_agent_id)
        else:
            publish(s, "message", _payload(m), to_team_id=m.to_team_id, to_role="all")
        return message_out(m)


@router.post("/messages/{message_id}/read", response_model=schemas.ReadReceiptOut)
def mark_read(
    message_id: Annotated[int, Path(ge=1, le=schemas.MAX_ID)], p: Auth, ctx: Ctx
) -> schemas.ReadReceiptOut:
    """Read receipt by a recipient; the sender is told once."""
    with ctx.db.write() as s:
        m = s.get(Message, message_id)
        if m is None or not (
            m.to_agent_id == p.user_id or (m.to_team_id is not None and m.to_team_id == p.team_id)
        ):
            raise ApiError(404, "not_found", "No such message for you.")
        receipt = s.get(MessageRead, (message_id, p.user_id))
        if receipt is None:
            receipt = MessageRead(message_id=message_id, agent_id=p.user_id, read_at=utcnow())
            s.add(receipt)
            s.flush()
            publish(
                s,
                "message_read",
                {"message_id": m.id, "agent_id": p.user_id, "read_at": iso(receipt.read_at)},
                to_user_id=m.sender_id,
            )
        return schemas.ReadReceiptOut(message_id=m.id, agent_id=p.user_id, read_at=receipt.read_at)


def _help_out(h: HelpRequest) -> schemas.HelpOut:
    return schemas.HelpOut(
        id=h.id,
        agent_id=h.agent_id,
        team_id=h.team_id,
        text=h.text,
        call_context=dict(h.call_context or {}),
        created_at=h.created_at,
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
        )
        s.add(h)
        s.flush()
        out = _help_out(h)
        publish(
            s,
            "help_request",
            out.model_dump(mode="json"),
            to_team_id=p.team_id,
            to_role="lead" if p.team_id else None,
        )
        return out


@router.get("/help-requests", response_model=list[schemas.HelpOut])
def list_help(
    p: Auth, ctx: Ctx, after_id: Annotated[int, Query(ge=0, le=schemas.MAX_ID)] = 0
) -> list[schemas.HelpOut]:
    """Help requests of my team (team lead), all (admin), mine (agent)."""
    stmt = select(HelpRequest).where(HelpRequest.id > after_id)
    if p.role == AGENT:
        stmt = stmt.where(HelpRequest.agent_id == p.user_id)
    elif p.role == TEAM_LEAD:
        stmt = stmt.where(HelpRequest.team_id == p.team_id)
    with ctx.db.read() as s:
        return [_help_out(h) for h in s.scalars(stmt.order_by(HelpRequest.id).limit(500))]
