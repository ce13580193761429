"""Where IT's files and the app's update cache live, per OS.

System-wide configuration directory (written by IT or the installer, read-only for users):

  Linux    /etc/homeagent/
  Windows  %ProgramData%\\HomeAgent\\            (usually C:\\ProgramData\\HomeAgent\\)
  macOS    /Library/Application Support/HomeAgent/

It holds `trusted-keys.pem`, `profile.json`, `update-policy.json` and `update-root.json`
(the organisation's TUF bootstrap root). `HOMEAGENT_SYSTEM_CONFIG_DIR` overrides it (tests,
a portable install). The TUF metadata cache and the downloaded updates are the user's:
`<user data dir>/updates/metadata` and `…/updates/downloads`, folders 0700, files 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

# the installer's read-only configuration directory, per OS (where the trusted keys are)
from homeagent.security.provisioning import system_config_dir as system_config_dir

POLICY_FILE = "update-policy.json"
ROOT_FILE = "update-root.json"
# shipped by the .deb in /opt/homeagent: such installs are updated by apt, never by the app
DPKG_MARKER = Path("/opt/homeagent/.installed-by-dpkg")
DPKG_LIST = Path("/var/lib/dpkg/info/homeagent.list")


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by the user only; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        path.chmod(0o700)
    return path


def update_dirs(data_dir: Path) -> tuple[Path, Path]:
    """(metadata cache, downloads) under the user's data dir, both 0700."""
    base = private_dir(data_dir / "updates")
    return private_dir(base / "metadata"), private_dir(base / "downloads")


def installed_by_dpkg() -> bool:
    """Whether this Linux install came from the .deb (then apt updates it)."""
    return DPKG_MARKER.exists() or DPKG_LIST.exists()
