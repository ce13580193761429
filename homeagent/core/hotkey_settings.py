"""Global hotkeys' settings: off by default, one key combination per action, kept as a small
JSON in the user's data folder (like the audio settings, `core.audio_setup`)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

HOTKEY_SETTINGS_FILE = "hotkeys.json"
# the actions a global hotkey can trigger (names of MainWindow.shortcut_actions)
HOTKEY_ACTIONS = ("answer", "hangup", "mute", "toggle_available")
# Ctrl+Alt: the window's own shortcuts (Ctrl+Return, Ctrl+M…) stay free for other programs
DEFAULT_HOTKEYS: Mapping[str, str] = {
    "answer": "Ctrl+Alt+A",
    "hangup": "Ctrl+Alt+E",
    "mute": "Ctrl+Alt+M",
    "toggle_available": "Ctrl+Alt+D",
}


@dataclass(frozen=True, slots=True)
class HotkeySettings:
    """Whether global hotkeys are on, and each action's combination ("" = none)."""

    enabled: bool = False
    keys: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_HOTKEYS))

    def to_dict(self) -> dict[str, object]:
        return {"enabled": self.enabled, "keys": {a: self.keys.get(a, "") for a in HOTKEY_ACTIONS}}

    @classmethod
    def from_dict(cls, data: Mapping[str, object] | None) -> HotkeySettings:
        """Tolerant: anything malformed falls back to the default for that part."""
        if not data:
            return cls()
        raw = data.get("keys")
        stored = raw if isinstance(raw, dict) else {}
        keys = {
            a: str(stored[a]) if isinstance(stored.get(a), str) else DEFAULT_HOTKEYS[a]
            for a in HOTKEY_ACTIONS
        }
        return cls(enabled=data.get("enabled") is True, keys=keys)


class HotkeySettingsFile:
    """The settings as JSON; a bad or missing file means the defaults (off)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> HotkeySettings:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return HotkeySettings()
        except (OSError, ValueError) as exc:
            log.warning("hotkey settings unreadable (%s): using the defaults", exc)
            return HotkeySettings()
        return HotkeySettings.from_dict(data if isinstance(data, dict) else None)

    def save(self, settings: HotkeySettings) -> None:
        """Write atomically (a crash leaves the old file or the new one, never half)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".hotkeys-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(settings.to_dict(), f, ensure_ascii=False, indent=1)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("hotkey settings not saved: %s", exc)
