"""Who asks for updates: the running version and the enrolled device's id."""

from __future__ import annotations

import json
from pathlib import Path

DEVICE_FILE = "device.json"  # written at enrolment (homeagent.client.device)


def app_version() -> str:
    """The running HomeAgent's version ("0.0.0" from a source tree without metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("homeagent")
    except PackageNotFoundError:
        return "0.0.0"


def device_id_of(data_dir: Path) -> str:
    """The enrolled device's id (the staged rollout's draw); "" before enrolment."""
    try:
        info = json.loads((data_dir / DEVICE_FILE).read_text())
    except (OSError, ValueError):
        return ""
    return str(info.get("device_id") or "") if isinstance(info, dict) else ""
