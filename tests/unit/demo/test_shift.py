"""The simulated agents' shift script: seeded decisions within the documented bounds."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from homeagent.demo import shift
from homeagent.demo.shift import Break, ShiftScript, call_rate_per_s, max_parallel_calls

REASONS = ("Déjeuner", "Pause café", "Formation", "Réunion")
CODES = ("resolved", "callback", "escalated", "wrong_number")


def _script(seed: int = 7, pace: float = 1.0) -> ShiftScript:
    return ShiftScript(random.Random(seed), pause_reasons=REASONS, dispositions=CODES, pace=pace)


def _day(script: ShiftScript, calls: int = 50) -> list[object]:
    """A sequence of every kind of decision, as the team process asks them."""
    out: list[object] = [script.first_available_s()]
    for _ in range(calls):
        out += [script.offered(), script.wrap_up_s(), script.disposition(), script.notes()]
        out += [script.after_wrap_up(), script.message_to_lead(), script.missed_recovery_s()]
    return out


def test_the_same_seed_makes_the_same_shift_and_another_seed_another() -> None:
    assert _day(_script(7)) == _day(_script(7))
    assert _day(_script(7)) != _day(_script(8))
    one = ShiftScript.for_agent(11, 3, pause_reasons=REASONS, dispositions=CODES)
    again = ShiftScript.for_agent(11, 3, pause_reasons=REASONS, dispositions=CODES)
    other_agent = ShiftScript.for_agent(11, 4, pause_reasons=REASONS, dispositions=CODES)
    assert _day(one) == _day(again) != _day(other_agent)


def test_calls_are_answered_after_one_to_six_seconds_and_some_ring_out() -> None:
    script = _script(2)
    plans = [script.offered() for _ in range(2000)]
    rings = [p.ring_s for p in plans if p.ring_s is not None]
    never = sum(p.ring_s is None for p in plans)
    assert all(shift.RING_S[0] <= r <= shift.RING_S[1] for r in rings)
    assert min(rings) < 1.5  # the whole range is used
    assert max(rings) > 5.5
    # RONA now and then: about 8 % (binomial, 2000 draws: well within 4..12 %)
    assert 0.04 * len(plans) < never < 0.12 * len(plans)
    assert all(shift.TALK_S[0] <= p.talk_s <= shift.TALK_S[1] for p in plans)
    hang_ups = sum(p.agent_hangs_up for p in plans) / len(plans)
    assert 0.3 < hang_ups < 0.5  # else the customer ends the call
    assert 0 < sum(p.asks_help for p in plans) < 0.12 * len(plans)


def test_breaks_use_the_teams_pause_reasons_coffee_most_often() -> None:
    script = _script(3)
    breaks = [b for b in (script.after_wrap_up() for _ in range(3000)) if b is not None]
    assert 0.08 * 3000 < len(breaks) < 0.16 * 3000  # now and then, not after every call
    reasons = Counter(b.reason for b in breaks)
    assert set(reasons) <= set(REASONS)
    assert reasons.most_common(1)[0][0] == "Pause café"
    for b in breaks:
        low, high = shift.BREAK_S[b.reason.lower()]
        assert low <= b.duration_s <= high


def test_a_team_with_other_reasons_gets_those_and_one_without_takes_no_break() -> None:
    script = ShiftScript(random.Random(5), pause_reasons=("Atelier",), dispositions=("ok",))
    assert script.a_break().reason == "Atelier"
    assert shift.OTHER_BREAK_S[0] <= script.a_break().duration_s <= shift.OTHER_BREAK_S[1]
    assert script.disposition() == "ok"
    bare = ShiftScript(random.Random(5), pause_reasons=(), dispositions=("ok",))
    assert all(bare.after_wrap_up() is None for _ in range(200))
    with pytest.raises(ValueError, match="pause reason"):
        bare.a_break()


def test_dispositions_are_the_teams_codes_resolved_most_often() -> None:
    script = _script(4)
    seen = Counter(script.disposition() for _ in range(2000))
    assert set(seen) == set(CODES)
    assert seen.most_common(1)[0][0] == "resolved"


def test_pace_scales_durations_but_not_the_ringing() -> None:
    slow, fast = _script(9, pace=1.0), _script(9, pace=0.2)
    a, b = slow.offered(), fast.offered()
    assert a.ring_s == b.ring_s  # the ACD's RONA clock is not the script's to speed up
    assert b.talk_s == pytest.approx(a.talk_s * 0.2)
    assert fast.wrap_up_s() == pytest.approx(slow.wrap_up_s() * 0.2)
    assert isinstance(fast.a_break(), Break)
    with pytest.raises(ValueError):
        _script(pace=0)
    with pytest.raises(ValueError, match="disposition"):
        ShiftScript(random.Random(1), pause_reasons=REASONS, dispositions=())


def test_the_call_rate_keeps_the_team_busy_and_grows_with_it() -> None:
    ten = call_rate_per_s(10)
    assert call_rate_per_s(12) > ten > call_rate_per_s(8)
    # 75 % of 10 agents at ~1 min 13 s a call: about 6 calls a minute
    assert 5.0 < ten * 60 < 8.0
    assert call_rate_per_s(10, pace=0.5) > ten  # faster shifts, more calls
    assert max_parallel_calls(10) == 12
    with pytest.raises(ValueError):
        call_rate_per_s(0)


def test_states_the_lead_sets_last_a_believable_while() -> None:
    script = _script(6)
    assert (
        shift.BREAK_S["déjeuner"][0] <= script.break_s("Déjeuner") <= shift.BREAK_S["déjeuner"][1]
    )
    assert shift.OTHER_BREAK_S[0] <= script.break_s("Brief qualité") <= shift.OTHER_BREAK_S[1]
    assert shift.SIGNED_OUT_S[0] <= script.signed_out_s() <= shift.SIGNED_OUT_S[1]
    low, high = shift.MISSED_RECOVERY_S
    assert all(low <= script.missed_recovery_s() <= high for _ in range(100))
