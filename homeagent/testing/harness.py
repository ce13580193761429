"""A complete desk over the in-memory fakes: tests, screenshots and the offline preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QTimer

from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_types import TeamSettings, WrapUpRecord
from homeagent.core.eventlog import EventLog, MemoryEventLog
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import (
    FakeContactFiles,
    FakeDeskData,
    FakeDirectory,
    FakeEngine,
    RecordingSink,
)
from homeagent.ui.desk.controller import DeskController
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.notifier import Notifier

OUTBOX_WRITE_MS = 50  # the fake outbox's "disk write"
SERVER_ACK_MS = 400  # the fake server's acknowledgement


@dataclass
class FakeDesk:
    """Every part of a running desk, the fakes included."""

    dispatcher: Dispatcher
    lanes: TaskLanes
    directory: FakeDirectory
    sink: RecordingSink
    engine: FakeEngine
    log: EventLog
    model: DeskModel
    window: MainWindow
    controller: DeskController
    data: FakeDeskData
    files: FakeContactFiles

    def close(self) -> None:
        """Stop timers and the worker; close the window."""
        self.controller.stop()
        self.lanes.close()
        self.window.close()
        self.window.deleteLater()


def build_fake_desk(
    *,
    agent_name: str = "Alice Robert",
    team: TeamSettings = DEMO_TEAM,
    threaded_engine: bool = True,
    auto_outbox: bool = True,
    log: EventLog | None = None,
) -> FakeDesk:
    """Wire model, window and controller over fakes (the engine emits from a thread)."""
    dispatcher = Dispatcher()
    lanes = TaskLanes(dispatcher)
    directory = FakeDirectory()
    sink = RecordingSink(directory=directory)
    log = log or MemoryEventLog()
    model = DeskModel(directory=directory, sink=sink, log=log)
    engine = FakeEngine(dispatcher.post, threaded=threaded_engine)
    sink.engine = engine
    window = MainWindow()
    data = FakeDeskData(directory, sink)
    files = FakeContactFiles(directory, sink)
    controller = DeskController(
        model=model,
        window=window,
        dispatcher=dispatcher,
        lanes=lanes,
        data=data,
        notifier=Notifier(window),
        files=files,
    )
    if auto_outbox:

        def outbox(record: WrapUpRecord) -> None:
            # the controller is the timers' context: they die with it
            QTimer.singleShot(OUTBOX_WRITE_MS, controller, lambda: model.wrap_up_durable(record.id))
            QTimer.singleShot(SERVER_ACK_MS, controller, lambda: model.wrap_up_sent(record.id))

        sink.on_wrap_up = outbox
    model.configure(agent_name=agent_name, team=team)
    return FakeDesk(
        dispatcher, lanes, directory, sink, engine, log, model, window, controller, data, files
    )


def go_available(desk: FakeDesk) -> None:
    """Registered, online, Available: the start of a shift."""
    from homeagent.core.desk_types import ServerLink

    desk.engine.start()
    desk.model.set_server_link(ServerLink.ONLINE)
    desk.model.set_presence(AgentState.AVAILABLE)


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    """Today at a local time, as an aware datetime."""
    now = dt.datetime.now().astimezone()
    return now.replace(hour=hour, minute=minute, second=0, microsecond=0)
