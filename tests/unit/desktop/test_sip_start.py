"""The engine started before the desk: its events wait in order, a failed start is told."""

from __future__ import annotations

import threading
from typing import Any

from homeagent.core.events import Event, RegistrationChanged, RegistrationState
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.desktop.sip_start import EarlyEngine

ACCOUNT = SipAccountConfig(
    registrar_host="127.0.0.1", registrar_port=5060, domain="t", username="1001", password="x"
)


class Engine:
    """Emits two events from its start (on the starter thread), then one more on demand."""

    def __init__(self, on_event: Any, *, fail: bool = False) -> None:
        self.on_event, self.fail = on_event, fail
        self.started, self.stopped = threading.Event(), False
        self.audio: list[object] = []

    def start(self) -> None:
        if self.fail:
            raise RuntimeError("no transport")
        self.on_event(RegistrationChanged("sip:1001@t", RegistrationState.REGISTERING, 0))
        self.on_event(RegistrationChanged("sip:1001@t", RegistrationState.REGISTERED, 200))
        self.started.set()

    def attach_audio(self, audio: object) -> None:
        self.audio.append(audio)

    def submit(self, command: object) -> None: ...

    def stop(self) -> None:
        self.stopped = True


def _factory(made: list[Engine], *, fail: bool = False) -> Any:
    def factory(
        config: EngineConfig, account: SipAccountConfig, on_event: Any, audio: Any = None
    ) -> Engine:
        made.append(Engine(on_event, fail=fail))
        return made[-1]

    return factory


def test_events_before_the_desk_wait_and_arrive_in_order_then_flow() -> None:
    made: list[Engine] = []
    early = EarlyEngine(_factory(made), EngineConfig(), ACCOUNT)
    assert made[0].started.wait(5)
    got: list[Event] = []
    bridge = object()
    early.attach(got.append, audio=bridge)
    assert [e.state for e in got] == [RegistrationState.REGISTERING, RegistrationState.REGISTERED]  # type: ignore[attr-defined]
    made[0].on_event(RegistrationChanged("sip:1001@t", RegistrationState.UNREGISTERED, 0))
    assert len(got) == 3  # straight through once attached
    assert made[0].audio == [bridge]
    early.stop()
    assert made[0].stopped


def test_a_start_that_failed_before_the_desk_is_told_at_attach() -> None:
    made: list[Engine] = []
    early = EarlyEngine(_factory(made, fail=True), EngineConfig(), ACCOUNT)
    early._starter.join(5)
    failures: list[BaseException] = []
    early.attach(lambda e: None, on_failed=failures.append)
    assert [str(f) for f in failures] == ["no transport"]
    early.stop()
