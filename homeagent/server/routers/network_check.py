"""The pre-shift check: an echo token for the desk, its results, and the lead's view of them.

- `POST /network-check/echo-session` (any signed-in user): a token for the UDP echo
  service (`homeagent.server.echo`), its address, the server's clock; 503
  `echo_unavailable` when the server runs without one.
- `POST /agents/me/network-check` (agent, team lead): the desk's result; the board's
  badge changes (`network_check` event to the team's leads).
- `GET /agents/{id}/network-check`: one's own, a lead their team's, an admin anyone's;
  404 `no_check` when there is none yet.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import APIRouter, Path

from homeagent.server import schemas
from homeagent.server.deps import AGENT, TEAM_LEAD, Auth, Ctx
from homeagent.server.echo import PACKET_BYTES, PAYLOAD_BYTES, TOKEN_TTL_S, token_text
from homeagent.server.errors import ApiError, ErrorBody
from homeagent.server.events import publish
from homeagent.server.models import NetworkCheck, utcnow
from homeagent.server.network_check import badge_payload, check_out, store_check

router = APIRouter(tags=["network-check"])
AgentId = Annotated[str, Path(max_length=36)]


@router.post(
    "/network-check/echo-session",
    response_model=schemas.EchoSessionOut,
    responses={503: {"model": ErrorBody, "description": "No echo service on this server"}},
)
def echo_session(p: Auth, ctx: Ctx) -> schemas.EchoSessionOut:
    """A token for ~10 s of echo probes (docs/api.md, "Echo protocol")."""
    echo = ctx.echo
    if echo is None or echo.bound_port == 0:
        raise ApiError(503, "echo_unavailable", "This server runs no echo service.")
    now = utcnow()
    wait_s = ctx.echo_gate.admit(p.user_id, final=False)
    if wait_s is not None:
        raise ApiError(
            429, "too_many_checks", f"One echo session every 5 s; retry in {math.ceil(wait_s)} s."
        )
    return schemas.EchoSessionOut(
        token=token_text(echo.new_token()),
        host=echo.public_host,
        port=echo.bound_port,
        packet_bytes=PACKET_BYTES,
        payload_bytes=PAYLOAD_BYTES,
        max_packets=echo.limits.max_packets,
        max_pps=echo.limits.per_token_pps,
        expires_at=now + dt.timedelta(seconds=TOKEN_TTL_S),
        server_time=now,
    )


@router.post("/agents/me/network-check", response_model=schemas.NetworkCheckOut)
def report_network_check(
    body: schemas.NetworkCheckIn, p: Auth, ctx: Ctx
) -> schemas.NetworkCheckOut:
    """Store my latest pre-shift check; the team's leads see its badge at once."""
    p.require(AGENT, TEAM_LEAD)
    values = {**body.model_dump(), "at": utcnow()}
    with ctx.db.write() as s:
        row = store_check(s, p.user_id, values)
        if p.team_id is not None:
            publish(
                s,
                "network_check",
                {"agent_id": p.user_id, **badge_payload(row)},
                to_team_id=p.team_id,
                to_role="lead",
            )
        return schemas.NetworkCheckOut(**check_out(row))


@router.get("/agents/{agent_id}/network-check", response_model=schemas.NetworkCheckOut)
def read_network_check(agent_id: AgentId, p: Auth, ctx: Ctx) -> schemas.NetworkCheckOut:
    """An agent's latest check: their own, their lead's, or an admin's to read."""
    with ctx.db.read() as s:
        p.readable_agent(s, agent_id)
        row = s.get(NetworkCheck, agent_id)
        if row is None:
            raise ApiError(404, "no_check", "This agent has not run the pre-shift check yet.")
        return schemas.NetworkCheckOut(**check_out(row))
