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
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class CallMark:
    """One call of the day as the figures counted it (for runs and hour buckets)."""

    started_at: datetime  # naive UTC
    kind: str  # "handled" | "missed" | "other" (declined, failed dial, unanswered outbound)
    talk_s: float = 0.0


@dataclass(slots=True)
class Tally:
    """The running sums of one agent's day (or a team's: tallies add up)."""

    handled: int = 0
    missed: int = 0
    declined: int = 0
    breaks: int = 0
    talk_s: float = 0.0
    wrap_s: float = 0.0
    break_s: float = 0.0
    calls: list[CallMark] = field(default_factory=list)
    # wrap-up segments of the day: (start, seconds within the day), for handle by hour
    wraps: list[tuple[datetime, float]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.handled += other.handled
        self.missed += other.missed
        self.declined += other.declined
        self.breaks += other.breaks
        self.talk_s += other.talk_s
        self.wrap_s += other.wrap_s
        self.break_s += other.break_s
        self.calls += other.calls
        self.wraps += other.wraps

    def figures(self, day: date) -> schemas.FiguresOut:
        handled = self.handled
        return schemas.FiguresOut(
            day=day.isoformat(),
            calls_handled=handled,
            missed=self.missed,
            declined=self.declined,
            talk_s=round(self.talk_s),
            wrap_up_s=round(self.wrap_s),
            handle_s=round(self.talk_s + self.wrap_s),
            avg_handle_s=round((self.talk_s + self.wrap_s) / handled) if handled else 0,
            avg_wrap_up_s=round(self.wrap_s / handled) if handled else 0,
            breaks=schemas.BreaksOut(count=self.breaks, duration_s=round(self.break_s)),
        )


def tallies(s: Session, agent_ids: Sequence[str], day: date) -> dict[str, Tally]:
    """Each agent's tally for one UTC day, in three queries whatever the number of agents.

    The one place the figures are defined (module docstring); `compute`, the board and
    the days all read them from here.
    """
    start = datetime.combine(day, datetime.min.time())
    end = start + timedelta(days=1)
    now = _naive(utcnow())
    out = {a: Tally() for a in agent_ids}
    if not agent_ids:
        return out
    logged: set[tuple[str, str]] = set()  # (agent, SIP Call-ID) of the calls the desks logged
    for i in s.scalars(
        select(Interaction)
        .where(
            Interaction.agent_id.in_(agent_ids),
            Interaction.started_at >= start,
            Interaction.started_at < end,
        )
        .order_by(Interaction.started_at)
    ):
        t = out[i.agent_id]
        began = _naive(i.started_at)
        if i.answered_at is not None and i.outcome in ANSWERED_OUTCOMES:
            t.handled += 1
            talk = 0.0
            if i.ended_at is not None:
                talk = max(0.0, (i.ended_at - i.answered_at).total_seconds())
            t.talk_s += talk
            t.calls.append(CallMark(began, "handled", talk))
        elif i.direction == "inbound" and i.outcome in DECLINED_OUTCOMES:
            t.declined += 1
            t.calls.append(CallMark(began, "other"))
        elif is_missed(i.outcome, i.direction):
            t.missed += 1
            t.calls.append(CallMark(began, "missed"))
        else:
            t.calls.append(CallMark(began, "other"))
        if i.sip_call_id:
            logged.add((i.agent_id, i.sip_call_id))
    for agent_id, call_id, offered_at in s.execute(
        select(AcdOffer.agent_id, AcdOffer.call_id, AcdOffer.offered_at).where(
            AcdOffer.agent_id.in_(agent_ids),
            AcdOffer.outcome == "missed",
            AcdOffer.offered_at >= start,
            AcdOffer.offered_at < end,
        )
    ):
        if (agent_id, call_id) not in logged:
            logged.add((agent_id, call_id))
            out[agent_id].missed += 1
            out[agent_id].calls.append(CallMark(_naive(offered_at), "missed"))
    for seg in s.scalars(
        select(StateHistory).where(
            StateHistory.agent_id.in_(agent_ids),
            StateHistory.state.in_((AgentState.WRAP_UP.value, AgentState.BREAK.value)),
            StateHistory.started_at < end,
            or_(StateHistory.ended_at.is_(None), StateHistory.ended_at > start),
        )
    ):
        t = out[seg.agent_id]
        began = _naive(seg.started_at)
        ended = _naive(seg.ended_at) if seg.ended_at is not None else now
        length = max(0.0, (min(ended, end) - max(began, start)).total_seconds())
        if seg.state == AgentState.WRAP_UP.value:
            t.wrap_s += length
            t.wraps.append((max(began, start), length))
        else:
            t.break_s += length
            t.breaks += 1 if began >= start else 0
    for t in out.values():
        t.calls.sort(key=lambda c: c.started_at)
    return out


def compute(s: Session, agent_ids: Sequence[str], day: date) -> schemas.FiguresOut:
    """Figures of a set of agents for one UTC day (the definitions: module docstring)."""
    total = Tally()
    for t in tallies(s, agent_ids, day).values():
        total.add(t)
    return total.figures(day)


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
