"""The board's rules, Qt-free: how an event changes a row, and which cells cross a threshold.

Defined once here so the board, the wallboard and the tests read the same thing:
- time in state counts from the row's `since`; a call's duration from its `started_at`;
- the breaks total is the day's figure plus, during a break, the time since the figure
  was known (the server's figure counts an open break up to when it computed it);
- a threshold is crossed at its value (`>=`; for MOS, `<=`: lower is worse);
- a wrap-up is measured against the team's `wrap_up_s` (its threshold is "over by");
- the breaks total turns amber at 90 % of the allowance and red beyond it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace

from homeagent.core.agent_state import AgentState
from homeagent.core.lead_records import AgentStateEvent, BoardRow, QueueStats
from homeagent.core.lead_settings import TeamBoardSettings, Threshold

CALL_STATES = frozenset({AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP})
BREAK_WARN_SHARE = 0.9  # of the allowance
SL_GOOD_PCT = 80.0  # service level: green at or above
SL_WARN_PCT = 60.0  # amber at or above, red below


class Level(enum.IntEnum):
    """How a figure stands against its threshold (ordered: ALARM is the worst)."""

    OK = 0
    WARN = 1
    ALARM = 2


def level_above(value: float, t: Threshold) -> Level:
    """Higher is worse: amber from `warn`, red from `alarm`."""
    if value >= t.alarm:
        return Level.ALARM
    if value >= t.warn:
        return Level.WARN
    return Level.OK


def level_below(value: float, t: Threshold) -> Level:
    """Lower is worse (MOS): amber at or under `warn`, red at or under `alarm`."""
    if value <= t.alarm:
        return Level.ALARM
    if value <= t.warn:
        return Level.WARN
    return Level.OK


def seconds_between(start: dt.datetime, now: dt.datetime) -> int:
    """Whole seconds from `start` to `now`, never negative (clocks differ a little)."""
    return max(0, int((now - start).total_seconds()))


@dataclass(frozen=True, slots=True)
class LiveRow:
    """A board row and when its day figures were true (for the ticking breaks total)."""

    row: BoardRow
    figures_at: dt.datetime

    def time_in_state_s(self, now: dt.datetime) -> int:
        return seconds_between(self.row.since, now)

    def call_s(self, now: dt.datetime) -> int | None:
        call = self.row.call
        return seconds_between(call.started_at, now) if call is not None else None

    def break_total_s(self, now: dt.datetime) -> int:
        total = self.row.today.breaks.duration_s
        if self.row.state is AgentState.BREAK:
            total += seconds_between(max(self.row.since, self.figures_at), now)
        return total


@dataclass(frozen=True, slots=True)
class Judged:
    """A cell's level and the threshold that set it (for the tooltip); offset: what the
    value is measured from (a wrap-up's allowed time)."""

    level: Level
    threshold: Threshold | None = None
    offset_s: int = 0


OK = Judged(Level.OK)


def judge_time_in_state(
    live: LiveRow, now: dt.datetime, settings: TeamBoardSettings, wrap_up_s: int
) -> Judged:
    """Break against time_in_break_s, a call against call_s, a wrap-up beyond its time."""
    row, t = live.row, settings.thresholds
    elapsed = live.time_in_state_s(now)
    if row.state is AgentState.BREAK:
        return Judged(level_above(elapsed, t.time_in_break_s), t.time_in_break_s)
    if row.state is AgentState.ON_CALL:
        return Judged(level_above(elapsed, t.call_s), t.call_s)
    if row.state is AgentState.WRAP_UP:
        over = elapsed - wrap_up_s
        return Judged(level_above(over, t.wrap_up_over_s), t.wrap_up_over_s, wrap_up_s)
    return OK


def judge_call(live: LiveRow, now: dt.datetime, settings: TeamBoardSettings) -> Judged:
    duration = live.call_s(now)
    if duration is None or live.row.state is not AgentState.ON_CALL:
        return OK
    t = settings.thresholds.call_s
    return Judged(level_above(duration, t), t)


def judge_avg_handle(row: BoardRow, settings: TeamBoardSettings) -> Judged:
    if row.today.calls_handled == 0:
        return OK
    t = settings.thresholds.avg_handle_s
    return Judged(level_above(row.today.avg_handle_s, t), t)


def judge_missed(row: BoardRow, settings: TeamBoardSettings) -> Judged:
    t = settings.thresholds.missed
    return Judged(level_above(row.today.missed, t), t)


def judge_mos(row: BoardRow, settings: TeamBoardSettings) -> Judged:
    if row.quality is None:
        return OK
    t = settings.thresholds.mos
    return Judged(level_below(row.quality.mos, t), t)


NETWORK_LEVEL = {"green": Level.OK, "amber": Level.WARN, "red": Level.ALARM}


def judge_network(row: BoardRow) -> Judged:
    """The pre-shift check's own verdict (the desk judged it; the board only shows it)."""
    if row.network is None:
        return OK
    return Judged(NETWORK_LEVEL[row.network.level])


def judge_breaks(live: LiveRow, now: dt.datetime, settings: TeamBoardSettings) -> Judged:
    allowance = settings.break_allowance_s
    if allowance <= 0:
        return OK
    t = Threshold(warn=round(allowance * BREAK_WARN_SHARE), alarm=allowance + 1)
    return Judged(level_above(live.break_total_s(now), t), t)


def sl_level(pct: float | None) -> Level | None:
    """Service level: green ≥ 80 %, amber ≥ 60 %, red below; None with no call yet."""
    if pct is None:
        return None
    if pct >= SL_GOOD_PCT:
        return Level.OK
    if pct >= SL_WARN_PCT:
        return Level.WARN
    return Level.ALARM


def longest_wait_s(stats: QueueStats, now: dt.datetime) -> int:
    """The longest wait now: from the oldest waiting call's entry (ticking), else the
    server's figure (0 when nobody waits)."""
    if stats.waiting and stats.oldest_since is not None:
        return seconds_between(stats.oldest_since, now)
    return stats.longest_wait_s if stats.waiting else 0


def apply_state(row: BoardRow, ev: AgentStateEvent) -> BoardRow:
    """The row after an `agent_state` event.

    The call follows the event when it says (`call` present); without it, the row keeps
    its call while the agent stays in a call state and drops it otherwise. A pending
    change is consumed when the agent reaches it (the server applied it)."""
    kept = row.call if ev.state in CALL_STATES else None
    call = ev.call if ev.call_known else kept
    pending = row.pending
    if pending is not None and ev.state is pending.state and ev.changed_by is not None:
        pending = None
    return replace(
        row,
        state=ev.state,
        reason=ev.reason,
        since=ev.since,
        changed_by=ev.changed_by,
        call=call,
        pending=pending,
    )


def state_counts(rows: list[BoardRow]) -> dict[AgentState, int]:
    """How many agents are in each state (the wallboard's tiles)."""
    counts = dict.fromkeys(AgentState, 0)
    for row in rows:
        counts[row.state] += 1
    return counts


def short_name(name: str) -> str:
    """ "Claire Martin" → "Claire M." (who set a pending change); one word stays whole."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[0]} {parts[-1][0]}."
