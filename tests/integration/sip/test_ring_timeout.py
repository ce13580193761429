"""An inbound call nobody answers and nobody cancels ends by itself (the ring timeout).

Regression: an INVITE sent straight to the app (not through Kamailio, whose timer ends a
ringing call) kept the desk "Sonnerie" for 23 minutes and every real call meanwhile got
486. The engine must reject it with 480 after ``ring_timeout_s`` and report that it rang
out; the desk then counts a missed call and sets the agent Not ready, like the ACD's RONA.
"""

from __future__ import annotations

import queue
import time

import pytest

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import Notice, Screen
from homeagent.core.desk_types import CallOutcome
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import CallEnded, CallRinging, Event
from homeagent.core.sip_config import EngineConfig
from homeagent.sip.engine import SipEngine
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, RecordingSink
from tests.helpers.kamailio import Kamailio
from tests.helpers.sipp import SippRunner
from tests.integration.sip.conftest import EngineRunner, account_for

pytestmark = pytest.mark.integration

RING_TIMEOUT_S = 2.0


def test_a_call_sent_straight_to_the_engine_rings_out_with_480(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    engine, events = engines.start(
        account_for(kamailio, "1001"), EngineConfig(ring_timeout_s=RING_TIMEOUT_S)
    )
    started = time.monotonic()
    run = sipp.start("uac_ring_out.xml", f"127.0.0.1:{engine.local_port}", timeout_s=20)
    ringing = events.wait_for(CallRinging)
    ended = events.wait_for(CallEnded, lambda e: e.call_id == ringing.call_id, timeout_s=10)
    took = time.monotonic() - started
    result = run.wait(20)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
    assert "SIP/2.0 480" in result.messages
    assert ended.code == 480
    assert ended.rang_out
    assert not ended.answered
    assert RING_TIMEOUT_S - 0.2 <= took < RING_TIMEOUT_S + 3.0
    # the engine takes the next call normally afterwards (nothing stuck)
    run = sipp.start("uac_answer_bye.xml", f"127.0.0.1:{engine.local_port}", timeout_s=20)
    second = events.wait_for(CallRinging, lambda e: e.call_id != ringing.call_id)
    engine.submit(cmd.Answer(second.call_id))
    assert run.wait(30).successful == 1


def test_the_desk_goes_not_ready_missed_when_a_real_call_rings_out(
    kamailio: Kamailio, sipp: SippRunner
) -> None:
    """Real engine events drive the real (Qt-free) desk model, on this thread."""
    inbox: queue.Queue[Event] = queue.Queue()
    directory = FakeDirectory()
    sink = RecordingSink(directory=directory)
    log = MemoryEventLog()
    desk = DeskModel(directory=directory, sink=sink, log=log)
    engine = SipEngine(
        EngineConfig(ring_timeout_s=RING_TIMEOUT_S), account_for(kamailio, "1001"), inbox.put
    )
    sink.engine = engine  # type: ignore[assignment]  # the desk's commands reach the engine
    engine.start()
    try:
        desk.configure(agent_name="Alice", team=DEMO_TEAM)
        desk.set_presence(AgentState.AVAILABLE)
        run = sipp.start("uac_ring_out.xml", f"127.0.0.1:{engine.local_port}", timeout_s=20)
        seen_ringing = False
        deadline = time.monotonic() + RING_TIMEOUT_S + 8
        while time.monotonic() < deadline:
            try:
                desk.handle(inbox.get(timeout=0.2))
            except queue.Empty:
                continue
            snap = desk.snapshot()
            seen_ringing = seen_ringing or snap.screen is Screen.RINGING
            if seen_ringing and snap.screen is not Screen.RINGING:
                break
        assert seen_ringing
        snap = desk.snapshot()
        assert snap.screen is Screen.IDLE
        assert snap.presence.state is AgentState.NOT_READY
        assert snap.presence.reason == "missed"
        assert snap.notice is Notice.CALL_MISSED
        assert sink.interactions[-1].outcome is CallOutcome.MISSED
        assert sink.states[-1].state is AgentState.NOT_READY  # the server is told
        assert run.wait(20).returncode == 0
    finally:
        engine.stop(timeout_s=8)
