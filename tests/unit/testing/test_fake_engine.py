"""The fake engine keeps the real engine's promise: events leave one thread, in order."""

from __future__ import annotations

import threading

from homeagent.core.events import CallEnded, CallRinging, Event
from homeagent.testing.fakes import FakeEngine


def test_threaded_events_arrive_in_the_order_they_happened_from_one_thread() -> None:
    got: list[Event] = []
    threads: set[str] = set()
    done = threading.Event()

    def on_event(event: Event) -> None:
        threads.add(threading.current_thread().name)
        got.append(event)
        if len(got) == 600:
            done.set()

    engine = FakeEngine(on_event, threaded=True)
    try:
        for _ in range(300):
            engine.remote_hangup(engine.ring("0612345678"))
        assert done.wait(10)
    finally:
        engine.stop()
    kinds = [type(e) for e in got]
    assert kinds == [CallRinging, CallEnded] * 300
    assert [e.call_id for e in got] == [i // 2 + 1 for i in range(600)]  # type: ignore[attr-defined]
    assert len(threads) == 1
    assert threading.current_thread().name not in threads
