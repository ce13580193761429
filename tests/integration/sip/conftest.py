"""Fixtures for SIP integration tests: an engine in this process, events recorded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from homeagent.core.events import Event, RegistrationChanged, RegistrationState
from homeagent.core.sip_config import EngineConfig, SipAccountConfig, Transport
from homeagent.sip.engine import SipEngine
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.peers import Peers, peers_in

E = TypeVar("E", bound=Event)


class EventLog:
    """Thread-safe record of an engine's events with waits on them."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._cond = threading.Condition()
        self.threads: set[str] = set()

    def __call__(self, event: Event) -> None:
        with self._cond:
            self.threads.add(threading.current_thread().name)
            self._events.append(event)
            self._cond.notify_all()

    def all(self, kind: type[E] | None = None) -> list[E]:
        with self._cond:
            return [e for e in self._events if kind is None or isinstance(e, kind)]  # type: ignore[misc]

    def wait_for(
        self,
        kind: type[E],
        predicate: Callable[[E], bool] = lambda e: True,
        timeout_s: float = 15.0,
    ) -> E:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for event in self._events:
                    if isinstance(event, kind) and predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no {kind.__name__} within {timeout_s} s; got: {self._events[-15:]}"
                    )
                self._cond.wait(remaining)


def account_for(
    kam: Kamailio, user: str, transport: Transport = Transport.UDP, **extra: object
) -> SipAccountConfig:
    return SipAccountConfig(
        registrar_host=kam.host,
        registrar_port=kam.port(transport.value),
        domain=kam.domain,
        username=user,
        password=kam.passwords[user],
        transport=transport,
        display_name=f"Agent {user}",
        ca_file=str(kam.ca_file) if kam.ca_file else None,
        first_retry_s=2,
        retry_interval_s=15,
        **extra,  # type: ignore[arg-type]
    )


class EngineRunner:
    """Starts engines for a test and always stops them."""

    def __init__(self) -> None:
        self.engines: list[SipEngine] = []

    def start(
        self,
        account: SipAccountConfig,
        config: EngineConfig | None = None,
        *,
        wait_registered: bool = True,
    ) -> tuple[SipEngine, EventLog]:
        events = EventLog()
        engine = SipEngine(config or EngineConfig(), account, events)
        self.engines.append(engine)
        engine.start()
        if wait_registered:
            events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
        return engine, events


@pytest.fixture
def engines() -> Iterator[EngineRunner]:
    runner = EngineRunner()
    yield runner
    for engine in runner.engines:
        engine.stop(timeout_s=8)


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[Peers]:
    """Start `python -m homeagent.sip.peer` subprocesses; all stopped after the test."""
    with peers_in(tmp_path) as running:
        yield running
