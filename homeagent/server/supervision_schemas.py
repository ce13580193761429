"""Bodies of the team-lead routes: settings, board, alerts, audit, days (docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from homeagent.core.agent_state import AgentState
from homeagent.server.schemas import BreaksOut, FiguresOut, Strict

MAX_S = 86400
Seconds = Annotated[int, Field(ge=0, le=MAX_S)]
Count = Annotated[int, Field(ge=1, le=MAX_S)]
Mos = Annotated[float, Field(ge=1.0, le=4.5)]


class Level(Strict):
    """A board colour threshold: amber from `warn`, red from `alarm` (higher is worse)."""

    warn: Seconds
    alarm: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.warn > self.alarm:
            raise ValueError("warn must not be above alarm")
        return self


class MosLevel(Strict):
    """MOS colours: amber below `warn`, red below `alarm` (lower is worse)."""

    warn: Mos
    alarm: Mos

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.warn < self.alarm:
            raise ValueError("mos warn must not be below alarm (lower is worse)")
        return self


class Thresholds(Strict):
    time_in_break_s: Level
    call_s: Level  # warn is also what makes a call "long" for long_calls_in_row
    wrap_up_over_s: Level  # beyond the team's wrap_up_s
    avg_handle_s: Level
    missed: Level
    mos: MosLevel


class AlertSettings(Strict):
    """Null turns that alert off."""

    break_over_s: Seconds | None
    call_over_s: Seconds | None
    wrap_up_over_s: Seconds | None  # beyond the team's wrap_up_s
    missed_in_row: Count | None
    no_break_s: Seconds | None
    mos_under: Mos | None
    help_waiting_s: Seconds | None
    # N handled calls in a row each longer than thresholds.call_s.warn (absent: off)
    long_calls_in_row: Count | None = None


class TeamSettingsBody(Strict):
    """PUT /teams/{id}/settings and its answer (every key; unknown keys are refused)."""

    break_allowance_s: Seconds
    thresholds: Thresholds
    alerts: AlertSettings


class Person(BaseModel):
    id: str
    name: str


class PendingOut(BaseModel):
    state: AgentState
    reason: str
    by: Person | None
    note: str
    at: datetime | None


class LiveCallOut(BaseModel):
    started_at: datetime  # when the call began (rang at the agent, or was dialled)
    queue: str  # "" for a direct or outbound call
    direction: Literal["inbound", "outbound"] | None  # None: not known yet


class TodayOut(BaseModel):
    """The board's figures of today; the same definitions as GET /figures/agents."""

    calls_handled: int
    avg_handle_s: int
    missed: int
    missed_in_row: int  # missed calls since the last handled one, today
    breaks: BreaksOut


class QualityOut(BaseModel):
    mos: float
    loss_pct: float
    jitter_ms: float
    rtt_ms: float
    at: datetime
    final: bool


class NetworkBadgeOut(BaseModel):
    """The board's network badge: the agent's last pre-shift check (issue 15)."""

    level: Literal["green", "amber", "red"]
    mos: float | None  # G.722, the E-model estimate
    loss_pct: float | None
    jitter_ms: float | None
    rtt_ms: float | None
    at: datetime


class BoardRow(BaseModel):
    agent_id: str
    name: str
    display_name: str
    state: AgentState
    reason: str
    since: datetime
    changed_by: Person | None
    pending: PendingOut | None
    call: LiveCallOut | None
    today: TodayOut
    quality: QualityOut | None
    network: NetworkBadgeOut | None = None  # the last pre-shift check of today


class BoardOut(BaseModel):
    team_id: str
    team_name: str
    wrap_up_s: int
    generated_at: datetime
    agents: list[BoardRow]


AlertKind = Literal[
    "break_over",
    "call_over",
    "wrap_up_over",
    "missed_in_row",
    "no_break",
    "mos_under",
    "help_waiting",
    "long_calls_in_row",
]


class AlertOut(BaseModel):
    id: int
    team_id: str | None
    agent_id: str
    agent_name: str
    kind: AlertKind
    detail: dict[str, Any]  # {value, threshold, …}
    raised_at: datetime
    cleared_at: datetime | None
    acked_at: datetime | None
    acked_by: Person | None


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: Person
    action: str
    agent_id: str | None
    detail: dict[str, Any]


class TimelineSegment(BaseModel):
    state: AgentState
    reason: str
    start: datetime
    end: datetime


class AgentDayOut(BaseModel):
    agent_id: str
    name: str
    display_name: str
    figures: FiguresOut
    calls_per_hour: list[int]  # handled calls by start hour (UTC), 24 values
    handle_by_hour: list[int | None]  # mean handle seconds of those calls; None: no call
    timeline: list[TimelineSegment]  # clipped to the day; an open segment ends now


class TeamDayOut(BaseModel):
    figures: FiguresOut
    calls_per_hour: list[int]
    handle_by_hour: list[int | None]


class DayOut(BaseModel):
    day: str
    agents: list[AgentDayOut]
    team: TeamDayOut | None


class DaySupervisionOut(BaseModel):
    """A supervision session on the agent that day (live call supervision)."""

    id: int
    lead_name: str
    modes: list[Literal["listen", "whisper", "barge"]]  # in the order the lead used them
    started_at: datetime
    ended_at: datetime | None  # None: still going on
    end_reason: str | None


class AgentDayReportOut(DayOut):
    """GET /agents/{id}/day: the day, and the supervision sessions on the agent."""

    supervisions: list[DaySupervisionOut]
