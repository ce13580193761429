"""The team board and the days, each built in a fixed number of queries.

The board's figures come from `routers.figures.tallies` — the same definitions as GET
/figures/agents — for all the team's agents at once; the current calls from
`live.live_calls`; names, quality and pending changes from one query each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.server import days
from homeagent.server.deps import AGENT
from homeagent.server.live import live_calls, today_out
from homeagent.server.models import AgentStatus, CallQuality, StateHistory, Team, User, utcnow
from homeagent.server.network_check import badge_payload, badges_of
from homeagent.server.routers.figures import Tally, tallies
from homeagent.server.supervision_schemas import (
    AgentDayOut,
    BoardOut,
    BoardRow,
    DayOut,
    LiveCallOut,
    NetworkBadgeOut,
    PendingOut,
    Person,
    QualityOut,
    TeamDayOut,
    TimelineSegment,
)


def team_agents(s: Session, team_id: str) -> list[User]:
    """The team's active agents, by login name."""
    return list(
        s.scalars(
            select(User)
            .where(User.team_id == team_id, User.role == AGENT, User.active.is_(True))
            .order_by(User.name)
        )
    )


def _names(s: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = s.execute(select(User.id, User.name, User.display_name).where(User.id.in_(ids)))
    return {uid: display or name for uid, name, display in rows}


def build_board(s: Session, team: Team) -> BoardOut:
    now = utcnow()
    agents = team_agents(s, team.id)
    ids = [a.id for a in agents]
    statuses = (
        {r.agent_id: r for r in s.scalars(select(AgentStatus).where(AgentStatus.agent_id.in_(ids)))}
        if ids
        else {}
    )
    day_start = datetime.combine(now.date(), datetime.min.time(), UTC)
    quality = (
        {
            q.agent_id: q
            for q in s.scalars(
                select(CallQuality).where(
                    CallQuality.agent_id.in_(ids), CallQuality.at >= day_start
                )
            )
        }
        if ids
        else {}
    )
    calls = live_calls(s, list(statuses.values()))
    checks = badges_of(s, ids, now)
    figures = tallies(s, ids, now.date())
    people = {r.changed_by_id for r in statuses.values() if r.changed_by_id} | {
        r.pending_by_id for r in statuses.values() if r.pending_by_id
    }
    names = _names(s, people)
    rows = []
    for agent in agents:
        st = statuses.get(agent.id)
        q = quality.get(agent.id)
        call = calls.get(agent.id)
        rows.append(
            BoardRow(
                agent_id=agent.id,
                name=agent.name,
                display_name=agent.display_name,
                state=AgentState(st.state) if st else AgentState.OFFLINE,
                reason=st.reason if st else "",
                since=st.since if st else now,
                changed_by=_person(st.changed_by_id, names) if st else None,
                pending=_pending(st, names) if st else None,
                call=LiveCallOut(**call) if call else None,
                today=today_out(figures[agent.id]),
                quality=QualityOut(
                    mos=q.mos,
                    loss_pct=q.loss_pct,
                    jitter_ms=q.jitter_ms,
                    rtt_ms=q.rtt_ms,
                    at=q.at,
                    final=q.final,
                )
                if q
                else None,
                network=NetworkBadgeOut(**badge_payload(checks[agent.id]))
                if agent.id in checks
                else None,
            )
        )
    return BoardOut(
        team_id=team.id,
        team_name=team.name,
        wrap_up_s=team.wrap_up_s,
        generated_at=now,
        agents=rows,
    )


def _person(user_id: str | None, names: dict[str, str]) -> Person | None:
    return Person(id=user_id, name=names.get(user_id, "")) if user_id else None


def _pending(st: AgentStatus, names: dict[str, str]) -> PendingOut | None:
    if st.pending_state is None:
        return None
    return PendingOut(
        state=AgentState(st.pending_state),
        reason=st.pending_reason,
        by=_person(st.pending_by_id, names),
        note=st.pending_note,
        at=st.pending_at,
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def build_day(
    s: Session, agents: Sequence[User], day: date, *, team_ids: Sequence[str] | None
) -> DayOut:
    """Each agent's figures, hour buckets and timeline for `day`; with `team_ids` (every
    user of the team, as GET /figures/teams counts them) the team's sums too."""
    ids = [a.id for a in agents]
    by_agent = tallies(s, list(dict.fromkeys([*ids, *(team_ids or [])])), day)
    start = datetime.combine(day, datetime.min.time())
    now = utcnow().replace(tzinfo=None)
    segments: dict[str, list[days.Segment]] = {a: [] for a in ids}
    if ids:
        for seg in s.scalars(
            select(StateHistory)
            .where(
                StateHistory.agent_id.in_(ids),
                StateHistory.started_at < start + timedelta(days=1),
                or_(StateHistory.ended_at.is_(None), StateHistory.ended_at > start),
            )
            .order_by(StateHistory.agent_id, StateHistory.started_at, StateHistory.id)
        ):
            segments[seg.agent_id].append(
                days.Segment(
                    seg.state,
                    seg.reason,
                    seg.started_at.replace(tzinfo=None),
                    seg.ended_at.replace(tzinfo=None) if seg.ended_at else None,
                )
            )
    out = []
    for agent in agents:
        tally = by_agent[agent.id]
        hours = days.hours(tally)
        out.append(
            AgentDayOut(
                agent_id=agent.id,
                name=agent.name,
                display_name=agent.display_name,
                figures=tally.figures(day),
                calls_per_hour=hours.calls,
                handle_by_hour=hours.means(),
                timeline=[
                    TimelineSegment(
                        state=AgentState(state), reason=reason, start=_aware(a), end=_aware(b)
                    )
                    for state, reason, a, b in days.clip(segments[agent.id], start, now)
                ],
            )
        )
    team = None
    if team_ids is not None:
        team_tally, team_hours = Tally(), days.empty_hours()
        for user_id in team_ids:
            team_tally.add(by_agent[user_id])
            team_hours = team_hours.add(days.hours(by_agent[user_id]))
        team = TeamDayOut(
            figures=team_tally.figures(day),
            calls_per_hour=team_hours.calls,
            handle_by_hour=team_hours.means(),
        )
    return DayOut(day=day.isoformat(), agents=out, team=team)
