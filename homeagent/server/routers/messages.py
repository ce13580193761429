"""Messages with per-recipient receipts: a lead to one, several or all agents of a team,
and an agent to the team's leads.

Who a message went to is fixed when it is sent (a team broadcast: the team's active agents
then), one receipt per recipient. An agent reads only the messages they sent or received,
and only their own receipt; the sender, the team's leads and admins see the counts and the
"not yet read by" list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import Session

from homeagent.server import schemas
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx, Principal
from homeagent.server.errors import ApiError
from homeagent.server.events import publish, publish_to_users
from homeagent.server.models import Message, MessageReceipt, Team, User, utcnow
from homeagent.server.state import iso

router = APIRouter(tags=["messages"])
MessageId = Annotated[int, Path(ge=1, le=schemas.MAX_ID)]
_NO_RECEIPT = schemas.ReceiptOut(delivered_at=None, read_at=None, acked_at=None)


def display(user: User | None) -> str:
    return "" if user is None else user.display_name or user.name


def _leads_of(p: Principal, team_id: str | None) -> bool:
    """Whether `p` reads a team's messages as its lead (admins: every team)."""
    return p.is_admin or (p.is_lead and team_id is not None and team_id == p.team_id)


def _counts(s: Session, ids: Iterable[int]) -> dict[int, schemas.ReceiptCountsOut]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = s.execute(
        select(
            MessageReceipt.message_id,
            func.count(),
            func.count(MessageReceipt.delivered_at),
            func.count(MessageReceipt.read_at),
            func.count(MessageReceipt.acked_at),
        )
        .where(MessageReceipt.message_id.in_(wanted))
        .group_by(MessageReceipt.message_id)
    )
    out = {
        mid: schemas.ReceiptCountsOut(recipients=n, delivered=d, read=r, acked=a)
        for mid, n, d, r, a in rows
    }
    zero = schemas.ReceiptCountsOut(recipients=0, delivered=0, read=0, acked=0)
    return {mid: out.get(mid, zero) for mid in wanted}


def _receipt(r: MessageReceipt | None) -> schemas.ReceiptOut | None:
    if r is None:
        return None
    return schemas.ReceiptOut(delivered_at=r.delivered_at, read_at=r.read_at, acked_at=r.acked_at)


def message_out(
    m: Message,
    sender_name: str,
    receipt: schemas.ReceiptOut | None,
    counts: schemas.ReceiptCountsOut | None,
) -> schemas.MessageOut:
    return schemas.MessageOut(
        id=m.id,
        sender_id=m.sender_id,
        sender_name=sender_name,
        to_agent_id=m.to_agent_id,
        to_team_id=m.to_team_id,
        thread_agent_id=m.thread_agent_id,
        body=m.body,
        priority="urgent" if m.priority in ("urgent", "high") else "normal",
        created_at=m.created_at,
        receipt=receipt,
        counts=counts,
        read_at=receipt.read_at if receipt is not None else None,
    )


def _json(out: schemas.MessageOut) -> dict[str, object]:
    return out.model_dump(mode="json")


@router.get("/messages", response_model=list[schemas.MessageOut])
def list_messages(
    p: Auth,
    ctx: Ctx,
    after_id: Annotated[int, Query(ge=0, le=schemas.MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    agent_id: Annotated[
        str | None,
        Query(max_length=36, description="one agent's conversation (leads; agents: their own)"),
    ] = None,
) -> list[schemas.MessageOut]:
    """Agents: what they sent and received. Leads: also their team's. Admins: all."""
    mine = and_(MessageReceipt.message_id == Message.id, MessageReceipt.agent_id == p.user_id)
    stmt = select(Message, MessageReceipt).outerjoin(MessageReceipt, mine)
    with ctx.db.read() as s:
        wanted: list[Any] = []
        if p.role != ADMIN:
            # the ids each reader may see, from their indexes (not a scan of every message)
            wanted.append(
                union(
                    select(MessageReceipt.message_id.label("id")).where(
                        MessageReceipt.agent_id == p.user_id, MessageReceipt.message_id > after_id
                    ),
                    select(Message.id).where(Message.sender_id == p.user_id, Message.id > after_id),
                    *(
                        [
                            select(Message.id).where(
                                Message.team_id == p.team_id, Message.id > after_id
                            )
                        ]
                        if p.is_lead and p.team_id is not None
                        else []
                    ),
                )
            )
        if agent_id is not None:
            p.readable_agent(s, agent_id)  # own, the agent's lead, an admin
            wanted.append(
                union(
                    select(MessageReceipt.message_id.label("id")).where(
                        MessageReceipt.agent_id == agent_id, MessageReceipt.message_id > after_id
                    ),
                    select(Message.id).where(
                        Message.thread_agent_id == agent_id, Message.id > after_id
                    ),
                )
            )
        for ids in wanted:
            stmt = stmt.where(Message.id.in_(select(ids.subquery().c.id)))
        rows = s.execute(stmt.where(Message.id > after_id).order_by(Message.id).limit(limit)).all()
        senders = {
            u.id: u
            for u in s.scalars(select(User).where(User.id.in_({m.sender_id for m, _ in rows})))
        }
        shown = [m.id for m, _ in rows if m.sender_id == p.user_id or _leads_of(p, m.team_id)]
        counts = _counts(s, shown)
        return [
            message_out(m, display(senders.get(m.sender_id)), _receipt(r), counts.get(m.id))
            for m, r in rows
        ]


def _recipients(s: Session, p: Principal, body: schemas.MessageIn) -> tuple[str | None, list[User]]:
    """The message's team and its recipients (agents of that one team), checked."""
    if body.to_team_id is not None:
        if s.get(Team, body.to_team_id) is None:
            raise ApiError(404, "not_found", "No such team.")
        p.require_team(body.to_team_id)
        agents = s.scalars(
            select(User)
            .where(User.team_id == body.to_team_id, User.role == AGENT, User.active.is_(True))
            .order_by(User.name)
        )
        return body.to_team_id, list(agents)
    ids = list(dict.fromkeys(body.to_agent_ids or [body.to_agent_id or ""]))
    users = {u.id: u for u in s.scalars(select(User).where(User.id.in_(ids)))}
    for agent_id in ids:
        agent = users.get(agent_id)
        if agent is None:
            raise ApiError(404, "not_found", f"No such agent: {agent_id}.")
        p.require_team(agent.team_id)
        if agent.role != AGENT:
            raise ApiError(422, "not_an_agent", f"{agent.name} is not an agent.")
        if not agent.active:
            raise ApiError(422, "agent_disabled", f"{agent.name}'s account is disabled.")
    teams = {users[i].team_id for i in ids}
    if len(teams) != 1:
        raise ApiError(422, "several_teams", "Write to the agents of one team at a time.")
    return teams.pop(), [users[i] for i in ids]


@router.post("/messages", response_model=schemas.MessageOut, status_code=201)
def send_message(body: schemas.MessageIn, p: Auth, ctx: Ctx) -> schemas.MessageOut:
    """A lead writes to one agent, several agents of the team, or the whole team."""
    p.require(TEAM_LEAD, ADMIN)
    targets = [body.to_agent_ids, body.to_agent_id, body.to_team_id]
    if sum(t is not None for t in targets) != 1:
        raise ApiError(
            422, "invalid_input", "Give exactly one of to_agent_ids, to_agent_id and to_team_id."
        )
    with ctx.db.write() as s:
        team_id, recipients = _recipients(s, p, body)
        one = recipients[0].id if body.to_team_id is None and len(recipients) == 1 else None
        m = Message(
            sender_id=p.user_id,
            to_agent_id=one,
            to_team_id=body.to_team_id,
            team_id=team_id,
            thread_agent_id=one,
            body=body.body,
            priority=body.priority,
        )
        s.add(m)
        s.flush()
        s.add_all(MessageReceipt(message_id=m.id, agent_id=a.id) for a in recipients)
        s.flush()
        sender = display(s.get(User, p.user_id))
        counts = schemas.ReceiptCountsOut(recipients=len(recipients), delivered=0, read=0, acked=0)
        as_received = _json(message_out(m, sender, _NO_RECEIPT, None))
        publish_to_users(s, "message", as_received, (a.id for a in recipients))
        if team_id is not None:
            lead_view = _json(message_out(m, sender, None, counts))
            publish(s, "message", lead_view, to_team_id=team_id, to_role="lead")
        return message_out(m, sender, None, counts)


@router.post("/messages/to-lead", response_model=schemas.MessageOut, status_code=201)
def write_to_lead(body: schemas.MessageToLeadIn, p: Auth, ctx: Ctx) -> schemas.MessageOut:
    """An agent writes to the team's leads (every active lead of the team receives it)."""
    p.require(AGENT)
    if p.team_id is None:
        raise ApiError(422, "no_team", "You are in no team: there is no team lead to write to.")
    with ctx.db.write() as s:
        leads = list(
            s.scalars(
                select(User).where(
                    User.team_id == p.team_id, User.role == TEAM_LEAD, User.active.is_(True)
                )
            )
        )
        m = Message(
            sender_id=p.user_id,
            to_agent_id=None,
            to_team_id=p.team_id,
            team_id=p.team_id,
            thread_agent_id=p.user_id,
            body=body.body,
            priority="normal",
        )
        s.add(m)
        s.flush()
        s.add_all(MessageReceipt(message_id=m.id, agent_id=lead.id) for lead in leads)
        s.flush()
        sender = display(s.get(User, p.user_id))
        counts = schemas.ReceiptCountsOut(recipients=len(leads), delivered=0, read=0, acked=0)
        # the team's leads are its recipients: their (empty) receipt, and the counts
        lead_view = _json(message_out(m, sender, _NO_RECEIPT, counts))
        publish(s, "message", lead_view, to_team_id=p.team_id, to_role="lead")
        return message_out(m, sender, None, counts)


Step = Literal["delivered", "read", "ack"]


def _mark(ctx: Ctx, p: Principal, message_id: int, step: Step) -> schemas.ReadReceiptOut:
    """Record that a recipient's desk received, read or acknowledged a message (once)."""
    with ctx.db.write() as s:
        m = s.get(Message, message_id)
        r = s.get(MessageReceipt, (message_id, p.user_id)) if m is not None else None
        if m is None or r is None:
            raise ApiError(404, "not_found", "No such message for you.")
        if step == "ack" and m.priority != "urgent":
            raise ApiError(409, "not_urgent", "Only an urgent message is acknowledged.")
        now = utcnow()
        changed = first_read = False
        if r.delivered_at is None:
            r.delivered_at, changed = now, True
        if step in ("read", "ack") and r.read_at is None:
            r.read_at, changed, first_read = now, True, True
        if step == "ack" and r.acked_at is None:
            r.acked_at, changed = now, True
        out = schemas.ReadReceiptOut(
            message_id=m.id,
            agent_id=p.user_id,
            delivered_at=r.delivered_at,
            read_at=r.read_at,
            acked_at=r.acked_at,
        )
        if changed:
            publish(
                s,
                "message_receipt",
                out.model_dump(mode="json"),
                to_user_id=m.sender_id,
                to_team_id=m.team_id,
                to_role="lead" if m.team_id is not None else None,
            )
        if first_read:  # the first version's event, kept for one release
            publish(
                s,
                "message_read",
                {"message_id": m.id, "agent_id": p.user_id, "read_at": iso(now)},
                to_user_id=m.sender_id,
            )
        return out


@router.post("/messages/{message_id}/delivered", response_model=schemas.ReadReceiptOut)
def mark_delivered(message_id: MessageId, p: Auth, ctx: Ctx) -> schemas.ReadReceiptOut:
    """The recipient's desk has the message (idempotent)."""
    return _mark(ctx, p, message_id, "delivered")


@router.post("/messages/{message_id}/read", response_model=schemas.ReadReceiptOut)
def mark_read(message_id: MessageId, p: Auth, ctx: Ctx) -> schemas.ReadReceiptOut:
    """The recipient read it (implies delivered; idempotent)."""
    return _mark(ctx, p, message_id, "read")


@router.post("/messages/{message_id}/ack", response_model=schemas.ReadReceiptOut)
def mark_acked(message_id: MessageId, p: Auth, ctx: Ctx) -> schemas.ReadReceiptOut:
    """The recipient acknowledged an urgent message ("Bien reçu"; implies read)."""
    return _mark(ctx, p, message_id, "ack")


@router.get("/messages/{message_id}/receipts", response_model=list[schemas.RecipientOut])
def receipts(message_id: MessageId, p: Auth, ctx: Ctx) -> list[schemas.RecipientOut]:
    """Every recipient's receipt (the sender, the team's leads, admins): "not yet read by"."""
    with ctx.db.read() as s:
        m = s.get(Message, message_id)
        if m is None:
            raise ApiError(404, "not_found", "No such message.")
        if not (m.sender_id == p.user_id or _leads_of(p, m.team_id)):
            if s.get(MessageReceipt, (message_id, p.user_id)) is not None:
                raise ApiError(403, "forbidden", "Only the sender and the leads see receipts.")
            raise ApiError(404, "not_found", "No such message.")
        rows = s.execute(
            select(MessageReceipt, User)
            .outerjoin(User, User.id == MessageReceipt.agent_id)
            .where(MessageReceipt.message_id == message_id)
            .order_by(User.name, MessageReceipt.agent_id)
        )
        return [
            schemas.RecipientOut(
                agent_id=r.agent_id,
                name=u.name if u is not None else "",
                display_name=u.display_name if u is not None else "",
                delivered_at=r.delivered_at,
                read_at=r.read_at,
                acked_at=r.acked_at,
            )
            for r, u in rows
        ]
