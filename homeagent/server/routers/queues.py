"""Queue figures for a team's leads: `GET /teams/{id}/queues` (definitions: queue_stats)."""

from __future__ import annotations

from fastapi import APIRouter

from homeagent.server import schemas
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.models import Team
from homeagent.server.queue_stats import team_queue_stats

router = APIRouter(tags=["queues"])


@router.get("/teams/{team_id}/queues", response_model=list[schemas.QueueStatsOut])
def team_queues(team_id: str, p: Auth, ctx: Ctx) -> list[schemas.QueueStatsOut]:
    """Today's figures of each queue of the team (its leads, admins); live updates come as
    `queue_stats` events. Another team's id is 404, as an unknown one."""
    p.require(TEAM_LEAD, ADMIN)
    if not p.is_admin and team_id != p.team_id:
        raise ApiError(404, "not_found", "No such team.")
    with ctx.db.read() as s:
        if s.get(Team, team_id) is None:
            raise ApiError(404, "not_found", "No such team.")
        return team_queue_stats(s, team_id)
