"""Daily figures per agent and per team: calls, handle time, wrap-up, breaks, missed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import schemas
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.models import Interaction, StateHistory, Team, User, utcnow
from homeagent.server.state import RONA_REASON

router = APIRouter(prefix="/figures", tags=["figures"])

DayQuery = Annotated[schemas.Day | None, Query(description="YYYY-MM-DD (UTC); default today")]


def compute(s: Session, agent_ids: Sequence[str], day: date) -> schemas.FiguresOut:
    """Figures of a set of agents for one UTC day."""
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    now = utcnow().replace(tzinfo=None)
    calls = talk_s = wrap_s = breaks = break_s = missed = 0.0
    if agent_ids:
        for i in s.scalars(
            select(Interaction).where(
                Interaction.agent_id.in_(agent_ids),
                Interaction.started_at >= start,
                Interaction.started_at < end,
                Interaction.answered_at.is_not(None),
            )
        ):
            calls += 1
            if i.ended_at is not None and i.answered_at is not None:
                talk_s += max(0.0, (i.ended_at - i.answered_at).total_seconds())
        for seg in s.scalars(
            select(StateHistory).where(
                StateHistory.agent_id.in_(agent_ids),
                StateHistory.started_at >= start,
                StateHistory.started_at < end,
            )
        ):
            began = seg.started_at.replace(tzinfo=None)
            ended = seg.ended_at.replace(tzinfo=None) if seg.ended_at else min(now, end)
            length = max(0.0, (ended - began).total_seconds())
            if seg.state == "wrap_up":
                wrap_s += length
            elif seg.state == "break":
                breaks += 1
                break_s += length
            elif seg.state == "not_ready" and seg.reason == RONA_REASON:
                missed += 1
    return schemas.FiguresOut(
        day=day.isoformat(),
        calls_handled=int(calls),
        avg_handle_s=round((talk_s + wrap_s) / calls) if calls else 0,
        wrap_up_s=round(wrap_s),
        breaks=schemas.BreaksOut(count=int(breaks), duration_s=round(break_s)),
        missed=int(missed),
    )


@router.get("/agents/{agent_id}", response_model=schemas.FiguresOut)
def agent_figures(agent_id: str, p: Auth, ctx: Ctx, day: DayQuery = None) -> schemas.FiguresOut:
    """Own figures, or an agent of my team (team lead), or anyone's (admin)."""
    with ctx.db.read() as s:
        agent = p.readable_agent(s, agent_id)
        return compute(s, [agent.id], day or utcnow().date())


@router.get("/teams/{team_id}", response_model=schemas.FiguresOut)
def team_figures(team_id: str, p: Auth, ctx: Ctx, day: DayQuery = None) -> schemas.FiguresOut:
    p.require(TEAM_LEAD, ADMIN)
    p.require_team(team_id)
    with ctx.db.read() as s:
        if s.get(Team, team_id) is None:
            raise ApiError(404, "not_found", "No such team.")
        ids = list(s.scalars(select(User.id).where(User.team_id == team_id)))
        return compute(s, ids, day or utcnow().date())
