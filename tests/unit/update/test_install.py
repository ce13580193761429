"""Installing a verified update: the Linux bundle side by side, the OS commands, dpkg."""

from __future__ import annotations

import io
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from homeagent.update import paths
from homeagent.update.install import (
    InstallError,
    OsInstaller,
    install_tarball,
    installer_command,
    tarball_root,
)


def _bundle(path: Path, version: str, *, extra: tuple[tuple[str, bytes], ...] = (),
            executable: bool = True) -> Path:  # fmt: skip
    with tarfile.open(path, "w:gz") as tar:
        members = [("homeagent/_internal/lib.so", b"lib " + version.encode()), *extra]
        if executable:
            members.append(("homeagent/homeagent", f"#!/bin/sh\necho {version}\n".encode()))
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data.startswith(b"->"):  # a symbolic link to what follows
                info.type, info.linkname = tarfile.SYMTYPE, data[2:].decode()
                tar.addfile(info)
                continue
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return path


def _installed(root: Path, version: str) -> Path:
    """A tarball install of `version`: <root>/homeagent-<v>/ and <root>/current → it."""
    install_tarball(_bundle(root.parent / f"{version}.tar.gz", version), root, version)
    return root / "current"


def test_the_bundle_is_unpacked_side_by_side_and_the_link_switched(tmp_path: Path) -> None:
    root = tmp_path / "opt"
    root.mkdir()
    current = _installed(root, "0.1.0")
    assert current.is_symlink()
    assert current.resolve() == (root / "homeagent-0.1.0").resolve()
    _installed(root, "0.2.0")
    assert current.resolve() == (root / "homeagent-0.2.0").resolve()
    assert (current / "homeagent").read_text().endswith("echo 0.2.0\n")
    assert (root / "homeagent-0.1.0" / "homeagent").exists()  # kept: roll back by the link
    assert sorted(p.name for p in root.iterdir()) == ["current", "homeagent-0.1.0",
                                                      "homeagent-0.2.0"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "executable", "message"),
    [
        ((("../escape", b"x"),), True, "could not be unpacked"),
        ((("homeagent/passwd", b"->/etc/passwd"),), True, "could not be unpacked"),
        ((("homeagent/up", b"->../../.."),), True, "could not be unpacked"),
        ((), False, "no homeagent/homeagent executable inside"),
    ],
)
def test_a_bad_bundle_leaves_the_running_version_alone(
    tmp_path: Path, extra: tuple[tuple[str, bytes], ...], executable: bool, message: str
) -> None:
    root = tmp_path / "opt"
    root.mkdir()
    current = _installed(root, "0.1.0")
    bad = _bundle(tmp_path / "bad.tar.gz", "0.2.0", extra=extra, executable=executable)
    with pytest.raises(InstallError, match=message):
        install_tarball(bad, root, "0.2.0")
    assert current.resolve() == (root / "homeagent-0.1.0").resolve()
    assert not (tmp_path / "escape").exists()
    assert not any(p.name.startswith(".staging") for p in root.iterdir())


def test_the_tarball_root_is_found_from_the_running_bundle(tmp_path: Path) -> None:
    root = tmp_path / "opt"
    root.mkdir()
    current = _installed(root, "0.1.0")
    assert tarball_root(current / "homeagent") == root
    assert tarball_root(root / "homeagent-0.1.0" / "homeagent") == root
    assert tarball_root(tmp_path / "elsewhere" / "homeagent") is None


def test_the_os_installer_commands() -> None:
    msi = Path("C:/t/homeagent-0.2.0-windows-x86_64.msi")
    assert installer_command(msi, "windows-x86_64") == ["msiexec", "/i", str(msi), "/qn",
                                                        "/norestart"]  # fmt: skip
    pkg = Path("/tmp/homeagent-0.2.0-macos.pkg")
    assert installer_command(pkg, "macos") == ["/usr/sbin/installer", "-pkg", str(pkg),
                                               "-target", "/"]  # fmt: skip
    with pytest.raises(InstallError):
        installer_command(pkg, "linux-x86_64")


def test_a_dpkg_install_is_left_to_apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / ".installed-by-dpkg"
    monkeypatch.setattr(paths, "DPKG_MARKER", marker)
    monkeypatch.setattr(paths, "DPKG_LIST", tmp_path / "homeagent.list")
    linux = OsInstaller("linux-x86_64", root=tmp_path)
    assert linux.unsupported() == ""
    marker.touch()
    assert linux.unsupported() == "installed by the .deb package: updates come through apt"
    with pytest.raises(InstallError, match="through apt"):
        linux.hand_over(tmp_path / "x.tar.gz", "0.2.0")
    marker.unlink()
    assert "not a bundle install" in OsInstaller("linux-x86_64").unsupported()


def test_the_system_config_dir_per_os(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOMEAGENT_SYSTEM_CONFIG_DIR", raising=False)
    monkeypatch.setenv("PROGRAMDATA", r"D:\Data")
    assert paths.system_config_dir("linux") == Path("/etc/homeagent")
    assert paths.system_config_dir("darwin") == Path("/Library/Application Support/HomeAgent")
    assert paths.system_config_dir("win32") == Path(r"D:\Data") / "HomeAgent"
    monkeypatch.setenv("HOMEAGENT_SYSTEM_CONFIG_DIR", "/srv/conf")
    assert paths.system_config_dir("linux") == Path("/srv/conf")


def test_apply_waits_for_the_app_then_installs(tmp_path: Path) -> None:
    """`homeagent update apply` as the desk starts it: the desk (here a child) quits first."""
    import subprocess

    root = tmp_path / "opt"
    root.mkdir()
    _installed(root, "0.1.0")
    desk = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    reaper = threading.Thread(target=desk.wait)  # its parent reaps it, as the OS would
    reaper.start()
    new = _bundle(tmp_path / "new.tar.gz", "0.2.0")
    from homeagent.update.cli import main

    assert main(["apply", "--wait-pid", str(desk.pid), "--platform", "linux-x86_64",
                 "--version", "0.2.0", "--root", str(root), str(new)]) == 0  # fmt: skip
    reaper.join(5)
    assert desk.returncode == 0  # it waited for the desk to end
    assert (root / "current").resolve() == (root / "homeagent-0.2.0").resolve()


def test_apply_refuses_a_file_changed_since_it_was_verified(tmp_path: Path) -> None:
    from homeagent.update.cli import main
    from homeagent.update.install import sha256_of

    root = tmp_path / "opt"
    root.mkdir()
    _installed(root, "0.1.0")
    new = _bundle(tmp_path / "new.tar.gz", "0.2.0")
    digest = sha256_of(new)
    _bundle(new, "6.6.6")  # swapped after the verification
    argv = ["apply", "--platform", "linux-x86_64", "--version", "0.2.0", "--root", str(root)]
    assert main([*argv, "--sha256", digest, str(new)]) == 1
    assert (root / "current").resolve() == (root / "homeagent-0.1.0").resolve()
    assert main([*argv, "--sha256", sha256_of(new), str(new)]) == 0
