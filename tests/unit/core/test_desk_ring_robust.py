"""A ringing call is always shown and can always be answered, whatever fails on the way.

Regression: an INVITE with ``X-Queue: Fran\\xe7ais`` got 180, but the event log's write
raised in the desk's ringing handler before the window refreshed: the call rang for 8 s
while the window said "Disponible". Each step of the ringing path is made to fail in turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import CallDirection, CallRinging
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, FakeEngine, RecordingSink


class Boom(RuntimeError):
    """The injected failure."""


def _raise(*_args: object, **_kwargs: object) -> None:
    raise Boom("injected")


class Rig:
    def __init__(self) -> None:
        self.directory = FakeDirectory()
        self.sink = RecordingSink(directory=self.directory)
        self.log = MemoryEventLog()
        self.model = DeskModel(directory=self.directory, sink=self.sink, log=self.log)
        self.engine = FakeEngine(self.model.handle)
        self.sink.engine = self.engine
        self.seen: list[DeskSnapshot] = []
        self.model.subscribe(self.seen.append)
        self.model.configure(agent_name="Alice", team=DEMO_TEAM)
        self.model.set_presence(AgentState.AVAILABLE)


def _break_directory_get(rig: Rig) -> None:
    rig.directory.get = _raise  # type: ignore[method-assign]


def _break_directory_lookup(rig: Rig) -> None:
    rig.directory.lookup_number = _raise  # type: ignore[method-assign]


def _break_log_write(rig: Rig) -> None:
    rig.log.write = _raise  # type: ignore[method-assign]


def _break_a_subscriber(rig: Rig) -> None:
    # a presenter that raises, subscribed before the window's own listener
    rig.model.unsubscribe(rig.seen.append)
    rig.model._listeners.append(lambda snap: _raise())
    rig.model._listeners.append(rig.seen.append)


def _break_publish_state(rig: Rig) -> None:
    rig.sink.publish_state = _raise  # type: ignore[method-assign]


STEPS: dict[str, Callable[[Rig], None]] = {
    "directory-get": _break_directory_get,
    "directory-lookup": _break_directory_lookup,
    "log-write": _break_log_write,
    "subscriber": _break_a_subscriber,
    "publish-state": _break_publish_state,
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_failure_while_ringing_still_shows_the_call_and_answer_works(
    step: str, caplog: pytest.LogCaptureFixture
) -> None:
    rig = Rig()
    STEPS[step](rig)
    with caplog.at_level(logging.WARNING):
        rig.model.handle(
            CallRinging(
                call_id=7,
                direction=CallDirection.INBOUND,
                remote_uri="sip:+33612345678@pbx",
                remote_number="+33612345678",
                display_name="Ren\ufffd",
                queue="Fran\ufffdais",
                contact_id="c-999",  # not cached: the number lookup runs too
            )
        )
    snap = rig.model.snapshot()
    assert snap.screen is Screen.RINGING
    assert snap.call is not None
    assert snap.call.call_id == 7
    assert snap.presence.state is AgentState.RINGING
    assert rig.seen[-1].screen is Screen.RINGING  # the window's listener heard of it
    assert caplog.records, "the failure was swallowed without a word"
    rig.model.answer()
    assert cmd.Answer(7) in rig.sink.commands
    after = rig.model.snapshot()
    assert after.screen is Screen.IN_CALL
    assert after.presence.state is AgentState.ON_CALL
    assert rig.seen[-1].screen is Screen.IN_CALL
