"""The call registry: ids, references, counts."""

from __future__ import annotations

import pytest

from homeagent.core.events import CallDirection, CallPhase
from homeagent.sip.calls import CallRecord, CallRegistry
from homeagent.sip.policy import RING, Admission


class FakeCall:
    pass


def _record(reg: CallRegistry[FakeCall], direction: CallDirection, **kw: object) -> CallRecord:
    record = CallRecord(call_id=reg.new_id(), direction=direction, **kw)  # type: ignore[arg-type]
    reg.add(record, FakeCall())
    return record


def test_ids_are_never_reused() -> None:
    reg: CallRegistry[FakeCall] = CallRegistry()
    first = _record(reg, CallDirection.INBOUND)
    reg.remove(first.call_id)
    second = _record(reg, CallDirection.INBOUND)
    assert second.call_id > first.call_id


def test_registry_keeps_the_object_until_removed() -> None:
    reg: CallRegistry[FakeCall] = CallRegistry()
    record = _record(reg, CallDirection.OUTBOUND)
    entry = reg.get(record.call_id)
    assert entry is not None
    assert isinstance(reg.remove(record.call_id), FakeCall)
    assert reg.get(record.call_id) is None
    assert reg.remove(record.call_id) is None
    assert len(reg) == 0


def test_duplicate_add_is_refused() -> None:
    reg: CallRegistry[FakeCall] = CallRegistry()
    record = _record(reg, CallDirection.OUTBOUND)
    with pytest.raises(ValueError):
        reg.add(record, FakeCall())


def test_admitted_count_ignores_undecided_refused_and_ended_calls() -> None:
    reg: CallRegistry[FakeCall] = CallRegistry()
    _record(reg, CallDirection.INBOUND)  # undecided
    _record(reg, CallDirection.INBOUND, decided=True, admission=Admission(486, "busy"))
    ringing = _record(reg, CallDirection.INBOUND, decided=True, admission=RING)
    _record(reg, CallDirection.OUTBOUND, ended=True)
    _record(reg, CallDirection.OUTBOUND)
    assert reg.admitted_count() == 2
    assert reg.admitted_count(excluding=ringing.call_id) == 1


def test_active_other_lists_only_talking_calls() -> None:
    reg: CallRegistry[FakeCall] = CallRegistry()
    talking = _record(reg, CallDirection.OUTBOUND, phase=CallPhase.ACTIVE)
    held = _record(reg, CallDirection.OUTBOUND, phase=CallPhase.HELD)
    new = _record(reg, CallDirection.INBOUND, phase=CallPhase.RINGING)
    assert [r.call_id for r in reg.active_other(new.call_id)] == [talking.call_id]
    assert reg.active_other(talking.call_id) == []
    assert held.phase is CallPhase.HELD
