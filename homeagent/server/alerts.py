"""Team alerts, evaluated on the server so every lead of a team sees the same ones.

One alert per agent, kind and episode (one break, one call, one wrap-up, one stretch of
work, one run of misses or long calls, one help request): raised once when the team's
threshold is crossed, cleared when the episode ends. The decision is pure
(`wanted` + `decide`, tested without a database); `check_agent` applies it in the
caller's transaction after a change (state, logged call, quality, help request), and
`scan` runs the time-based kinds every few seconds from the app's lifespan.

Raising is an INSERT … ON CONFLICT DO NOTHING on the unique (agent, kind, episode) key
and clearing an UPDATE … WHERE cleared_at IS NULL, so two server instances evaluating
the same agent at once raise and clear each alert exactly once (one event each).

Definitions (thresholds from the team's `alerts` settings; null turns a kind off):

- `break_over`: in one break for `break_over_s` or longer;
- `call_over`: on one call (the on-call state) for `call_over_s` or longer;
- `wrap_up_over`: in one wrap-up for the team's `wrap_up_s` + `wrap_up_over_s` or longer;
- `no_break`: working (any state but break and offline) for `no_break_s` since the last
  break or sign-out; the episode is that stretch;
- `mos_under`: the live call's latest published MOS under `mos_under` (cleared by the
  call's final report or when the agent leaves the call);
- `help_waiting`: a help request still open (not acknowledged) after `help_waiting_s`;
- `missed_in_row`: `missed_in_row` missed calls today since the last handled one;
- `long_calls_in_row`: that many handled calls in a row today, each talking longer than
  the board's `thresholds.call_s.warn`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.server import team_settings
from homeagent.server.days import Run, long_calls_in_row, missed_in_row
from homeagent.server.db import Database
from homeagent.server.events import publish
from homeagent.server.models import AgentStatus, CallQuality, HelpRequest, Team, User, utcnow
from homeagent.server.routers.figures import Tally, tallies
from homeagent.server.supervision_models import Alert
from homeagent.server.supervision_schemas import AlertOut, Person, TeamSettingsBody

log = logging.getLogger(__name__)

TIME_KINDS = frozenset(
    {"break_over", "call_over", "wrap_up_over", "no_break", "mos_under", "help_waiting"}
)
RUN_KINDS = frozenset({"missed_in_row", "long_calls_in_row"})
KINDS = TIME_KINDS | RUN_KINDS
HELP_HORIZON = timedelta(hours=24)  # an open request older than this is no longer chased
_SCAN_LOCK_KEY = 7262012  # pg_try_advisory_xact_lock: one instance applies a scan at a time


# --- the decision (pure) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rules:
    """A team's alert thresholds, resolved (None: that kind is off)."""

    break_over_s: float | None = None
    call_over_s: float | None = None
    wrap_up_limit_s: float | None = None  # the team's wrap_up_s + wrap_up_over_s
    missed_in_row: int | None = None
    no_break_s: float | None = None
    mos_under: float | None = None
    help_waiting_s: float | None = None
    long_calls_in_row: int | None = None
    long_call_s: float = 600.0  # what makes a call long (thresholds.call_s.warn)

    @classmethod
    def of(cls, settings: TeamSettingsBody, wrap_up_s: int) -> Rules:
        a = settings.alerts
        return cls(
            break_over_s=a.break_over_s,
            call_over_s=a.call_over_s,
            wrap_up_limit_s=None if a.wrap_up_over_s is None else wrap_up_s + a.wrap_up_over_s,
            missed_in_row=a.missed_in_row,
            no_break_s=a.no_break_s,
            mos_under=a.mos_under,
            help_waiting_s=a.help_waiting_s,
            long_calls_in_row=a.long_calls_in_row,
            long_call_s=settings.thresholds.call_s.warn,
        )

    def enabled(self) -> frozenset[str]:
        on = {
            "break_over": self.break_over_s,
            "call_over": self.call_over_s,
            "wrap_up_over": self.wrap_up_limit_s,
            "missed_in_row": self.missed_in_row,
            "no_break": self.no_break_s,
            "mos_under": self.mos_under,
            "help_waiting": self.help_waiting_s,
            "long_calls_in_row": self.long_calls_in_row,
        }
        return frozenset(k for k, v in on.items() if v is not None)


@dataclass(frozen=True, slots=True)
class Quality:
    sip_call_id: str
    mos: float
    final: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known of one agent now (times timezone-aware UTC)."""

    state: str
    since: datetime
    work_since: datetime | None = None
    quality: Quality | None = None  # the latest published figures
    help: tuple[tuple[int, datetime], ...] = ()  # open help requests: (id, created_at)
    missed: Run | None = None  # None: not looked at (the kind is left as it is)
    long_calls: Run | None = None


@dataclass(frozen=True, slots=True)
class Wanted:
    """An alert that should be open."""

    kind: str
    episode: str
    detail: dict[str, Any]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def wanted(facts: Facts, rules: Rules, now: datetime) -> list[Wanted]:
    """The alerts the facts call for now, each keyed by its episode."""
    out: list[Wanted] = []
    in_state_s = (now - facts.since).total_seconds()
    state = facts.state

    def over(kind: str, limit: float | None, value: float, episode: str, **extra: Any) -> None:
        if limit is not None and value >= limit:
            detail = {"value": round(value), "threshold": limit, **extra}
            out.append(Wanted(kind, episode, detail))

    since = _stamp(facts.since)
    if state == AgentState.BREAK.value:
        over("break_over", rules.break_over_s, in_state_s, f"break@{since}")
    elif state == AgentState.ON_CALL.value:
        over("call_over", rules.call_over_s, in_state_s, f"call@{since}")
        q = facts.quality
        if (
            rules.mos_under is not None
            and q is not None
            and not q.final
            and q.at >= facts.since
            and q.mos < rules.mos_under
        ):
            out.append(
                Wanted(
                    "mos_under",
                    f"call@{since}",
                    {"value": q.mos, "threshold": rules.mos_under, "sip_call_id": q.sip_call_id},
                )
            )
    elif state == AgentState.WRAP_UP.value:
        over("wrap_up_over", rules.wrap_up_limit_s, in_state_s, f"wrap_up@{since}")
    if (
        state not in (AgentState.BREAK.value, AgentState.OFFLINE.value)
        and facts.work_since is not None
    ):
        worked_s = (now - facts.work_since).total_seconds()
        over("no_break", rules.no_break_s, worked_s, f"work@{_stamp(facts.work_since)}")
    for help_id, created_at in facts.help:
        waited_s = (now - created_at).total_seconds()
        over("help_waiting", rules.help_waiting_s, waited_s, f"help#{help_id}", help_id=help_id)
    for kind, run, limit in (
        ("missed_in_row", facts.missed, rules.missed_in_row),
        ("long_calls_in_row", facts.long_calls, rules.long_calls_in_row),
    ):
        if run is not None and limit is not None and run.first_at is not None:
            extra = {"call_s": rules.long_call_s} if kind == "long_calls_in_row" else {}
            over(kind, limit, run.count, f"run@{_stamp(run.first_at)}", **extra)
    return out


@dataclass(frozen=True, slots=True)
class OpenAlert:
    id: int
    kind: str
    episode: str
    raised_at: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    raise_: list[Wanted] = field(default_factory=list)
    clear: list[int] = field(default_factory=list)  # alert ids

    def __bool__(self) -> bool:
        return bool(self.raise_ or self.clear)


def decide(want: Sequence[Wanted], open_: Iterable[OpenAlert], kinds: frozenset[str]) -> Decision:
    """What to raise and clear: only the `kinds` evaluated are touched."""
    wanted_keys = {(w.kind, w.episode) for w in want if w.kind in kinds}
    open_list = list(open_)
    open_keys = {(a.kind, a.episode) for a in open_list}
    return Decision(
        raise_=[w for w in want if w.kind in kinds and (w.kind, w.episode) not in open_keys],
        clear=[
            a.id for a in open_list if a.kind in kinds and (a.kind, a.episode) not in wanted_keys
        ],
    )


def stale_runs(open_: Iterable[OpenAlert], day_start: datetime) -> list[int]:
    """Run alerts of an earlier day: the runs count today's calls, so they ended."""
    return [a.id for a in open_ if a.kind in RUN_KINDS and a.raised_at < day_start]


# --- the database glue -----------------------------------------------------------------


def alert_out(s: Session, alert: Alert) -> AlertOut:
    names = _names(s, {alert.agent_id, *([alert.acked_by_id] if alert.acked_by_id else [])})
    return _out(alert, names)


def _out(alert: Alert, names: dict[str, str]) -> AlertOut:
    acked = alert.acked_by_id
    return AlertOut(
        id=alert.id,
        team_id=alert.team_id,
        agent_id=alert.agent_id,
        agent_name=names.get(alert.agent_id, ""),
        kind=alert.kind,  # type: ignore[arg-type]
        detail=dict(alert.detail or {}),
        raised_at=alert.raised_at,
        cleared_at=alert.cleared_at,
        acked_at=alert.acked_at,
        acked_by=Person(id=acked, name=names.get(acked, "")) if acked else None,
    )


def alerts_out(s: Session, rows: Sequence[Alert]) -> list[AlertOut]:
    ids = {r.agent_id for r in rows} | {r.acked_by_id for r in rows if r.acked_by_id}
    names = _names(s, ids)
    return [_out(r, names) for r in rows]


def _names(s: Session, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = s.execute(select(User.id, User.name, User.display_name).where(User.id.in_(user_ids)))
    return {uid: display or name for uid, name, display in rows}


def publish_alert(s: Session, type_: str, alert: Alert) -> None:
    """`alert` (raised) or `alert_updated` (acked, cleared) to the team's leads."""
    body = alert_out(s, alert).model_dump(mode="json")
    publish(s, type_, body, to_team_id=alert.team_id, to_role="lead")


def rules_for(s: Session, team_id: str) -> Rules:
    team = s.get(Team, team_id)
    wrap_up_s = team.wrap_up_s if team is not None else 0
    return Rules.of(team_settings.load(s, team_id), wrap_up_s)


def apply(
    s: Session,
    decision: Decision,
    *,
    agent_id: str,
    team_id: str | None,
    now: datetime,
) -> None:
    """Raise and clear in the caller's transaction; publish one event per real change."""
    for w in decision.raise_:
        values = {
            "team_id": team_id,
            "agent_id": agent_id,
            "kind": w.kind,
            "episode": w.episode,
            "detail": w.detail,
            "raised_at": now,
        }
        new_id = s.scalar(_insert_once(s).values(**values).returning(Alert.id))
        if new_id is not None:  # None: raised already (here or by another instance)
            alert = s.get(Alert, new_id)
            assert alert is not None
            publish_alert(s, "alert", alert)
    clear(s, decision.clear, now)


def clear(s: Session, alert_ids: Sequence[int], now: datetime) -> None:
    for alert_id in alert_ids:
        done = s.execute(
            update(Alert)
            .where(Alert.id == alert_id, Alert.cleared_at.is_(None))
            .values(cleared_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) == 1:
            alert = s.get(Alert, alert_id)
            assert alert is not None
            s.refresh(alert)
            publish_alert(s, "alert_updated", alert)


def _insert_once(s: Session) -> Any:
    dialect = s.bind.dialect.name if s.bind is not None else "sqlite"
    if dialect == "postgresql":
        return postgresql.insert(Alert).on_conflict_do_nothing(
            index_elements=["agent_id", "kind", "episode"]
        )
    if dialect == "sqlite":
        return sqlite.insert(Alert).on_conflict_do_nothing(
            index_elements=["agent_id", "kind", "episode"]
        )
    return insert(Alert)  # pragma: no cover - only the two supported back-ends


def _open_alerts(s: Session, agent_id: str) -> list[OpenAlert]:
    rows = s.execute(
        select(Alert.id, Alert.kind, Alert.episode, Alert.raised_at).where(
            Alert.agent_id == agent_id, Alert.cleared_at.is_(None)
        )
    )
    return [OpenAlert(*r) for r in rows]


def _quality(row: CallQuality | None) -> Quality | None:
    if row is None:
        return None
    return Quality(row.sip_call_id, row.mos, row.final, row.at)


def _open_help(s: Session, agent_ids: Sequence[str] | None, now: datetime) -> dict[str, list]:
    """Open help requests of the last day by agent (`None`: every agent's)."""
    stmt = select(HelpRequest.id, HelpRequest.agent_id, HelpRequest.created_at).where(
        HelpRequest.status == "open", HelpRequest.created_at >= now - HELP_HORIZON
    )
    if agent_ids is not None:
        if not agent_ids:
            return {}
        stmt = stmt.where(HelpRequest.agent_id.in_(agent_ids))
    out: dict[str, list] = {}
    for help_id, agent_id, created_at in s.execute(stmt):
        out.setdefault(agent_id, []).append((help_id, created_at))
    return out


def check_agent(
    s: Session,
    agent_id: str,
    *,
    runs: bool = False,
    tally: Tally | None = None,
    now: datetime | None = None,
) -> None:
    """Evaluate one agent in the caller's write transaction (after one of its changes).

    `runs`: also the run kinds (after a logged or missed call); `tally` spares the
    figures' queries when the caller has today's already.
    """
    status = s.get(AgentStatus, agent_id)
    now = now or utcnow()
    if status is None or status.team_id is None:  # no longer in a team: nothing to watch
        clear(s, [a.id for a in _open_alerts(s, agent_id)], now)
        return
    rules = rules_for(s, status.team_id)
    enabled = rules.enabled()
    open_ = _open_alerts(s, agent_id)
    if not enabled and not open_:
        return
    kinds = TIME_KINDS | (RUN_KINDS if runs else frozenset())
    missed = long_run = None
    if runs and enabled & RUN_KINDS:
        if tally is None:
            tally = tallies(s, [agent_id], now.date())[agent_id]
        missed = missed_in_row(tally.calls)
        long_run = long_calls_in_row(tally.calls, rules.long_call_s)
    facts = Facts(
        state=status.state,
        since=status.since,
        work_since=status.work_since,
        quality=_quality(s.get(CallQuality, agent_id)) if "mos_under" in enabled else None,
        help=tuple(_open_help(s, [agent_id], now).get(agent_id, []))
        if "help_waiting" in enabled
        else (),
        missed=missed,
        long_calls=long_run,
    )
    decision = decide(wanted(facts, rules, now), open_, kinds)
    if decision:
        apply(s, decision, agent_id=agent_id, team_id=status.team_id, now=now)


def on_quality_changed(s: Session, agent_id: str) -> None:
    """After the agent's app published call-quality figures (`mos_under` at once; the
    5 s timer is the backstop)."""
    check_agent(s, agent_id)


def on_help_changed(s: Session, help_request: HelpRequest) -> None:
    """After a help request is created, acknowledged or resolved (its agent's alerts;
    the 5 s timer is the backstop)."""
    check_agent(s, help_request.agent_id)


def clear_disabled(s: Session, team_id: str, rules: Rules, now: datetime) -> None:
    """A lead turned kinds off: their open alerts of the team clear."""
    off = KINDS - rules.enabled()
    if not off:
        return
    ids = list(
        s.scalars(
            select(Alert.id).where(
                Alert.team_id == team_id, Alert.cleared_at.is_(None), Alert.kind.in_(off)
            )
        )
    )
    clear(s, ids, now)


@dataclass(frozen=True, slots=True)
class _Live:
    agent_id: str
    team_id: str
    state: str
    since: datetime
    work_since: datetime | None


def candidates(s: Session, now: datetime) -> tuple[set[str], list[int]]:
    """Read-only pass over every agent: who needs a time-based change, and stale runs.

    A handful of queries whatever the number of agents; nothing is written.
    """
    open_by_agent: dict[str, list[OpenAlert]] = {}
    for r in s.execute(
        select(Alert.id, Alert.kind, Alert.episode, Alert.raised_at, Alert.agent_id).where(
            Alert.cleared_at.is_(None)
        )
    ):
        open_by_agent.setdefault(r[4], []).append(OpenAlert(r[0], r[1], r[2], r[3]))
    day_start = datetime.combine(now.date(), datetime.min.time(), now.tzinfo)
    stale = [i for alerts in open_by_agent.values() for i in stale_runs(alerts, day_start)]
    columns = (
        AgentStatus.agent_id,
        AgentStatus.team_id,
        AgentStatus.state,
        AgentStatus.since,
        AgentStatus.work_since,
    )
    # offline agents matter only with open alerts: their episodes ended at sign-out
    working = AgentStatus.state != AgentState.OFFLINE.value
    if open_by_agent:
        working = working | AgentStatus.agent_id.in_(list(open_by_agent))
    statuses = [
        _Live(agent_id, str(team_id), state, since, work_since)
        for agent_id, team_id, state, since, work_since in s.execute(
            select(*columns).where(AgentStatus.team_id.is_not(None), working)
        )
    ]
    team_ids = {st.team_id for st in statuses}
    if not team_ids:
        return set(), stale
    settings = team_settings.load_many(s, team_ids)
    wrap = dict(s.execute(select(Team.id, Team.wrap_up_s).where(Team.id.in_(team_ids))).all())
    rules = {t: Rules.of(settings[t], wrap.get(t, 0)) for t in team_ids}
    enabled = {t: r.enabled() for t, r in rules.items()}
    on_call = [
        st.agent_id
        for st in statuses
        if st.state == AgentState.ON_CALL.value and "mos_under" in enabled[st.team_id]
    ]
    quality = (
        {
            q.agent_id: _quality(q)
            for q in s.scalars(select(CallQuality).where(CallQuality.agent_id.in_(on_call)))
        }
        if on_call
        else {}
    )
    help_ = (
        _open_help(s, None, now)
        if any("help_waiting" in kinds for kinds in enabled.values())
        else {}
    )
    out: set[str] = set()
    for st in statuses:
        open_ = open_by_agent.get(st.agent_id, [])
        if not enabled[st.team_id] and not open_:
            continue
        team_rules = rules[st.team_id]
        facts = Facts(
            state=st.state,
            since=st.since,
            work_since=st.work_since,
            quality=quality.get(st.agent_id),
            help=tuple(help_.get(st.agent_id, [])) if "help_waiting" in enabled[st.team_id] else (),
        )
        if decide(wanted(facts, team_rules, now), open_, TIME_KINDS):
            out.add(st.agent_id)
    return out, stale


def scan(db: Database, now: datetime | None = None) -> int:
    """One round of the timer: find who changed (read-only), then apply for those only.

    Returns how many agents were re-evaluated.
    """
    now = now or utcnow()
    with db.read() as s:
        agents, stale = candidates(s, now)
    if not agents and not stale:
        return 0
    with db.write() as s:
        if not db.is_sqlite:
            got = s.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _SCAN_LOCK_KEY})
            if not got:  # another instance is applying the same round
                return 0
        clear(s, stale, now)
        for agent_id in sorted(agents):
            check_agent(s, agent_id, now=now)
    return len(agents)


async def run_scans(db: Database, interval_s: float) -> None:
    """Scan forever (cancel to stop)."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(scan, db)
        except Exception:  # the database is restarting: try again next time
            log.exception("alert scan failed")


@contextlib.asynccontextmanager
async def scanning(db: Database, interval_s: float) -> AsyncIterator[None]:
    """Run the time-based evaluation for the lifetime of the app (0 s: never)."""
    if interval_s <= 0:
        yield
        return
    task = asyncio.create_task(run_scans(db, interval_s), name="alert-scans")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
