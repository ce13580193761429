"""SipEngine start/stop with the real pjsua2 library (no peer needed)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CommandFailed,
    EngineFailed,
    EngineStarted,
    EngineStopped,
    Event,
    RegistrationChanged,
    RegistrationState,
)
from homeagent.core.sip_config import EngineConfig, SipAccountConfig, Transport
from homeagent.sip.engine import SipEngine
from homeagent.sip.media import AudioAttachment
from tests.helpers.procs import free_port


class RecordingAttachment:
    """Fake AudioAttachment: records calls and the thread they came on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def open(self) -> None:
        self.calls.append(("open", threading.current_thread().name))

    def attach(self, media: Any) -> None:
        self.calls.append(("attach", threading.current_thread().name))

    def detach(self, media: Any) -> None:
        self.calls.append(("detach", threading.current_thread().name))

    def close(self) -> None:
        self.calls.append(("close", threading.current_thread().name))


def _account(transport: Transport = Transport.UDP) -> SipAccountConfig:
    # nothing listens there: registration fails, which is fine for a lifecycle test
    return SipAccountConfig("127.0.0.1", free_port(), "x.test", "1001", "pw", transport=transport)


def test_fake_attachment_satisfies_the_protocol() -> None:
    assert isinstance(RecordingAttachment(), AudioAttachment)


def test_start_and_stop_on_its_own_thread_with_an_attachment() -> None:
    events: list[Event] = []
    audio = RecordingAttachment()
    engine = SipEngine(EngineConfig(local_port=0), _account(Transport.TCP), events.append, audio)
    engine.start()
    assert engine.running
    assert engine.local_port > 0
    engine.submit(cmd.Hangup(5))
    deadline = time.monotonic() + 5
    while not any(isinstance(e, CommandFailed) for e in events) and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.stop(timeout_s=5)
    assert not engine.running
    assert not [t for t in threading.enumerate() if t.name == "sip-engine"]
    kinds = [type(e) for e in events]
    assert kinds[0] is RegistrationChanged
    assert EngineStarted in kinds
    assert kinds[-1] is EngineStopped
    assert CommandFailed in kinds
    assert audio.calls == [("open", "sip-engine"), ("close", "sip-engine")]
    regs = [e for e in events if isinstance(e, RegistrationChanged)]
    assert regs[0].state is RegistrationState.REGISTERING


def test_engines_can_follow_each_other_in_one_process() -> None:
    for _ in range(3):
        events: list[Event] = []
        engine = SipEngine(EngineConfig(), _account(), events.append)
        engine.start()
        engine.stop()
        assert isinstance(events[-1], EngineStopped)


def test_a_second_engine_in_the_same_process_is_refused_not_aborted() -> None:
    first = SipEngine(EngineConfig(), _account(), lambda e: None)
    first.start()
    try:
        second = SipEngine(EngineConfig(), _account(), lambda e: None)
        with pytest.raises(RuntimeError, match="another SipEngine"):
            second.start()
    finally:
        first.stop()


def test_start_failure_is_reported_and_raised() -> None:
    events: list[Event] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        engine = SipEngine(EngineConfig(local_port=port), _account(), events.append)
        with pytest.raises(RuntimeError):
            engine.start()
    assert any(isinstance(e, EngineFailed) for e in events)
    assert not engine.running
    # the failed start released everything: a new engine starts fine
    again = SipEngine(EngineConfig(), _account(), lambda e: None)
    again.start()
    again.stop()


def test_stop_is_idempotent_and_stop_before_start_is_harmless() -> None:
    engine = SipEngine(EngineConfig(), _account(), lambda e: None)
    engine.stop()
    engine.start()
    engine.stop()
    engine.stop()
