"""The audio settings page's decisions and the file that remembers the choices (Qt-free).

The page shows, per role (microphone, headset, ringer), "the system default" first and
then the devices by the names users see. A chosen device that is unplugged stays chosen
(audio falls back to the default and returns when it is plugged in again), so it stays in
its list as a *missing* entry. The widget only renders `AudioPageView`s and reports the
index the agent picked; this module says what that means.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from homeagent.core.events import AudioDevice

log = logging.getLogger(__name__)

METER_FLOOR_DB = -60.0  # a peak at or under this shows an empty meter
NAMES_KEY = "device_names"  # in the settings file: {device id: name users saw}


class AudioRole(enum.Enum):
    """What a device is used for (the one role type: the page, the settings, the service)."""

    MICROPHONE = "microphone"
    SPEAKER = "speaker"  # the headset earpiece: call audio and the test tone
    RINGER = "ringer"  # where incoming calls ring (often the PC speakers)

    @property
    def is_input(self) -> bool:
        return self is AudioRole.MICROPHONE


class OptionKind(enum.Enum):
    SYSTEM_DEFAULT = "system_default"  # follow whatever the system calls default
    DEVICE = "device"  # a device that is plugged in
    MISSING = "missing"  # the chosen device, unplugged for now


@dataclass(frozen=True, slots=True)
class DeviceOption:
    """One entry of a device list; `name` of SYSTEM_DEFAULT is the current default's name."""

    kind: OptionKind
    device_id: str | None  # None for SYSTEM_DEFAULT
    name: str


@dataclass(frozen=True, slots=True)
class RoleView:
    """One device list: its entries, the selected index, and the device really in use."""

    role: AudioRole
    options: tuple[DeviceOption, ...]
    selected: int
    in_use_name: str  # "" when there is no device at all


@dataclass(frozen=True, slots=True)
class AudioPageView:
    microphone: RoleView
    speaker: RoleView
    ringer: RoleView
    ringer_volume_pct: int  # 0 .. 100

    def role(self, role: AudioRole) -> RoleView:
        return {AudioRole.MICROPHONE: self.microphone, AudioRole.SPEAKER: self.speaker}.get(
            role, self.ringer
        )


@dataclass(frozen=True, slots=True)
class FallbackNotice:
    """What the banner says after a device in use disappeared."""

    role: AudioRole
    lost_name: str
    now_name: str


class AudioPagePresenter:
    """Device lists, choices and volume of the audio settings page; no Qt, no I/O."""

    def __init__(
        self,
        chosen: Mapping[AudioRole, str | None] | None = None,
        ringer_volume: float = 0.8,
        *,
        names: dict[str, str] | None = None,
    ) -> None:
        self._chosen: dict[AudioRole, str | None] = {r: None for r in AudioRole}
        self._chosen.update(chosen or {})
        self._volume = _clamp(ringer_volume)
        self._inputs: tuple[AudioDevice, ...] = ()
        self._outputs: tuple[AudioDevice, ...] = ()
        # Every device seen, for the lost ones: kept up to date in place, so a settings
        # writer holding the same dict stores the chosen devices' names with their ids.
        self.names: dict[str, str] = names if names is not None else {}

    # -- inputs ------------------------------------------------------------------------

    def set_devices(self, inputs: Iterable[AudioDevice], outputs: Iterable[AudioDevice]) -> None:
        """The service's current lists (AudioDevicesChanged or `devices()`)."""
        self._inputs, self._outputs = tuple(inputs), tuple(outputs)
        for d in (*self._inputs, *self._outputs):
            self.names[d.id] = d.name

    def set_settings(
        self,
        *,
        microphone_id: str | None,
        speaker_id: str | None,
        ringer_id: str | None,
        ringer_volume: float,
    ) -> None:
        """The service's current settings (the source of truth for the choices)."""
        self._chosen = {
            AudioRole.MICROPHONE: microphone_id,
            AudioRole.SPEAKER: speaker_id,
            AudioRole.RINGER: ringer_id,
        }
        self._volume = _clamp(ringer_volume)

    # -- what to show ------------------------------------------------------------------

    def view(self) -> AudioPageView:
        return AudioPageView(
            self._role_view(AudioRole.MICROPHONE),
            self._role_view(AudioRole.SPEAKER),
            self._role_view(AudioRole.RINGER),
            round(self._volume * 100),
        )

    def _devices(self, role: AudioRole) -> tuple[AudioDevice, ...]:
        return self._inputs if role.is_input else self._outputs

    def _role_view(self, role: AudioRole) -> RoleView:
        devices = self._devices(role)
        default = _system_default(devices)
        options = [DeviceOption(OptionKind.SYSTEM_DEFAULT, None, default.name if default else "")]
        chosen = self._chosen[role]
        selected = 0
        present = {d.id for d in devices}
        if chosen is not None and chosen not in present:
            options.append(DeviceOption(OptionKind.MISSING, chosen, self.name_of(chosen)))
            selected = 1
        for d in devices:
            if d.id == chosen:
                selected = len(options)
            options.append(DeviceOption(OptionKind.DEVICE, d.id, d.name))
        in_use = self.in_use(role)
        return RoleView(role, tuple(options), selected, in_use.name if in_use else "")

    def in_use(self, role: AudioRole) -> AudioDevice | None:
        """The chosen device when plugged in, else the system default (as the service does)."""
        devices = self._devices(role)
        chosen = self._chosen[role]
        for d in devices:
            if d.id == chosen:
                return d
        return _system_default(devices)

    def name_of(self, device_id: str) -> str:
        """The name users saw for a device, or its id when it was never listed."""
        return self.names.get(device_id, device_id)

    # -- what the agent did ------------------------------------------------------------

    def choose(self, role: AudioRole, index: int) -> tuple[bool, str | None]:
        """The agent picked entry `index`: (changed, device id or None for the default)."""
        options = self._role_view(role).options
        if not 0 <= index < len(options):
            return False, self._chosen[role]
        wanted = options[index].device_id
        if wanted == self._chosen[role]:
            return False, wanted
        self._chosen[role] = wanted
        return True, wanted

    def set_volume_pct(self, pct: int) -> tuple[bool, float]:
        """The ringer volume slider moved: (changed, volume 0.0 .. 1.0)."""
        volume = _clamp(pct / 100)
        if round(volume * 100) == round(self._volume * 100):
            return False, self._volume
        self._volume = volume
        return True, volume

    def fallback(self, role: str, lost_id: str, now_id: str) -> FallbackNotice:
        """Names for the banner after `AudioDeviceFellBack` (the lost one is no longer listed)."""
        try:
            r = AudioRole(role)
        except ValueError:
            r = AudioRole.SPEAKER
        return FallbackNotice(r, self.name_of(lost_id), self.name_of(now_id) if now_id else "")

    def is_back(self, notice_lost_id: str, role: AudioRole) -> bool:
        """Whether a lost device is listed again (the banner can go)."""
        return any(d.id == notice_lost_id for d in self._devices(role))


def meter_percent(level: float) -> int:
    """A peak level (0.0 .. 1.0) as a meter position 0 .. 100 on a dB scale.

    Speech peaks sit around -20 .. -6 dBFS: a linear meter would barely move for a quiet
    headset microphone, a dB meter shows it at about half.
    """
    if level <= 0.0:
        return 0
    db = 20 * math.log10(min(1.0, level))
    return max(0, min(100, round((db - METER_FLOOR_DB) / -METER_FLOOR_DB * 100)))


AUDIO_SETTINGS_FILE = "audio.json"  # its name in the device's data folder


class AudioSettingsFile:
    """The choices as JSON in the user's data folder; a bad or missing file means defaults."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("audio settings unreadable (%s): using the defaults", exc)
            return None
        return data if isinstance(data, dict) else None

    def save(self, data: Mapping[str, object]) -> None:
        """Write atomically (a crash leaves the old file or the new one, never half)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".audio-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(dict(data), f, ensure_ascii=False, indent=1)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("audio settings not saved: %s", exc)


def stored_names(data: Mapping[str, object] | None) -> dict[str, str]:
    """The device names a settings file remembered (ignoring anything malformed)."""
    raw = data.get(NAMES_KEY) if data else None
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str) and v}


def with_names(data: Mapping[str, object], names: Mapping[str, str]) -> dict[str, object]:
    """`data` (AudioSettings.to_dict()) plus the names of the devices it chose."""
    out = dict(data)
    ids = [data.get(k) for k in ("microphone_id", "speaker_id", "ringer_id")]
    out[NAMES_KEY] = {i: names[i] for i in ids if isinstance(i, str) and i in names}
    return out


def _system_default(devices: Sequence[AudioDevice]) -> AudioDevice | None:
    for d in devices:
        if d.is_default:
            return d
    return devices[0] if devices else None


def _clamp(volume: float) -> float:
    return min(1.0, max(0.0, float(volume)))
