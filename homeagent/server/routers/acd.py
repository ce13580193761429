"""ACD hook for Kamailio: which agent gets a queued call, and what happened to the offer.

Kamailio authenticates with HTTP basic auth, user `acd` and the server's `acd_token`
(`homeagent-server show-acd-token`). Answers are text/plain so the routing script needs
no JSON module: `200 <sip username>`; `202 wait <seconds left>` while nobody is Available
and the call may still wait (Kamailio asks again every second); 404 (`no_agent`) when
nobody is Available and the queue's `max_wait_s` has passed (the call timed out: 480).
Every call is recorded in `queue_calls` (entry, offer, answer, abandon, time-out: see
`homeagent.server.queue_calls`) and its queue's figures are published (`queue_stats`).
`/sip-credential` gives Kamailio what it needs to check a device's SIP digest: the HA1 of
an active device of an active user, and the user it speaks for (its address of record).
"""

from __future__ import annotations

import base64
import hmac
from typing import Annotated, Any, Literal, NamedTuple

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select

from homeagent.core.agent_state import AgentState
from homeagent.server import queue_calls, sip_credentials
from homeagent.server.deps import AGENT, ServerContext, context
from homeagent.server.errors import ApiError, error_response
from homeagent.server.models import AcdOffer, AgentStatus, Queue, QueueCall, User, utcnow
from homeagent.server.queue_stats import FINAL
from homeagent.server.state import RONA_REASON, change_state, mark_locked

router = APIRouter(prefix="/acd", tags=["acd"])
_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "plain text answer"}
}
_ROUTE_TEXT: dict[int | str, dict[str, Any]] = {
    **_TEXT,
    202: {"content": {"text/plain": {}}, "description": "`wait <seconds left>`: ask again"},
}
CallId = Annotated[str, Query(min_length=1, max_length=255)]


class Answer(NamedTuple):
    """A hook's answer, and the queue whose figures it changed (published after commit)."""

    status: int
    text: str
    changed: str | None = None


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


def pick_agent(ctx: ServerContext, queue_name: str, call_id: str) -> Answer:
    """Offer the call to the longest-idle Available agent not yet tried for it.

    Nobody: the call waits (202) until the queue's `max_wait_s`, then times out (404).
    An agent with a lead's pending state change is never offered a call (that change is
    applied when the agent's call ends; a new call would only delay it).
    """
    with ctx.db.write() as s:
        queue = s.scalar(select(Queue).where(Queue.name == queue_name))
        if queue is None:
            return Answer(404, "no-such-queue")
        now = utcnow()
        call, entered = queue_calls.entry(s, queue, call_id, now)
        changed = queue.name if entered else None
        if call.outcome in FINAL:
            return Answer(404, "call-ended")  # hung up or timed out: offer it to nobody
        tried = select(AcdOffer.agent_id).where(AcdOffer.call_id == call_id)
        free = (
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
        )
        stmt = free.order_by(AgentStatus.since, User.name).limit(1)
        if not ctx.db.is_sqlite:
            stmt = stmt.with_for_update(of=AgentStatus, skip_locked=True)
        agent = s.scalar(stmt)
        older = queue_calls.older_calls(s, call, now) if agent is not None else 0
        if older and older >= (s.scalar(select(func.count()).select_from(free.subquery())) or 0):
            agent = None  # first come, first served: the free agents go to older calls
        if agent is None:
            left_s = queue_calls.nobody(call, queue, now)
            if left_s is None:
                return Answer(404, "no-agent", queue.name)
            return Answer(202, f"wait {left_s}", changed)
        if not ctx.db.is_sqlite:  # the select above holds the agent's status row
            mark_locked(s, agent.id)
        # the offer first: the ringing `agent_state` event names its queue
        s.add(AcdOffer(call_id=call_id, queue=queue.name, agent_id=agent.id))
        s.flush()
        change_state(s, agent, AgentState.RINGING)
        queue_calls.offered(call, now)
        return Answer(200, agent.sip_username, changed)


def record_result(ctx: ServerContext, call_id: str, code: int) -> Answer:
    """The offered agent answered (200), rang out (408: RONA) or refused (other codes)."""
    with ctx.db.write() as s:
        offer = s.scalar(
            select(AcdOffer)
            .where(AcdOffer.call_id == call_id, AcdOffer.outcome == "ringing")
            .order_by(AcdOffer.id.desc())
            .limit(1)
        )
        if offer is None:
            return Answer(404, "no-offer")
        agent = s.get(User, offer.agent_id)
        assert agent is not None
        status = s.get(AgentStatus, agent.id)
        ringing = status is not None and status.state == AgentState.RINGING.value
        call = s.scalar(select(QueueCall).where(QueueCall.call_id == call_id))
        now = utcnow()
        changed = False
        if 200 <= code < 300:
            offer.outcome = "answered"
            if ringing:
                change_state(s, agent, AgentState.ON_CALL)
            changed = call is not None and queue_calls.answered(call, agent.id, now)
        elif code == 487:  # the customer hung up while it rang: the agent is free again
            offer.outcome = "cancelled"
            if ringing:
                change_state(s, agent, AgentState.AVAILABLE)
            changed = call is not None and queue_calls.ended(call, "abandoned", now)
        else:  # no answer in time, busy, declined, unreachable: set aside (RONA)
            offer.outcome = "missed"
            if ringing:
                change_state(s, agent, AgentState.NOT_READY, RONA_REASON)
            if call is not None:
                queue_calls.missed(call, now)
        return Answer(200, offer.outcome, call.queue if changed and call is not None else None)


def record_end(ctx: ServerContext, call_id: str, outcome: str) -> Answer:
    """The customer hung up (abandoned) or the ACD gave up on the call (timed_out)."""
    with ctx.db.write() as s:
        call = s.scalar(select(QueueCall).where(QueueCall.call_id == call_id))
        if call is None:
            return Answer(404, "no-such-call")
        changed = queue_calls.ended(call, outcome, utcnow())
        return Answer(200, call.outcome, call.queue if changed else None)


@router.get("/route", responses=_ROUTE_TEXT)
async def route(
    request: Request, queue: Annotated[str, Query(max_length=64)], call_id: CallId
) -> Response:
    """The SIP user name of the agent to ring; `wait <s>` (202); 404 when nobody will."""
    ctx = context(request)
    _check_acd(ctx, request)
    answer = await anyio.to_thread.run_sync(pick_agent, ctx, queue, call_id)
    return _answered(ctx, answer)


@router.get("/result", responses=_TEXT)
async def result(
    request: Request, call_id: CallId, code: Annotated[int, Query(ge=100, le=699)]
) -> Response:
    """Outcome of the latest offer of a call (SIP final response code)."""
    ctx = context(request)
    _check_acd(ctx, request)
    answer = await anyio.to_thread.run_sync(record_result, ctx, call_id, code)
    return _answered(ctx, answer)


@router.get("/ended", responses=_TEXT)
async def ended(
    request: Request,
    call_id: CallId,
    outcome: Annotated[Literal["abandoned", "timed_out"], Query()],
) -> Response:
    """A queue call ended unanswered: the customer hung up (CANCEL) or the ACD gave up.

    Idempotent; the answer is the call's outcome (`answered` if an agent took it first).
    """
    ctx = context(request)
    _check_acd(ctx, request)
    answer = await anyio.to_thread.run_sync(record_end, ctx, call_id, outcome)
    return _answered(ctx, answer)


def _answered(ctx: ServerContext, answer: Answer) -> Response:
    status, text, changed = answer
    if changed is not None and ctx.queue_stats is not None:
        ctx.queue_stats.changed(changed)
    return _answer(status, text)


@router.get("/queues/{name}", responses=_TEXT)
async def queue_settings(request: Request, name: str) -> Response:
    """RONA timeout of a queue in milliseconds (for Kamailio's fr_inv_timer).

    The queue's maximum wait is not here (this answer stays one number): the server
    applies it itself, `/route` answers `wait <seconds left>` until then.
    """
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
    request: Request, user: Annotated[str, Query(min_length=1, max_length=80)]
) -> Response:
    """`<HA1> <AOR user>` of the device whose digest user name is `user`, for Kamailio.

    Only for a device that is not revoked, of an active user; 404 `no_such_user`
    otherwise (Kamailio answers 403). Kamailio checks the digest against the HA1
    (`pv_auth_check`, HA1 flag) and that the request's From (and, for a REGISTER, To)
    user is the AOR user, so a device never speaks for somebody else.
    """
    ctx = context(request)
    _check_acd(ctx, request)

    def lookup() -> tuple[str, str] | None:
        with ctx.db.read() as s:
            return sip_credentials.for_kamailio(s, user)

    value = await anyio.to_thread.run_sync(lookup)
    if value is None:
        return _answer(404, "no-such-user")
    ha1, aor_user = value
    return PlainTextResponse(f"{ha1} {aor_user}", headers={"Cache-Control": "no-store"})


_NOT_FOUND = {
    "no-such-queue": "No such queue.",
    "no-agent": "No agent of this queue is available.",
    "no-offer": "This call has no pending offer.",
    "no-such-call": "No queue call has this Call-ID.",
    "call-ended": "This call has already left the queue.",
    "no-such-user": "No active device of an active user has this SIP user name.",
}


def _answer(status: int, text: str) -> Response:
    """200: the plain-text answer; otherwise the API's JSON error shape."""
    if status in (200, 202):
        return PlainTextResponse(text, status_code=status)
    return error_response(status, text.replace("-", "_"), _NOT_FOUND.get(text, text))
