"""The alert decisions, without a database (homeagent/server/alerts.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from homeagent.server import team_settings
from homeagent.server.alerts import (
    KINDS,
    RUN_KINDS,
    TIME_KINDS,
    Facts,
    OpenAlert,
    Quality,
    Rules,
    decide,
    stale_runs,
    wanted,
)
from homeagent.server.days import Run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULES = Rules.of(team_settings.defaults(), wrap_up_s=60)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def kinds(facts: Facts, now_s: float, rules: Rules = RULES) -> dict[str, dict]:
    return {w.kind: w.detail for w in wanted(facts, rules, at(now_s))}


def test_the_defaults_turn_every_contract_kind_on_and_long_calls_off() -> None:
    assert RULES.enabled() == KINDS - {"long_calls_in_row"}
    assert RULES.wrap_up_limit_s == 60 + 60
    assert RULES.long_call_s == 600


def test_a_break_alerts_from_its_threshold_on() -> None:
    facts = Facts(state="break", since=T0)
    assert "break_over" not in kinds(facts, 899)
    detail = kinds(facts, 900)["break_over"]
    assert detail == {"value": 900, "threshold": 900}


def test_one_break_is_one_episode_another_break_is_another() -> None:
    first = wanted(Facts(state="break", since=T0), RULES, at(1000))
    again = wanted(Facts(state="break", since=T0), RULES, at(1500))
    later = wanted(Facts(state="break", since=at(5000)), RULES, at(6000))
    assert first[0].episode == again[0].episode
    assert later[0].episode != first[0].episode


def test_call_and_wrap_up_over() -> None:
    assert kinds(Facts(state="on_call", since=T0), 900)["call_over"]["threshold"] == 900
    assert "call_over" not in kinds(Facts(state="on_call", since=T0), 899)
    assert "wrap_up_over" not in kinds(Facts(state="wrap_up", since=T0), 119)
    assert kinds(Facts(state="wrap_up", since=T0), 120)["wrap_up_over"]["value"] == 120


def test_no_break_counts_the_stretch_of_work_not_the_current_state() -> None:
    facts = Facts(state="available", since=at(10_000), work_since=T0)
    assert "no_break" not in kinds(facts, 10_799)
    assert kinds(facts, 10_800)["no_break"]["value"] == 10_800
    # in a break or signed out, the stretch is over
    assert "no_break" not in kinds(Facts(state="break", since=at(11_000), work_since=T0), 11_001)


def test_mos_under_only_for_the_live_call_s_own_figures() -> None:
    bad = Quality("c1@gw", 2.5, final=False, at=at(30))
    assert kinds(Facts(state="on_call", since=T0, quality=bad), 31)["mos_under"] == {
        "value": 2.5,
        "threshold": 3.1,
        "sip_call_id": "c1@gw",
    }
    good = Quality("c1@gw", 3.5, final=False, at=at(30))
    assert "mos_under" not in kinds(Facts(state="on_call", since=T0, quality=good), 31)
    final = Quality("c1@gw", 2.5, final=True, at=at(30))
    assert "mos_under" not in kinds(Facts(state="on_call", since=T0, quality=final), 31)
    stale = Quality("old@gw", 2.5, final=False, at=at(-60))  # from the call before
    assert "mos_under" not in kinds(Facts(state="on_call", since=T0, quality=stale), 31)
    assert "mos_under" not in kinds(Facts(state="wrap_up", since=T0, quality=bad), 31)


def test_each_waiting_help_request_is_its_own_episode() -> None:
    facts = Facts(state="on_call", since=T0, help=((7, T0), (8, at(50))))
    got = [w for w in wanted(facts, RULES, at(70)) if w.kind == "help_waiting"]
    assert [(w.episode, w.detail["help_id"]) for w in got] == [("help#7", 7)]


def test_runs_alert_at_their_count() -> None:
    two = Facts(state="available", since=T0, missed=Run(2, T0))
    three = Facts(state="available", since=T0, missed=Run(3, T0))
    assert "missed_in_row" not in kinds(two, 1)
    assert kinds(three, 1)["missed_in_row"] == {"value": 3, "threshold": 3}
    rules = Rules(long_calls_in_row=2, long_call_s=600)
    long_run = Facts(state="available", since=T0, long_calls=Run(2, T0))
    assert kinds(long_run, 1, rules)["long_calls_in_row"] == {
        "value": 2,
        "threshold": 2,
        "call_s": 600,
    }


def test_a_kind_turned_off_never_alerts() -> None:
    off = Rules()
    assert off.enabled() == frozenset()
    facts = Facts(state="break", since=T0, work_since=None, missed=Run(9, T0))
    assert wanted(facts, off, at(100_000)) == []


def test_decide_raises_what_is_new_and_clears_what_ended() -> None:
    want = wanted(Facts(state="break", since=at(5000)), RULES, at(6000))
    open_ = [
        OpenAlert(1, "break_over", f"break@{T0.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}", T0),
        OpenAlert(2, "missed_in_row", "run@x", T0),
    ]
    d = decide(want, open_, TIME_KINDS)
    assert [w.kind for w in d.raise_] == ["break_over"]
    assert d.clear == [1]  # the earlier break ended; the run was not looked at
    d_all = decide(want, open_, KINDS)
    assert d_all.clear == [1, 2]


def test_decide_raises_an_open_episode_only_once() -> None:
    want = wanted(Facts(state="break", since=T0), RULES, at(1000))
    open_ = [OpenAlert(1, w.kind, w.episode, T0) for w in want]
    assert not decide(want, open_, TIME_KINDS)


def test_run_alerts_of_an_earlier_day_are_stale() -> None:
    today = datetime(2026, 12, 1, tzinfo=UTC)
    open_ = [
        OpenAlert(1, "missed_in_row", "run@a", today - timedelta(minutes=5)),
        OpenAlert(2, "missed_in_row", "run@b", today + timedelta(hours=1)),
        OpenAlert(3, "break_over", "break@c", today - timedelta(minutes=5)),
    ]
    assert stale_runs(open_, today) == [1]
    assert RUN_KINDS <= KINDS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_is_in_the_wire_enum(kind: str) -> None:
    from typing import get_args

    from homeagent.server.supervision_schemas import AlertKind

    assert kind in get_args(AlertKind)
