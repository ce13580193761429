"""The seams of the desktop as Protocols: the SIP engine, the audio service, the device.

The real parts (`homeagent.sip.engine.SipEngine`, `homeagent.sip.audio.AudioService`,
`homeagent.client.device.DeviceSession`) and their fakes (`homeagent.testing`) both
implement these; the composition (`homeagent.desktop`) is typed against them, and the
contract tests run the same cases through a fake and the real part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from homeagent.core.audio_settings import AudioSettings
from homeagent.core.commands import Command
from homeagent.core.events import AudioDevicesChanged, Event
from homeagent.core.sip_config import EngineConfig, SipAccountConfig


class SipEngine(Protocol):
    """Commands in (any thread, never blocks), events out (from the engine's thread)."""

    def start(self) -> None:
        """Bring the transport up and send REGISTER; raises RuntimeError when it cannot."""

    def submit(self, command: Command) -> None:
        """Queue a command for the engine thread."""

    def stop(self) -> None:
        """Hang up, unregister and release everything; safe to call twice."""


class EngineFactory(Protocol):
    """`SipEngine`'s constructor: how the composition makes an engine (tests: a fake)."""

    def __call__(
        self,
        config: EngineConfig,
        account: SipAccountConfig,
        on_event: Callable[[Event], None],
        audio: object | None = None,
    ) -> SipEngine: ...


class AudioService(Protocol):
    """Headset, ringer, meter and test tone; its `bridge` is handed to the engine as is."""

    @property
    def bridge(self) -> object:
        """The engine's audio attachment (opaque outside `homeagent.sip`)."""

    @property
    def settings(self) -> AudioSettings:
        """The agent's current device choices."""

    def start(self) -> None:
        """Open the devices (its own thread); raises when there is no sound server."""

    def stop(self) -> None:
        """Close the devices; after the engine stopped."""

    def devices(self) -> AudioDevicesChanged:
        """The devices plugged in now, as the last event said."""

    def select_microphone(self, device_id: str | None) -> None: ...
    def select_speaker(self, device_id: str | None) -> None: ...
    def select_ringer(self, device_id: str | None) -> None: ...
    def set_ringer_volume(self, volume: float) -> None: ...
    def set_mic_meter(self, on: bool) -> None: ...
    def play_test_tone(self, freq_hz: float = 440.0, duration_s: float = 1.5) -> None: ...
    def start_ringing(self) -> None: ...
    def stop_ringing(self) -> None: ...
