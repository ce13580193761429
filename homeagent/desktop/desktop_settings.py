"""The desktop settings kept between runs (``desktop.json`` in the data folder)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "desktop.json"


@dataclass
class DesktopSettings:
    """Start in the tray (autostart's own setting is its entry's presence)."""

    start_minimized: bool = False

    @classmethod
    def load(cls, folder: Path) -> DesktopSettings:
        """The stored settings, or the defaults when there are none or they are unreadable."""
        try:
            data = json.loads((folder / FILE_NAME).read_text(encoding="utf-8"))
            return cls(start_minimized=bool(data.get("start_minimized", False)))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("desktop settings unreadable (defaults used): %s", exc)
            return cls()

    def save(self, folder: Path) -> None:
        """Write atomically (a crash never leaves half a file)."""
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (FILE_NAME + ".tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(folder / FILE_NAME)
