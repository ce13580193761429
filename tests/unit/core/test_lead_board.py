"""The board's rules: thresholds, ticking figures, how an event changes a row."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from homeagent.core import lead_board as lb
from homeagent.core.agent_state import AgentState
from homeagent.core.lead_records import (
    AgentStateEvent,
    BoardRow,
    CurrentCall,
    PendingState,
    Person,
    QueueStats,
    TodayFigures,
)
from homeagent.core.lead_settings import DEFAULT_SETTINGS, Threshold
from homeagent.core.records import Breaks

T0 = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
LEAD = Person("u-9", "Claire Martin")


def make_row(state: AgentState = AgentState.AVAILABLE, **over: object) -> BoardRow:
    base = BoardRow(
        agent_id="a-1", name="lea", display_name="Léa Moreau", state=state, reason="",
        since=T0, changed_by=None, pending=None, call=None,
        today=TodayFigures(3, 300, 0, 0, Breaks(1, 600)), quality=None,
    )  # fmt: skip
    return replace(base, **over)  # type: ignore[arg-type]


def event(state: AgentState, **over: object) -> AgentStateEvent:
    base = AgentStateEvent("a-1", state, "", T0 + dt.timedelta(minutes=1), None, "", None, False)
    return replace(base, **over)  # type: ignore[arg-type]


def test_levels_cross_at_their_values() -> None:
    t = Threshold(600, 900)
    assert [lb.level_above(v, t) for v in (599, 600, 899, 900)] == [
        lb.Level.OK, lb.Level.WARN, lb.Level.WARN, lb.Level.ALARM,
    ]  # fmt: skip
    mos = Threshold(3.6, 3.1)
    assert [lb.level_below(v, mos) for v in (4.0, 3.6, 3.2, 3.1)] == [
        lb.Level.OK, lb.Level.WARN, lb.Level.WARN, lb.Level.ALARM,
    ]  # fmt: skip


def test_time_in_state_is_judged_by_the_state() -> None:
    s = DEFAULT_SETTINGS
    brk = lb.LiveRow(make_row(AgentState.BREAK, reason="Café"), T0)
    assert lb.judge_time_in_state(brk, T0 + dt.timedelta(seconds=650), s, 60).level is lb.Level.WARN
    wrap = lb.LiveRow(make_row(AgentState.WRAP_UP), T0)
    # the team's 60 s wrap-up, then amber 30 s beyond it, red 60 s beyond it
    judged = [
        lb.judge_time_in_state(wrap, T0 + dt.timedelta(seconds=x), s, 60).level
        for x in (80, 90, 120)
    ]
    assert judged == [lb.Level.OK, lb.Level.WARN, lb.Level.ALARM]
    idle = lb.LiveRow(make_row(AgentState.AVAILABLE), T0)
    assert lb.judge_time_in_state(idle, T0 + dt.timedelta(hours=3), s, 60).level is lb.Level.OK


def test_the_breaks_total_ticks_during_a_break_only() -> None:
    known = T0 + dt.timedelta(minutes=5)  # the figure (600 s) was true then
    on_break = lb.LiveRow(make_row(AgentState.BREAK, reason="Café"), known)
    assert on_break.break_total_s(known + dt.timedelta(seconds=30)) == 630
    working = lb.LiveRow(make_row(AgentState.ON_CALL), known)
    assert working.break_total_s(known + dt.timedelta(seconds=30)) == 600
    allowance = replace(DEFAULT_SETTINGS, break_allowance_s=1000)
    later = known + dt.timedelta(seconds=301)
    assert lb.judge_breaks(on_break, later, allowance).level is lb.Level.WARN  # 901 ≥ 90 %
    assert (
        lb.judge_breaks(on_break, later + dt.timedelta(seconds=100), allowance).level
        is lb.Level.ALARM
    )


def test_an_event_without_call_keeps_the_call_only_in_call_states() -> None:
    call = CurrentCall(T0, "support", "inbound")
    on_call = make_row(AgentState.ON_CALL, call=call)
    assert lb.apply_state(on_call, event(AgentState.WRAP_UP)).call == call
    assert lb.apply_state(on_call, event(AgentState.AVAILABLE)).call is None
    told = lb.apply_state(on_call, event(AgentState.WRAP_UP, call=None, call_known=True))
    assert told.call is None


def test_the_pending_change_goes_when_it_is_applied() -> None:
    pending = PendingState(AgentState.BREAK, "Déjeuner", LEAD, "", T0)
    row = make_row(AgentState.WRAP_UP, pending=pending)
    assert lb.apply_state(row, event(AgentState.ON_CALL)).pending == pending
    applied = lb.apply_state(row, event(AgentState.BREAK, reason="Déjeuner", changed_by=LEAD))
    assert applied.pending is None
    assert applied.changed_by == LEAD


def test_queue_wait_and_service_level() -> None:
    q = QueueStats("support", "Support", "t-1", 2, 10, T0, 5, 3, 1, 0, 75.0, 20, 9.0, T0.date())
    assert lb.longest_wait_s(q, T0 + dt.timedelta(seconds=95)) == 95
    assert lb.longest_wait_s(replace(q, waiting=0), T0 + dt.timedelta(seconds=95)) == 0
    assert [lb.sl_level(p) for p in (None, 80, 79.9, 60, 59.9)] == [
        None, lb.Level.OK, lb.Level.WARN, lb.Level.WARN, lb.Level.ALARM,
    ]  # fmt: skip


def test_counts_and_short_names() -> None:
    rows = [make_row(AgentState.BREAK), make_row(AgentState.BREAK), make_row(AgentState.ON_CALL)]
    counts = lb.state_counts(rows)
    assert counts[AgentState.BREAK] == 2
    assert counts[AgentState.ON_CALL] == 1
    assert counts[AgentState.OFFLINE] == 0
    assert lb.short_name("Claire Martin") == "Claire M."
    assert lb.short_name("Jean Le Gall") == "Jean G."
    assert lb.short_name("claire") == "claire"
