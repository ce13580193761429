"""A net lane over a real worker thread and the in-memory lead server side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from homeagent.testing.fakes import FakeLeadComms
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner


class FakeClock:
    """A settable UTC clock."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def server(clock: FakeClock) -> FakeLeadComms:
    return FakeLeadComms(now=clock)


@pytest.fixture
def net(qapp) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    dispatcher = Dispatcher()
    runner = TaskRunner(dispatcher, "net")
    yield runner
    runner.close()


def feed(panel: object, server: FakeLeadComms) -> int:
    """Every event the fake server published, through the panel's `apply_event`."""
    applied = 0
    for event_type, data in server.drain_events():
        applied += bool(panel.apply_event(event_type, data))  # type: ignore[attr-defined]
    return applied
