"""Which devices the agent chose, remembered by device identity (Qt-free, pure data)."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from homeagent.core.audio_setup import AudioRole
from homeagent.core.events import AudioDevice


class NoiseStatus(enum.Enum):
    """What the microphone's noise filter does now (shown on the audio settings page)."""

    ACTIVE = "active"  # suppressing
    OFF = "off"  # switched off by the agent
    UNAVAILABLE = "unavailable"  # the component is not installed on this computer
    FAILED = "failed"  # it raised during a call: audio passes through untouched


class NoiseTestPhase(enum.Enum):
    """Where the settings page's before/after listening test is."""

    RECORDING = "recording"  # the agent speaks for a few seconds
    PLAYING_RAW = "playing_raw"  # played back as recorded
    PLAYING_FILTERED = "playing_filtered"  # played back through the noise filter
    DONE = "done"
    CANCELLED = "cancelled"  # a call started: the call wins
    FAILED = "failed"  # the microphone gave nothing


@dataclass(frozen=True, slots=True)
class AudioSettings:
    """Chosen device per role by stable id; None means "follow the system default".

    A chosen device that is unplugged stays chosen: audio falls back to the default and
    returns to the chosen one when it is plugged in again.
    """

    microphone_id: str | None = None
    speaker_id: str | None = None
    ringer_id: str | None = None
    ringer_volume: float = 0.8  # 0.0 .. 1.0
    noise_suppression: bool = True  # filter home noise from the microphone during calls

    VERSION = 1  # noise_suppression was added without a bump: absent means the default

    def chosen(self, role: AudioRole) -> str | None:
        return {
            AudioRole.MICROPHONE: self.microphone_id,
            AudioRole.SPEAKER: self.speaker_id,
            AudioRole.RINGER: self.ringer_id,
        }[role]

    def with_choice(self, role: AudioRole, device_id: str | None) -> AudioSettings:
        if role is AudioRole.MICROPHONE:
            return replace(self, microphone_id=device_id)
        if role is AudioRole.SPEAKER:
            return replace(self, speaker_id=device_id)
        return replace(self, ringer_id=device_id)

    def to_dict(self) -> dict[str, object]:
        """A plain dict the app can store (JSON, QSettings)."""
        return {
            "version": self.VERSION,
            "microphone_id": self.microphone_id,
            "speaker_id": self.speaker_id,
            "ringer_id": self.ringer_id,
            "ringer_volume": self.ringer_volume,
            "noise_suppression": self.noise_suppression,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> AudioSettings:
        """Read what `to_dict` wrote; unknown or malformed values fall back to defaults."""
        if not data:
            return cls()

        def dev(key: str) -> str | None:
            v = data.get(key)
            return v if isinstance(v, str) and v else None

        vol = data.get("ringer_volume", 0.8)
        volume = float(vol) if isinstance(vol, int | float) else 0.8
        if not math.isfinite(volume):
            volume = 0.8
        noise = data.get("noise_suppression", True)
        return cls(
            microphone_id=dev("microphone_id"),
            speaker_id=dev("speaker_id"),
            ringer_id=dev("ringer_id"),
            ringer_volume=min(1.0, max(0.0, volume)),
            noise_suppression=noise if isinstance(noise, bool) else True,
        )


def effective_device(chosen_id: str | None, available: Sequence[AudioDevice]) -> AudioDevice | None:
    """The device to use for a role: the chosen one if present, else the system default."""
    if chosen_id is not None:
        for d in available:
            if d.id == chosen_id:
                return d
    for d in available:
        if d.is_default:
            return d
    return available[0] if available else None
