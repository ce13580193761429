"""ACD hook for Kamailio: which agent gets a queued call, and what happened to the offer.

Kamailio authenticates with HTTP basic auth, user `acd` and the server's `acd_token`
(`homeagent-server show-acd-token`). Answers are text/plain so the routing script needs
no JSON module: `200 <sip username>`, or 404 (`no_agent`) when nobody is Available.
`/sip-credential` gives Kamailio the SIP secret of an active user so it can check the
agents' digest authentication (the same secret `/provisioning/sip` hands to devices).
"""

from __future__ import annotations

import base64
import hmac
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy import select

from homeagent.core.agent_state import AgentState
from homeagent.server.deps import AGENT, ServerContext, context
from homeagent.server.errors import ApiError, error_response
from homeagent.server.models import AcdOffer, AgentStatus, Queue, User
from homeagent.server.state import RONA_REASON, change_state, mark_locked

router = APIRouter(prefix="/acd", tags=["acd"])
_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "plain text answer"}
}
CallId = Annotated[str, Query(min_length=1, max_length=255)]


def _check_acd(ctx: ServerContext, request: Request) -> None:
    header = request.headers.get("authorization", "")
    ok = False
    if header.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            ok = user == "acd" and hmac.compare_digest(secret, ctx.settings["acd_token"])
        except (ValueError, UnicodeDecodeError):
            ok = False
    if not ok:
        raise ApiError(401, "unauthorized", "The ACD hook needs the ACD credentials.")


def pick_agent(ctx: ServerContext, queue_name: str, call_id: str) -> tuple[int, str]:
    """Offer the call to the longest-idle Available agent not yet tried for it.

    An agent with a lead's pending state change is never offered a call (that change is
    applied when the agent's call ends; a new call would only delay it).
    """
    with ctx.db.write() as s:
        queue = s.scalar(select(Queue).where(Queue.name == queue_name))
        if queue is None:
            return 404, "no-such-queue"
        tried = select(AcdOffer.agent_id).where(AcdOffer.call_id == call_id)
        stmt = (
            select(User)
            .join(AgentStatus, AgentStatus.agent_id == User.id)
            .where(
                User.team_id == queue.team_id,
                User.role == AGENT,
                User.active.is_(True),
                AgentStatus.state == AgentState.AVAILABLE.value,
                # a lead's change waiting to be applied takes this agent out of the queue
                AgentStatus.pending_state.is_(None),
                User.id.not_in(tried),
            )
            .order_by(AgentStatus.since, User.name)
            .limit(1)
        )
        if not ctx.db.is_sqlite:
            stmt = stmt.with_for_update(of=AgentStatus, skip_locked=True)
        agent = s.scalar(stmt)
        if agent is None:
            return 404, "no-agent"
        if not ctx.db.is_sqlite:  # the select above holds the agent's status row
            mark_locked(s, agent.id)
        change_state(s, agent, AgentState.RINGING)
        s.add(AcdOffer(call_id=call_id, queue=queue.name, agent_id=agent.id))
        return 200, agent.sip_username


def record_result(ctx: ServerContext, call_id: str, code: int) -> tuple[int, str]:
    """The offered agent answered (200), rang out (408: RONA) or refused (other codes)."""
    with ctx.db.write() as s:
        offer = s.scalar(
            select(AcdOffer)
            .where(AcdOffer.call_id == call_id, AcdOffer.outcome == "ringing")
            .order_by(AcdOffer.id.desc())
            .limit(1)
        )
        if offer is None:
            return 404, "no-offer"
        agent = s.get(User, offer.agent_id)
        assert agent is not None
        status = s.get(AgentStatus, agent.id)
        ringing = status is not None and status.state == AgentState.RINGING.value
        if 200 <= code < 300:
            offer.outcome = "answered"
            if ringing:
                change_state(s, agent, AgentState.ON_CALL)
        elif code == 487:  # the customer hung up while it rang: the agent is free again
            offer.outcome = "cancelled"
            if ringing:
                change_state(s, agent, AgentState.AVAILABLE)
        else:  # no answer in time, busy, declined, unreachable: set aside (RONA)
            offer.outcome = "missed"
            if ringing:
                change_state(s, agent, AgentState.NOT_READY, RONA_REASON)
        return 200, offer.outcome


@router.get("/route", responses=_TEXT)
async def route(
    request: Request, queue: Annotated[str, Query(max_length=64)], call_id: CallId
) -> Response:
    """The SIP user name of the agent to ring, or 404 when nobody is available."""
    ctx = context(request)
    _check_acd(ctx, request)
    status, text = await anyio.to_thread.run_sync(pick_agent, ctx, queue, call_id)
    return _answer(status, text)


@router.get("/result", responses=_TEXT)
async def result(
    request: Request, call_id: CallId, code: Annotated[int, Query(ge=100, le=699)]
) -> Response:
    """Outcome of the latest offer of a call (SIP final response code)."""
    ctx = context(request)
    _check_acd(ctx, request)
    status, text = await anyio.to_thread.run_sync(record_result, ctx, call_id, code)
    return _answer(status, text)


@router.get("/queues/{name}", responses=_TEXT)
async def queue_settings(request: Request, name: str) -> Response:
    """RONA timeout of a queue in milliseconds (for Kamailio's fr_inv_timer)."""
    ctx = context(request)
    _check_acd(ctx, request)

    def rona_ms() -> int | None:
        with ctx.db.read() as s:
            q = s.scalar(select(Queue).where(Queue.name == name))
            return None if q is None else q.rona_s * 1000

    value = await anyio.to_thread.run_sync(rona_ms)
    if value is None:
        return _answer(404, "no-such-queue")
    return PlainTextResponse(str(value))


@router.get("/sip-credential", responses=_TEXT)
async def sip_credential(
    request: Request, user: Annotated[str, Query(min_length=1, max_length=64)]
) -> Response:
    """The SIP secret of an active user (by SIP user name), for Kamailio's digest check."""
    ctx = context(request)
    _check_acd(ctx, request)

    def secret() -> str | None:
        with ctx.db.read() as s:
            return s.scalar(
                select(User.sip_password).where(User.sip_username == user, User.active.is_(True))
            )

    value = await anyio.to_thread.run_sync(secret)
    if value is None:
        return _answer(404, "no-such-user")
    return PlainTextResponse(value, headers={"Cache-Control": "no-store"})


_NOT_FOUND = {
    "no-such-queue": "No such queue.",
    "no-agent": "No agent of this queue is available.",
    "no-offer": "This call has no pending offer.",
    "no-such-user": "No active user has this SIP user name.",
}


def _answer(status: int, text: str) -> Response:
    """200: the plain-text answer; otherwise the API's JSON error shape."""
    if status == 200:
        return PlainTextResponse(text)
    return error_response(status, text.replace("-", "_"), _NOT_FOUND.get(text, text))
