"""The call-quality report gate: one a second per agent, a call's final report always passes."""

from __future__ import annotations

from dataclasses import dataclass

from homeagent.server.quality import ReportGate


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_report_a_second_per_agent() -> None:
    clock = Clock()
    gate = ReportGate(1.0, clock)
    assert gate.admit("a", final=False) is None
    clock.now += 0.4
    wait = gate.admit("a", final=False)
    assert wait is not None
    assert abs(wait - 0.6) < 1e-9
    assert gate.admit("b", final=False) is None  # another agent has its own second
    clock.now += 0.61
    assert gate.admit("a", final=False) is None


def test_the_final_report_passes_right_after_a_periodic_one_but_only_once() -> None:
    clock = Clock()
    gate = ReportGate(1.0, clock)
    assert gate.admit("a", final=False) is None
    clock.now += 0.2
    assert gate.admit("a", final=True) is None  # the call's last figures are not lost
    clock.now += 0.2
    wait = gate.admit("a", final=True)
    assert wait is not None
    assert 0.7 < wait <= 0.8  # counted from the final one
    assert gate.admit("a", final=False) is not None


def test_a_refused_report_is_not_counted() -> None:
    clock = Clock()
    gate = ReportGate(1.0, clock)
    gate.admit("a", final=False)
    clock.now += 0.9
    assert gate.admit("a", final=False) is not None
    clock.now += 0.2  # 1.1 s after the accepted one, 0.2 s after the refused one
    assert gate.admit("a", final=False) is None


def test_memory_stays_bounded_under_many_agents() -> None:
    clock = Clock()
    gate = ReportGate(1.0, clock)
    for n in range(50_001):
        gate.admit(f"agent-{n}", final=False)
    clock.now += 2
    gate.admit("late", final=False)
    assert len(gate._last) == 1
