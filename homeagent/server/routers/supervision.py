"""The team lead's routes: teams, settings, the board, alerts, the audit log, the days."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server import alerts, audit, board, call_supervision, schemas, team_settings
from homeagent.server.deps import ADMIN, TEAM_LEAD, Auth, Ctx, Principal
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import Team, User, utcnow
from homeagent.server.routers.me import team_out
from homeagent.server.supervision_models import Alert, AuditEntry, TeamSettings
from homeagent.server.supervision_schemas import (
    AgentDayReportOut,
    AlertOut,
    AuditOut,
    BoardOut,
    DayOut,
    Person,
    TeamSettingsBody,
)

router = APIRouter(tags=["supervision"])

DayQuery = Annotated[schemas.Day | None, Query(description="YYYY-MM-DD (UTC); default today")]
TeamId = Annotated[str, Path(max_length=36)]
MAX_ROWS = 5000


def _team(s: Session, p: Principal, team_id: str) -> Team:
    """The team, for its lead or an admin (403 for anyone else, 404 if unknown)."""
    p.require(TEAM_LEAD, ADMIN)
    p.require_team(team_id)
    team = s.get(Team, team_id)
    if team is None:
        raise ApiError(404, "not_found", "No such team.")
    return team


def _day_bounds(day: schemas.Day | None) -> tuple[datetime, datetime]:
    start = datetime.combine(day or utcnow().date(), datetime.min.time())
    return start, start + timedelta(days=1)


@router.get("/teams", response_model=list[schemas.TeamOut])
def list_teams(p: Auth, ctx: Ctx) -> list[schemas.TeamOut]:
    """Every team (admin); a team lead's own team."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.read() as s:
        stmt = select(Team).order_by(Team.name)
        if not p.is_admin:
            stmt = stmt.where(Team.id == p.team_id)
        return [team_out(s, t) for t in s.scalars(stmt)]


@router.get("/teams/{team_id}/settings", response_model=TeamSettingsBody)
def get_settings(team_id: TeamId, p: Auth, ctx: Ctx) -> TeamSettingsBody:
    """The team's thresholds and alerts (the defaults until a lead saves them)."""
    with ctx.db.read() as s:
        _team(s, p, team_id)
        return team_settings.load(s, team_id)


@router.put("/teams/{team_id}/settings", response_model=TeamSettingsBody)
def put_settings(team_id: TeamId, body: TeamSettingsBody, p: Auth, ctx: Ctx) -> TeamSettingsBody:
    """Replace the team's settings (every key); audited, told to the team's leads."""
    now = utcnow()
    with ctx.db.write() as s:
        team = _team(s, p, team_id)
        before = team_settings.load(s, team_id).model_dump(mode="json")
        after = body.model_dump(mode="json")
        row = s.get(TeamSettings, team_id)
        if row is None:
            s.add(
                TeamSettings(team_id=team_id, data=after, updated_at=now, updated_by_id=p.user_id)
            )
        else:
            row.data, row.updated_at, row.updated_by_id = after, now, p.user_id
        audit.record(
            s,
            actor_id=p.user_id,
            team_id=team_id,
            action="settings_change",
            detail={"before": before, "after": after},
        )
        publish(
            s, "team_settings", {**after, "team_id": team_id}, to_team_id=team_id, to_role="lead"
        )
        s.flush()
        alerts.clear_disabled(s, team_id, alerts.Rules.of(body, team.wrap_up_s), now)
        return body


@router.get("/teams/{team_id}/board", response_model=BoardOut)
def get_board(team_id: TeamId, p: Auth, ctx: Ctx) -> BoardOut:
    """One row per agent of the team: live state, current call, today's figures, quality."""
    with ctx.db.read() as s:
        return board.build_board(s, _team(s, p, team_id))


@router.get("/teams/{team_id}/alerts", response_model=list[AlertOut])
def list_alerts(
    team_id: TeamId,
    p: Auth,
    ctx: Ctx,
    day: DayQuery = None,
    open_only: Annotated[
        bool, Query(alias="open", description="only the alerts not cleared yet")
    ] = False,
) -> list[AlertOut]:
    """The team's alerts raised that day (default today); `open=true`: those still open
    (of any day unless `day` is given)."""
    with ctx.db.read() as s:
        _team(s, p, team_id)
        stmt = select(Alert).where(Alert.team_id == team_id)
        if day is not None or not open_only:
            start, end = _day_bounds(day)
            stmt = stmt.where(Alert.raised_at >= start, Alert.raised_at < end)
        if open_only:
            stmt = stmt.where(Alert.cleared_at.is_(None))
        rows = list(s.scalars(stmt.order_by(Alert.id).limit(MAX_ROWS)))
        return alerts.alerts_out(s, rows)


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut)
def ack_alert(
    alert_id: Annotated[int, Path(ge=0, le=schemas.MAX_ID)], p: Auth, ctx: Ctx
) -> AlertOut:
    """Acknowledge an alert of my team (idempotent; the first one is audited)."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.write() as s:
        alert = s.get(Alert, alert_id)
        if alert is None or not (p.is_admin or alert.team_id == p.team_id):
            raise ApiError(404, "not_found", "No such alert.")
        if alert.acked_at is None:
            alert.acked_at, alert.acked_by_id = utcnow(), p.user_id
            audit.record(
                s,
                actor_id=p.user_id,
                team_id=alert.team_id,
                action="alert_ack",
                agent_id=alert.agent_id,
                detail={"alert_id": alert.id, "kind": alert.kind},
            )
            s.flush()
            alerts.publish_alert(s, "alert_updated", alert)
        return alerts.alert_out(s, alert)


@router.get("/teams/{team_id}/audit", response_model=list[AuditOut])
def list_audit(team_id: TeamId, p: Auth, ctx: Ctx, day: DayQuery = None) -> list[AuditOut]:
    """Who did what to whom that day (default today), oldest first."""
    with ctx.db.read() as s:
        _team(s, p, team_id)
        start, end = _day_bounds(day)
        rows = list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.team_id == team_id, AuditEntry.at >= start, AuditEntry.at < end)
                .order_by(AuditEntry.at, AuditEntry.id)
                .limit(MAX_ROWS)
            )
        )
        actors = {r.actor_id for r in rows}
        names = (
            {
                uid: display or name
                for uid, name, display in s.execute(
                    select(User.id, User.name, User.display_name).where(User.id.in_(actors))
                )
            }
            if actors
            else {}
        )
        return [
            AuditOut(
                id=r.id,
                at=r.at,
                actor=Person(id=r.actor_id, name=names.get(r.actor_id, "")),
                action=r.action,
                agent_id=r.agent_id,
                detail=dict(r.detail or {}),
            )
            for r in rows
        ]


@router.get("/teams/{team_id}/day", response_model=DayOut)
def team_day(team_id: TeamId, p: Auth, ctx: Ctx, day: DayQuery = None) -> DayOut:
    """Every agent's day (figures, calls and handle time by hour, timeline) and the team's."""
    with ctx.db.read() as s:
        _team(s, p, team_id)
        members = list(s.scalars(select(User.id).where(User.team_id == team_id)))
        return board.build_day(
            s, board.team_agents(s, team_id), day or utcnow().date(), team_ids=members
        )


@router.get("/agents/{agent_id}/day", response_model=AgentDayReportOut)
def agent_day(
    agent_id: Annotated[str, Path(max_length=36)], p: Auth, ctx: Ctx, day: DayQuery = None
) -> AgentDayReportOut:
    """One agent's day ("Ma journée"): own, the team lead, or an admin; `team` is null.

    `supervisions`: the supervision sessions on the agent that day (under the `silent`
    policy the agent sees a session once it has ended)."""
    with ctx.db.read() as s:
        agent = p.readable_agent(s, agent_id)
        report = board.build_day(s, [agent], day or utcnow().date(), team_ids=None)
        start, end = _day_bounds(day)
        hide_open = p.user_id == agent.id and call_supervision.policy(s) == "silent"
        sessions = call_supervision.day_supervisions(s, agent.id, start, end, hide_open=hide_open)
        return AgentDayReportOut.model_validate({**report.model_dump(), "supervisions": sessions})
