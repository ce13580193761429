"""Hand a verified update to the OS installer once the app has quit.

The port (`Installer`) is what the desk uses; tests give it a fake. The real one spawns
`homeagent update apply --wait-pid <pid> FILE` detached: that process waits for the desk
to exit, then runs the platform's installer:

  Windows  msiexec /i FILE /qn /norestart            (the MSI is per-machine)
  macOS    /usr/sbin/installer -pkg FILE -target /
  Linux    the bundle .tar.gz unpacked side by side (`<root>/homeagent-<version>/`) and
           the `<root>/current` symlink switched atomically; the previous version stays
           (switch the link back to roll back by hand)

A Linux install made by the .deb (`/opt/homeagent/.installed-by-dpkg`, or dpkg's own
`homeagent.list`) is updated by apt from the signed repository: the app only tells.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from homeagent.core.update_policy import PLATFORMS, parse_version
from homeagent.update import paths

log = logging.getLogger(__name__)


class InstallError(Exception):
    """The update could not be installed; the running version is left as it was."""


class Installer(Protocol):
    """What the desk needs to install a verified update (the real one, or a fake)."""

    def unsupported(self) -> str:
        """Why this installation cannot be updated by the app ("" when it can)."""

    def hand_over(
        self, file: Path, version: str, *, sha256: str = "", relaunch: bool = False
    ) -> None:
        """Arrange for `file` to be installed once the app has quit (returns at once);
        `sha256`: the verified file's digest, checked again just before installing;
        `relaunch`: start the app again afterwards (the agent chose "Install now")."""


def current_platform() -> str:
    """This machine's update platform name (homeagent-<version>-<platform>.<ext>)."""
    if sys.platform.startswith("win"):
        return "windows-x86_64"
    if sys.platform == "darwin":
        return "macos"
    return "linux-x86_64"


def installer_command(file: Path, platform: str) -> list[str]:
    """The OS installer's command line for a package file (not for the Linux tarball)."""
    if platform == "windows-x86_64":
        return ["msiexec", "/i", str(file), "/qn", "/norestart"]
    if platform == "macos":
        return ["/usr/sbin/installer", "-pkg", str(file), "-target", "/"]
    raise InstallError(f"{platform} updates are a bundle to unpack, not a package")


def tarball_root(executable: Path | None = None) -> Path | None:
    """`<root>` when the running bundle is `<root>/current/homeagent` (a tarball install)."""
    if not getattr(sys, "frozen", False) and executable is None:
        return None
    exe = executable or Path(sys.executable)
    bundle = exe.parent
    for root in (bundle.parent, exe.parent.parent):
        link = root / "current"
        if link.is_symlink() and link.resolve() == bundle.resolve():
            return root
    return None


def install_tarball(file: Path, root: Path, version: str) -> Path:
    """Unpack the bundle beside the running one and switch `<root>/current` to it."""
    parse_version(version)
    target = root / f"homeagent-{version}"
    staging = root / f".staging-homeagent-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with tarfile.open(file, "r:gz") as tar:
            tar.extractall(staging, filter="data")  # no absolute paths, links out, devices
        inner = staging / "homeagent"
        if not (inner / "homeagent").is_file():
            raise InstallError(f"{file.name}: no homeagent/homeagent executable inside")
        if target.exists():
            shutil.rmtree(target)
        inner.rename(target)
    except (OSError, tarfile.TarError) as exc:
        raise InstallError(f"{file.name} could not be unpacked: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    fresh = root / ".current-new"
    fresh.unlink(missing_ok=True)
    fresh.symlink_to(target.name)
    os.replace(fresh, root / "current")  # atomic: the next start runs the new version
    return target


@dataclass
class OsInstaller:
    """The real installer of this OS (see the module docstring)."""

    platform: str = ""
    root: Path | None = None  # the tarball install root on Linux (found from the bundle)

    def __post_init__(self) -> None:
        self.platform = self.platform or current_platform()
        if self.platform.startswith("linux") and self.root is None:
            self.root = tarball_root()

    def unsupported(self) -> str:
        if self.platform not in PLATFORMS:
            return f"no updates for platform {self.platform}"
        if self.platform.startswith("linux"):
            if paths.installed_by_dpkg():
                return "installed by the .deb package: updates come through apt"
            if self.root is None:
                return "not a bundle install (<root>/current/homeagent): update it by hand"
        elif not getattr(sys, "frozen", False):
            return "not an installed bundle: update it by hand"
        return ""

    def hand_over(
        self, file: Path, version: str, *, sha256: str = "", relaunch: bool = False
    ) -> None:
        why = self.unsupported()
        if why:
            raise InstallError(why)
        argv = [*_self_command(), "update", "apply", "--wait-pid", str(os.getpid())]
        argv += ["--platform", self.platform, "--version", version, str(file)]
        if self.root is not None:
            argv += ["--root", str(self.root)]
        if sha256:
            argv += ["--sha256", sha256]
        if relaunch:
            argv.append("--relaunch")
        flags: dict[str, object] = {}
        if os.name == "nt":
            flags["creationflags"] = 0x00000008 | 0x00000200  # DETACHED, NEW_PROCESS_GROUP
        else:
            flags["start_new_session"] = True
        log.info("update %s handed to the installer after exit", version)
        subprocess.Popen(  # our own executable
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            **flags,  # type: ignore[call-overload]
        )


def _self_command() -> list[str]:
    """How to start this app's CLI again (the bundle's executable, or this Python)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "homeagent"]


def wait_for_exit(pid: int, timeout_s: float = 120.0) -> None:
    """Wait until process `pid` has ended (the desk quitting), or raise InstallError."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.2)
    raise InstallError(f"the app (pid {pid}) did not quit within {timeout_s:.0f} s")


def _alive(pid: int) -> bool:
    if os.name == "nt":
        out = subprocess.run(
            ["tasklist", "/FI", f"PID eq {pid}", "/NH"], capture_output=True, text=True, check=False
        )
        return str(pid) in out.stdout
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def apply(
    file: Path,
    *,
    platform: str,
    version: str,
    root: Path | None,
    relaunch: bool = False,
    sha256: str = "",
) -> None:
    """Install `file` now (the `homeagent update apply` process, after the app quit);
    with `sha256`, only if the file is still the one the update client verified."""
    if sha256:
        try:
            found = sha256_of(file)
        except OSError as exc:
            raise InstallError(f"{file} unreadable: {exc}") from exc
        if found != sha256:
            raise InstallError(f"{file.name} changed since it was verified: not installed")
    if platform.startswith("linux"):
        if root is None:
            raise InstallError("a Linux bundle update needs --root (the install folder)")
        install_tarball(file, root, version)
        if relaunch:
            subprocess.Popen(  # the bundle just installed
                [str(root / "current" / "homeagent")],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        return
    result = subprocess.run(installer_command(file, platform), check=False)
    if result.returncode != 0:
        raise InstallError(f"the installer failed (exit {result.returncode})")
