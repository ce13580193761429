"""GET /events: the live event stream of one device (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from homeagent.server import schemas
from homeagent.server.auth import read_access_token
from homeagent.server.deps import ServerContext, authenticate
from homeagent.server.errors import ApiError
from homeagent.server.events import Audience, EventBus, Subscriber, sse_frame
from homeagent.server.models import Event

router = APIRouter(tags=["events"])
PING_S = 15.0
REPLAY_PAGE = 500


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE stream"}},
)
async def events(
    request: Request,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=schemas.MAX_ID)] = None,
) -> StreamingResponse:
    """Every event for this device after `Last-Event-ID` (header or query), then live.

    Without an id (a first connection) the stream starts at the device's enrolment. The
    stream ends when its access token expires, when the device is revoked or the account
    disabled (checked every `stream_check_s`), and when a newer stream of the same device
    replaces it past `streams_per_device`.
    """
    ctx: ServerContext = request.app.state.ctx
    authorization = request.headers.get("authorization")
    p = await anyio.to_thread.run_sync(authenticate, ctx, authorization)
    assert authorization is not None
    expires_at_s = read_access_token(ctx.token_secret, authorization[7:].strip()).expires_at_s
    check_s = ctx.limits.stream_check_s
    after = last_event_id or 0
    if last_event_id_header:
        header = last_event_id_header.strip()
        value = schemas.parse_id(header)
        if value is None:
            if header.isascii() and header.isdigit():
                raise ApiError(422, "invalid_input", "Last-Event-ID: out of range.")
            raise ApiError(400, "bad_last_event_id", "Last-Event-ID must be an integer.")
        after = max(after, value)
    audience = Audience(p.user_id, p.device_id, p.team_id, p.role)
    bus: EventBus = ctx.bus
    if last_event_id is None and not last_event_id_header:  # a first connection
        after = await anyio.to_thread.run_sync(bus.last_id_before_device, p.device_id)
    sub = bus.subscribe(audience)

    async def stream() -> AsyncIterator[bytes]:
        last = after
        try:
            yield b": connected\n\n"
            # Replay what was missed (subscribed first, so nothing falls in between).
            while True:
                page = await anyio.to_thread.run_sync(bus.replay, audience, last, REPLAY_PAGE)
                for ev in page:
                    yield sse_frame(ev.id, ev.type, ev.data)
                    last = ev.id
                    if ev.type == "device_revoked" and ev.to_device_id == p.device_id:
                        return
                if len(page) < REPLAY_PAGE:
                    break
            next_ping = next_check = time.monotonic()
            next_ping += PING_S
            next_check += check_s
            while True:
                left_s = expires_at_s - time.time()
                if left_s <= 0:
                    yield b": token expired\n\n"  # the client refreshes and reconnects
                    return
                now = time.monotonic()
                if now >= next_check:
                    enrolled = bus.still_enrolled
                    if not await anyio.to_thread.run_sync(enrolled, p.device_id, check_s / 2):
                        return
                    next_check = now + check_s
                if now >= next_ping:
                    yield b": ping\n\n"
                    next_ping = now + PING_S
                wait_s = max(0.01, min(next_ping - now, next_check - now, left_s))
                try:
                    item = await asyncio.wait_for(_next(sub), wait_s)
                except TimeoutError:
                    continue
                if item is None:  # stopping, too far behind, or replaced (sub.reason)
                    return
                if item.id <= last:  # already sent during the replay
                    continue
                yield sse_frame(item.id, item.type, item.data)
                last = item.id
                if item.type == "device_revoked" and item.to_device_id == p.device_id:
                    return
        finally:
            bus.unsubscribe(sub)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _next(sub: Subscriber) -> Event | None:
    return await sub.queue.get()
