"""Where trusted organisation keys and profiles live; importing a profile safely.

Trusted keys (installer-provided, read-only for users):
  Linux   /etc/homeagent/trusted-keys.pem and /etc/homeagent/trusted-keys.d/*.pem
  Windows %ProgramData%\\HomeAgent\\, macOS /Library/Application Support/HomeAgent/ (same
          names; `system_config_dir` below)
Each file holds one or more Ed25519 public keys (PEM). Several keys let IT rotate the
organisation key: ship the new key first, then profiles signed with it.

System-wide profile for silent installs: /etc/homeagent/profile.json (same dir rule).
The accepted profile is kept in the user's config dir (`profile.json`) as the signed
file itself, and verified again at every start.

An import verifies everything first and then replaces the stored file atomically, so a
refused profile changes nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import platformdirs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from homeagent.core.profile import Profile
from homeagent.security.profile import (
    ProfileError,
    ProfileRollback,
    load_profile,
    parse_public_key,
)

log = logging.getLogger(__name__)

APP_NAME = "HomeAgent"
PROFILE_FILE = "profile.json"
MAX_PROFILE_BYTES = 1_000_000


def system_config_dir(platform: str = sys.platform) -> Path:
    """The installer's read-only configuration directory for this OS (Linux /etc/homeagent,
    Windows %ProgramData%\\HomeAgent, macOS /Library/Application Support/HomeAgent;
    `HOMEAGENT_SYSTEM_CONFIG_DIR` overrides it: tests, a portable install)."""
    override = os.environ.get("HOMEAGENT_SYSTEM_CONFIG_DIR")
    if override:
        return Path(override)
    if platform.startswith("win"):
        return Path(os.environ.get("PROGRAMDATA") or r"C:\ProgramData") / "HomeAgent"
    if platform == "darwin":
        return Path("/Library/Application Support/HomeAgent")
    return Path("/etc/homeagent")


def _split_pem_keys(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("-----BEGIN"):
            current = [line]
        elif current:
            current.append(line)
            if line.startswith("-----END"):
                blocks.append("\n".join(current) + "\n")
                current = []
    return blocks


def load_trusted_keys(config_dir: Path | None = None) -> list[Ed25519PublicKey]:
    """The organisation keys this computer trusts; empty if none is installed."""
    base = config_dir or system_config_dir()
    files = [base / "trusted-keys.pem", *sorted((base / "trusted-keys.d").glob("*.pem"))]
    keys = []
    for path in files:
        if not path.is_file():
            continue
        for block in _split_pem_keys(path.read_text(encoding="ascii", errors="replace")):
            try:
                keys.append(parse_public_key(block))
            except ValueError:
                log.warning("ignoring an unreadable key in %s", path)
    return keys


@dataclass(frozen=True, slots=True)
class ImportResult:
    profile: Profile
    previous: Profile | None
    server_changed: bool  # a different server/CA: the device must enrol again


class ProfileStore:
    """The profile this user accepted, and how new ones get in."""

    def __init__(
        self,
        user_config_dir: Path | None = None,
        system_dir: Path | None = None,
        trusted_keys: Sequence[Ed25519PublicKey] | None = None,
    ) -> None:
        self._dir = user_config_dir or Path(platformdirs.user_config_dir(APP_NAME, False))
        self._system_dir = system_dir or system_config_dir()
        self._trusted = (
            list(trusted_keys) if trusted_keys is not None else load_trusted_keys(self._system_dir)
        )

    @property
    def path(self) -> Path:
        return self._dir / PROFILE_FILE

    @property
    def system_profile_path(self) -> Path:
        return self._system_dir / PROFILE_FILE

    def current(self, *, now: datetime | None = None) -> Profile | None:
        """The accepted profile, re-verified; None if there is none (or it is no longer valid)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return load_profile(data, self._trusted, now=now)
        except ProfileError as exc:
            log.warning("the stored provisioning profile is no longer valid: %s", exc)
            return None

    def import_bytes(self, data: bytes, *, now: datetime | None = None) -> ImportResult:
        """Verify and install a profile; raise `ProfileError` (nothing changed) if refused.

        A profile issued before the accepted one is refused (`ProfileRollback`), whatever
        the way in: an old, still validly signed profile could point back to a retired
        server or weaker SIP settings.
        """
        if len(data) > MAX_PROFILE_BYTES:
            raise ProfileError("This file is too large to be a provisioning profile.")
        profile = load_profile(data, self._trusted, now=now)
        previous = self.current(now=now)
        if previous is not None and profile.issued_at < previous.issued_at:
            raise ProfileRollback(
                f"This provisioning profile ({_day(profile.issued_at)}) is older than the "
                f"one in use ({_day(previous.issued_at)}); it was not imported."
            )
        self._dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.path, data)
        changed = previous is not None and (
            previous.server_url != profile.server_url or previous.ca_pem != profile.ca_pem
        )
        log.info(
            "provisioning profile of %s accepted (key %s, expires %s)",
            profile.organisation,
            profile.key_id,
            profile.expires_at.date(),
        )
        return ImportResult(profile, previous, changed)

    def import_file(self, path: Path, *, now: datetime | None = None) -> ImportResult:
        """Import from a file the user picked or passed on the command line."""
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_PROFILE_BYTES + 1)
        except OSError as exc:
            raise ProfileError(f"Cannot read the profile file {path}: {exc.strerror}.") from None
        return self.import_bytes(data, now=now)

    def import_system(self, *, now: datetime | None = None) -> ImportResult | None:
        """Adopt the system-wide profile if it is valid and newer than the current one.

        Returns None when there is nothing to do. A refused system profile raises
        `ProfileError` (IT must hear about it), and the current profile stays.
        """
        path = self.system_profile_path
        if not path.is_file():
            return None
        current = self.current(now=now)
        data = path.read_bytes()
        candidate = load_profile(data, self._trusted, now=now)
        if current is not None and candidate.issued_at <= current.issued_at:
            return None
        return self.import_bytes(data, now=now)


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".profile-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
