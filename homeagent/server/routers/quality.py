"""The agent app's call-quality figures, relayed to the team's leads."""

from __future__ import annotations

import math

from fastapi import APIRouter, Response

from homeagent.server import alerts, schemas
from homeagent.server.deps import AGENT, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import utcnow
from homeagent.server.quality import quality_payload, store_quality

router = APIRouter(tags=["agents"])


@router.post("/agents/me/call-quality", status_code=204, response_class=Response)
def report_call_quality(body: schemas.CallQualityIn, p: Auth, ctx: Ctx) -> Response:
    """MOS, loss, jitter and round trip of my current call (every 5 s, and at its end)."""
    p.require(AGENT, TEAM_LEAD)
    wait_s = ctx.quality_gate.admit(p.user_id, final=body.final)
    if wait_s is not None:
        raise ApiError(
            429,
            "too_many_reports",
            f"At most one call-quality report a second; retry in {math.ceil(wait_s)} s.",
        )
    values = {**body.model_dump(), "at": utcnow()}
    with ctx.db.write() as s:
        row = store_quality(s, p.user_id, values)
        if p.team_id is not None:
            publish(
                s,
                "call_quality",
                {"agent_id": p.user_id, **quality_payload(row)},
                to_team_id=p.team_id,
                to_role="lead",
            )
        alerts.on_quality_changed(s, p.user_id)
    return Response(status_code=204)
