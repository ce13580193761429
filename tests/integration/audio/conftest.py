"""Fixtures for the real-audio tests: an AudioService on the private PulseAudio daemon."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from homeagent.core.audio_settings import AudioSettings
from homeagent.core.events import Event
from homeagent.sip.audio import AudioService
from tests.helpers.pulse import PulseServer

E = TypeVar("E", bound=Event)


class EventLog:
    """Events from the audio and engine threads, collected thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._events: list[Event] = []

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)
            self._lock.notify_all()

    def of(self, kind: type[E]) -> list[E]:
        with self._lock:
            return [e for e in self._events if isinstance(e, kind)]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def wait_for(
        self, kind: type[E], predicate: Callable[[E], bool] = lambda e: True, timeout_s: float = 15
    ) -> E:
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while True:
                for e in self._events:
                    if isinstance(e, kind) and predicate(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {kind.__name__} in {timeout_s} s: {self._events[-10:]}")
                self._lock.wait(left)


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def make_service(
    pulse: PulseServer, qapp: object, events: EventLog
) -> Iterator[Callable[..., AudioService]]:
    """Build and start AudioService instances that are stopped after the test.

    The tests wait with plain sleeps, never by spinning the main thread's event loop: the
    service must work with the GUI thread busy or idle (its audio thread has its own
    loop). It also avoids PySide6 6.12.0's leak of a None reference per void call
    (processEvents, qWait), which crashes Python 3.11 after a few thousand calls.
    """
    started: list[AudioService] = []

    def make(settings: AudioSettings | None = None, **kwargs: object) -> AudioService:
        svc = AudioService(events, settings, **kwargs)  # type: ignore[arg-type]
        svc.start()
        started.append(svc)
        return svc

    yield make
    for svc in reversed(started):
        svc.stop()


@pytest.fixture(scope="session")
def tone_wav(tmp_path_factory: pytest.TempPathFactory) -> Callable[[float, float], Path]:
    """Make (and cache) a mono 48 kHz sine WAV with sox."""
    root = tmp_path_factory.mktemp("tones")

    def make(freq_hz: float, seconds: float) -> Path:
        out = root / f"tone_{freq_hz:g}_{seconds:g}.wav"
        if not out.exists():
            subprocess.run(
                [
                    "sox",
                    "-n",
                    "-r",
                    "48000",
                    "-c",
                    "1",
                    "-b",
                    "16",
                    str(out),
                    "synth",
                    str(seconds),
                    "sine",
                    str(freq_hz),
                    "vol",
                    "0.5",
                ],
                check=True,
                capture_output=True,
            )
        return out

    return make
