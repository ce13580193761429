"""Start at login: an XDG autostart entry on Linux (``~/.config/autostart/homeagent.desktop``).

The entry's presence is the setting (the desktop's own "startup applications" panel may
remove it): `autostart_enabled` reads it, `set_autostart` writes or removes it. Only an
entry this module wrote (``X-HomeAgent-Autostart=true``) is ever removed. Windows (the
Run key or the Startup folder) and macOS (Login Items) are done by IT or by hand: see
docs/user-guide.md.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "homeagent.desktop"
MARK = "X-HomeAgent-Autostart=true"


def supported() -> bool:
    """Whether this system starts applications from XDG autostart entries."""
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def autostart_file(env: dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autostart/homeagent.desktop`` (``~/.config`` by default)."""
    env = dict(os.environ) if env is None else env
    config = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(config) / "autostart" / FILE_NAME


def _exec_quoted(arg: str) -> str:
    """One Exec argument, quoted as the Desktop Entry specification says."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return f'"{escaped}"'.replace("%", "%%")


def entry_text(command: str | None = None) -> str:
    """The entry: `homeagent --minimized` (the desk waits in the tray)."""
    program = command or shutil.which("homeagent") or "homeagent"
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=HomeAgent\n"
        "Comment=Softphone and agent desk\n"
        "Comment[fr]=Softphone et poste agent\n"
        f"Exec={_exec_quoted(program)} --minimized\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
        f"{MARK}\n"
    )


def autostart_enabled(env: dict[str, str] | None = None) -> bool:
    """Whether HomeAgent starts at login (our entry is there and not disabled)."""
    path = autostart_file(env)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return "Hidden=true" not in text and "X-GNOME-Autostart-enabled=false" not in text


def set_autostart(
    enabled: bool, env: dict[str, str] | None = None, command: str | None = None
) -> bool:
    """Write or remove the entry; returns whether HomeAgent now starts at login."""
    if not supported():
        log.warning("start at login is set by IT on this system (see the user guide)")
        return False
    path = autostart_file(env)
    try:
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(entry_text(command), encoding="utf-8")
            tmp.replace(path)
        elif path.exists():
            if MARK not in path.read_text(encoding="utf-8", errors="replace"):
                log.warning("%s was not written by HomeAgent: left as it is", path)
                return autostart_enabled(env)
            path.unlink()
    except OSError as exc:
        log.warning("start at login: %s", exc)
    return autostart_enabled(env)
