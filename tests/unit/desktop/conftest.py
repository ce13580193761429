"""The desktop's tests build real windows: the same Qt fixtures as the UI tests, and one
way to run an `AgentSession` over a device with the fake engine."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homeagent.core.eventlog import EventLog
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.desktop.ports import Device
from homeagent.desktop.session import AgentSession
from homeagent.testing.fakes import FakeEngine
from tests.unit.ui.conftest import _widgets_app, french, french_qm

__all__ = ["_widgets_app", "french", "french_qm", "running_session"]


@contextlib.contextmanager
def running_session(
    qtbot: Any, device: Device, log_path: Path, *, use_audio: bool = False, **parts: Any
) -> Iterator[AgentSession]:
    """A started session over `device` (the fake engine as `.fake_engine`), its window
    shown; stopped, and its event log closed, on leaving."""
    engines: list[FakeEngine] = []

    def factory(config: EngineConfig, account: SipAccountConfig, on_event, audio=None):  # type: ignore[no-untyped-def]
        engines.append(FakeEngine(on_event, threaded=True))
        return engines[-1]

    log = EventLog(log_path)
    session = AgentSession(
        device=device, event_log=log, engine_factory=factory, use_audio=use_audio, **parts
    )
    try:
        window = session.start()
        qtbot.addWidget(window)
        window.show()
        session.fake_engine = engines[0]  # type: ignore[attr-defined]
        yield session
    finally:
        session.stop()
        log.close()
