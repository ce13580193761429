"""Lead console fixtures: a fake clock, the in-memory comms server on a real net lane, and
a console over the fake board server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from homeagent.testing.fakes import FakeLeadComms
from homeagent.testing.lead_harness import FakeConsole, build_fake_console
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.qt.theme import apply_theme

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    """`clock()` is the time; `advance(s)` moves it (no sleeps)."""

    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


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


@pytest.fixture
def lead(qtbot, clock: FakeClock) -> Iterator[FakeConsole]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark=False)
    fake = build_fake_console(agents=6, clock=clock)
    qtbot.addWidget(fake.console)
    fake.controller.start()
    yield fake
    fake.controller.stop()
