"""Daily figures per agent and per team, each defined once (docs/api.md, "Figures").

They are computed from the records the desk's History shows — the logged calls
(``interactions``) and the agent's state segments (``state_history``) — never from a
separate counter, so a figure always equals what the history lists:

- **handled**: calls of the day that were answered (``answered_at`` set, outcome
  ``answered`` or ``transferred``), inbound or outbound;
- **missed**: inbound calls of the day that rang at the agent and were neither answered
  nor declined (outcome ``missed``: rang out or the ACD's RONA; ``abandoned``: the
  customer hung up while it rang; ``failed``) — the History's "Manqué"
  (``homeagent.core.desk_types.is_missed``, the same rule) — plus the queue offers the
  ACD recorded as missed (RONA, agent unreachable) that the agent's desk never logged
  (the app was closed or never saw the INVITE): one call, one count (matched by the
  SIP Call-ID the desk logs as ``sip_call_id``);
- **declined**: inbound calls the agent turned down (outcome ``busy``, "Refusé");
- **talk**: answered → ended of the handled calls (hold is part of the call);
- **wrap-up**: the time spent in ``wrap_up`` state segments (after handled calls only: the
  server refuses a wrap-up with no call behind it);
- **handle time** = talk + wrap-up; the averages divide by the handled calls;
- **breaks**: ``break`` segments begun that day (count) and their time within the day.

A call belongs to the day it started; a state segment counts for its part inside the day
(an open one up to now).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_types import ANSWERED_OUTCOMES, DECLINED_OUTCOMES, is_missed
from homeagent.server import schemas
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx
from homeagent.server.errors import ApiError
from homeagent.server.models import AcdOffer, Interaction, StateHistory, Team, User, utcnow

router = APIRouter(prefix="/figures", tags=["figures"])

DayQuery = Annotated[schemas.Day | None, Query(description="YYYY-MM-DD (UTC); default today")]


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def compute(s: Session, agent_ids: Sequence[str], day: date) -> schemas.FiguresOut:
    """Figures of a set of agents for one UTC day (the definitions: module docstring)."""
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    now = _naive(utcnow())
    handled = missed = declined = breaks = 0
    talk_s = wrap_s = break_s = 0.0
    logged: set[tuple[str, str]] = set()  # (agent, SIP Call-ID) of the calls the desks logged
    if agent_ids:
        for i in s.scalars(
            select(Interaction).where(
                Interaction.agent_id.in_(agent_ids),
                Interaction.started_at >= start,
                Interaction.started_at < end,
            )
        ):
            if i.answered_at is not None and i.outcome in ANSWERED_OUTCOMES:
                handled += 1
                if i.ended_at is not None:
                    talk_s += max(0.0, (i.ended_at - i.answered_at).total_seconds())
            elif i.direction == "inbound" and i.outcome in DECLINED_OUTCOMES:
                declined += 1
            elif is_missed(i.outcome, i.direction):
                missed += 1
            if i.sip_call_id:
                logged.add((i.agent_id, i.sip_call_id))
        for agent_id, call_id in s.execute(
            select(AcdOffer.agent_id, AcdOffer.call_id).where(
                AcdOffer.agent_id.in_(agent_ids),
                AcdOffer.outcome == "missed",
                AcdOffer.offered_at >= start,
                AcdOffer.offered_at < end,
            )
        ):
            if (agent_id, call_id) not in logged:
                logged.add((agent_id, call_id))
                missed += 1
        for seg in s.scalars(
            select(StateHistory).where(
                StateHistory.agent_id.in_(agent_ids),
                StateHistory.state.in_((AgentState.WRAP_UP.value, AgentState.BREAK.value)),
                StateHistory.started_at < end,
                or_(StateHistory.ended_at.is_(None), StateHistory.ended_at > start),
            )
        ):
            began = _naive(seg.started_at)
            ended = _naive(seg.ended_at) if seg.ended_at is not None else now
            length = max(0.0, (min(ended, end) - max(began, start)).total_seconds())
            if seg.state == AgentState.WRAP_UP.value:
                wrap_s += length
            else:
                break_s += length
                breaks += 1 if began >= start else 0
    return schemas.FiguresOut(
        day=day.isoformat(),
        calls_handled=handled,
        missed=missed,
        declined=declined,
        talk_s=round(talk_s),
        wrap_up_s=round(wrap_s),
        handle_s=round(talk_s + wrap_s),
        avg_handle_s=round((talk_s + wrap_s) / handled) if handled else 0,
        avg_wrap_up_s=round(wrap_s / handled) if handled else 0,
        breaks=schemas.BreaksOut(count=breaks, duration_s=round(break_s)),
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
