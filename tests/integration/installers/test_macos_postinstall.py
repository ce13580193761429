"""The macOS pkg's postinstall, run for real with a scratch target volume (it is POSIX sh)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(60),
    pytest.mark.skipif(os.geteuid() != 0, reason="postinstall runs as root (chown 0:0)"),
]

SCRIPT = Path(__file__).resolve().parents[3] / "installers/macos/scripts/postinstall"
DEST = "Library/Application Support/HomeAgent"


def _scripts(tmp: Path, config: dict[str, str] | None) -> Path:
    """The scripts folder as build_pkg.sh lays it out inside the pkg."""
    scripts = tmp / "scripts"
    scripts.mkdir()
    shutil.copy2(SCRIPT, scripts / "postinstall")
    if config is not None:
        (scripts / "config").mkdir()
        for name, text in config.items():
            (scripts / "config" / name).write_text(text, encoding="utf-8")
    return scripts / "postinstall"


def _run(script: Path, target: Path) -> subprocess.CompletedProcess[str]:
    # installer(8): postinstall PACKAGE_PATH INSTALL_LOCATION TARGET_VOLUME
    return subprocess.run(
        ["sh", str(script), "/tmp/homeagent.pkg", "/Applications", str(target)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=script.parent,
    )


def test_installs_it_configuration_root_owned_world_readable(tmp_path: Path) -> None:
    config = {
        "profile.json": '{"version": 1}\n',
        "trusted-keys.pem": "-----BEGIN PUBLIC KEY-----\n",
        "update-policy.json": '{"channel": "pilot"}\n',
        "update-root.json": '{"signed": {}}\n',
    }
    target = tmp_path / "volume"
    target.mkdir()
    done = _run(_scripts(tmp_path, config), target)
    assert done.returncode == 0, done.stdout + done.stderr
    dest = target / DEST
    assert stat.S_IMODE(dest.stat().st_mode) == 0o755
    for name, text in config.items():
        path = dest / name
        assert path.read_text(encoding="utf-8") == text
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        assert (path.stat().st_uid, path.stat().st_gid) == (0, 0)
    assert sorted(p.name for p in dest.iterdir()) == sorted(config)  # no temporary left


def test_an_upgrade_without_config_keeps_the_machine_s_files(tmp_path: Path) -> None:
    target = tmp_path / "volume"
    (target / DEST).mkdir(parents=True)
    (target / DEST / "profile.json").write_text("kept\n", encoding="utf-8")
    done = _run(_scripts(tmp_path, None), target)
    assert done.returncode == 0, done.stderr
    assert (target / DEST / "profile.json").read_text(encoding="utf-8") == "kept\n"


def test_only_the_shipped_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "volume"
    (target / DEST).mkdir(parents=True)
    (target / DEST / "profile.json").write_text("kept\n", encoding="utf-8")
    done = _run(_scripts(tmp_path, {"update-policy.json": "{}\n"}), target)
    assert done.returncode == 0, done.stderr
    assert (target / DEST / "profile.json").read_text(encoding="utf-8") == "kept\n"
    assert (target / DEST / "update-policy.json").read_text(encoding="utf-8") == "{}\n"


def test_an_unknown_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    target = tmp_path / "volume"
    target.mkdir()
    done = _run(_scripts(tmp_path, {"profile.json": "{}\n", "evil.sh": "rm -rf /\n"}), target)
    assert done.returncode == 1
    assert "refusing unknown configuration file evil.sh" in done.stdout
    assert not (target / "Library").exists()
