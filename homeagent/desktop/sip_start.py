"""The SIP engine started first, so that the line registers while the desk is built.

`run_desk` makes it right after the device is known (profile, keyring, device file) and
before it imports the desk, opens the cache or the sound devices: the engine's start
(pjsua2's library, the transport, REGISTER) runs on a thread of its own meanwhile.
Its events wait here, in order, until the session `attach`es the dispatcher; the
headset bridge is plugged in then too (`SipEngine.attach_audio`). The session submits
to `engine` and stops through `stop`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.sip_trace import TRACE_FILE

if TYPE_CHECKING:  # types only: the ports pull in every record type (the lead's too),
    # ~70 ms of imports that would run before REGISTER goes out (issue 14)
    from homeagent.core.events import Event
    from homeagent.core.ports import EngineFactory, SipEngine
    from homeagent.desktop.ports import Device

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0  # SipEngine.start's own bound; `stop` waits for it at most


def start_engine(
    device: Device, factory: EngineFactory | None = None, config: EngineConfig | None = None
) -> EarlyEngine:
    """The enrolled device's SIP account, registering from now on; the engine keeps the
    masked SIP trace of the last calls for the diagnostics bundle
    (`homeagent.sip.sip_trace`) unless the caller chose a file already."""
    config = config or EngineConfig(bind_address="0.0.0.0")  # noqa: S104
    if not config.sip_trace_file:
        config = replace(config, sip_trace_file=str(Path(device.data_dir) / TRACE_FILE))
    return EarlyEngine(factory, config, device.sip_account())


def real_engine_factory() -> EngineFactory:
    """pjsua2's engine (imported here, when the desk really starts one)."""
    from homeagent.sip.engine import SipEngine as PjEngine

    return PjEngine  # type: ignore[return-value]  # its `audio` is the bridge's attachment


class EarlyEngine:
    """See the module docstring. Starts at construction; thread-safe."""

    def __init__(
        self,
        factory: EngineFactory | None,
        config: EngineConfig,
        account: SipAccountConfig,
    ) -> None:
        self._lock = threading.Lock()
        self._held: list[Event] = []
        self._sink: Callable[[Event], None] | None = None
        self._on_failed: Callable[[BaseException], None] | None = None
        self.failure: BaseException | None = None
        self.engine: SipEngine = (factory or real_engine_factory())(config, account, self._on_event)
        self._starter = threading.Thread(target=self._start, name="sip-start", daemon=True)
        self._starter.start()

    def _start(self) -> None:
        try:
            self.engine.start()
        except Exception as exc:  # the engine has said why (EngineFailed) and logged it
            with self._lock:
                self.failure = exc
                on_failed = self._on_failed
            if on_failed is not None:
                on_failed(exc)

    def _on_event(self, event: Event) -> None:
        with self._lock:
            if self._sink is None:
                self._held.append(event)
                return
            sink = self._sink
        sink(event)

    def attach(
        self,
        on_event: Callable[[Event], None],
        *,
        audio: Any = None,
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """From now on events go to `on_event` (those held first, in order); `audio`
        is plugged into the engine; `on_failed(exc)` hears a start that failed (now, if
        it already has)."""
        with self._lock:
            for event in self._held:
                on_event(event)
            self._held.clear()
            self._sink, self._on_failed = on_event, on_failed
            failure = self.failure
        if audio is not None:
            attach_audio = getattr(self.engine, "attach_audio", None)
            if attach_audio is not None:
                attach_audio(audio)
        if failure is not None and on_failed is not None:
            on_failed(failure)

    def stop(self) -> None:
        """Stop the engine, after its start (a quick close may come before it ends)."""
        self._starter.join(START_TIMEOUT_S + 1.0)
        self.engine.stop()
