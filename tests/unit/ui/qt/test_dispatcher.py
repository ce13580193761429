"""Events from other threads reach the GUI thread, in order, through one queued door."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from homeagent.core.events import EngineStopped
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner


def test_events_posted_from_a_thread_arrive_on_the_gui_thread_in_order(qtbot) -> None:
    dispatcher = Dispatcher()
    seen: list[tuple[str, bool]] = []
    gui = QThread.currentThread()
    dispatcher.event_delivered.connect(
        lambda ev: seen.append((ev.reason, QThread.currentThread() is gui))
    )

    def engine_thread() -> None:
        for i in range(50):
            dispatcher.post(EngineStopped(str(i)))

    worker = threading.Thread(target=engine_thread)
    worker.start()
    worker.join()
    assert seen == []  # nothing delivered on the engine thread
    qtbot.waitUntil(lambda: len(seen) == 50)
    assert seen == [(str(i), True) for i in range(50)]


def test_task_runner_delivers_results_and_errors_on_the_gui_thread(qtbot) -> None:
    dispatcher = Dispatcher()
    runner = TaskRunner(dispatcher)
    gui = QThread.currentThread()
    results: list[object] = []

    def boom() -> int:
        raise ValueError("disk full")

    runner.run(lambda: threading.current_thread().name, results.append)

    def failed(exc: BaseException) -> None:
        results.append((str(exc), QThread.currentThread() is gui))

    runner.run(boom, results.append, failed)
    qtbot.waitUntil(lambda: len(results) == 2)
    runner.close()
    assert str(results[0]).startswith("homeagent-task")
    assert results[1] == ("disk full", True)
