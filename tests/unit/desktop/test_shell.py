"""The desktop shell: start minimised (option or setting), autostart at login through the
XDG entry, the settings kept between runs, and a desktop without a tray."""

from __future__ import annotations

import configparser
from pathlib import Path
from types import SimpleNamespace

import pytest

from homeagent.core.eventlog import MemoryEventLog
from homeagent.desktop import autostart
from homeagent.desktop.desktop_settings import DesktopSettings
from homeagent.desktop.shell import DesktopShell
from tests.unit.ui.conftest import make_desk


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def fake(qtbot):  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    desk.window.hide()
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _shell(tmp_path: Path, minimized: bool | None = None) -> DesktopShell:
    return DesktopShell(
        MemoryEventLog(), None, tmp_path / "data", minimized=minimized, notifications=False
    )


def _session(desk) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    return SimpleNamespace(model=desk.model, controller=desk.controller)


def test_the_autostart_entry_is_written_and_removed(home: Path) -> None:
    path = home / "config/autostart/homeagent.desktop"
    assert autostart.autostart_file() == path
    assert autostart.set_autostart(True, command="/opt/home agent/bin/homeagent") is True
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(path, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"] == '"/opt/home agent/bin/homeagent" --minimized'  # quoted: a space
    assert section["Type"] == "Application"
    assert autostart.autostart_enabled()
    assert autostart.set_autostart(False) is False
    assert not path.exists()


def test_an_entry_we_did_not_write_is_left_alone(home: Path) -> None:
    path = home / "config/autostart/homeagent.desktop"
    path.parent.mkdir(parents=True)
    path.write_text("[Desktop Entry]\nType=Application\nExec=homeagent --lang en\n")
    assert autostart.set_autostart(False) is True  # still starts: IT's entry stays
    assert path.exists()


def test_the_entry_passes_desktop_file_validate(home: Path) -> None:
    import subprocess

    from tests.helpers.procs import require_tool

    autostart.set_autostart(True, command="homeagent")
    validate = require_tool("desktop-file-validate")
    result = subprocess.run(
        [validate, str(autostart.autostart_file())], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout


def test_settings_survive_and_a_broken_file_gives_the_defaults(tmp_path: Path) -> None:
    DesktopSettings(start_minimized=True).save(tmp_path)
    assert DesktopSettings.load(tmp_path).start_minimized is True
    (tmp_path / "desktop.json").write_text("{broken")
    assert DesktopSettings.load(tmp_path) == DesktopSettings()


def test_without_a_tray_the_window_shows_and_closing_quits(
    fake, home: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shell = _shell(tmp_path)
    shell.show(fake.window, _session(fake))
    assert shell.tray is not None
    assert shell.tray.icon is None
    assert fake.window.isVisible()
    assert fake.window.close_to_tray is False  # closing the window still quits
    shell.detach()
    shell.close()


def test_start_minimised_without_a_tray_minimises(fake, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shell = _shell(tmp_path, minimized=True)
    shell.show(fake.window, _session(fake))
    assert fake.window.isMinimized()  # still in the taskbar: never lost
    shell.bring_back()
    assert not fake.window.isMinimized()
    assert fake.window.isVisible()
    shell.detach()


def test_the_tray_menu_changes_the_settings(fake, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shell = _shell(tmp_path)
    shell.show(fake.window, _session(fake))
    tray = shell.tray
    assert tray is not None
    assert not tray.start_minimized_action.isChecked()
    tray.start_minimized_action.setChecked(True)
    assert DesktopSettings.load(tmp_path / "data").start_minimized is True
    tray.autostart_action.setChecked(True)
    assert autostart.autostart_file().exists()
    tray.autostart_action.setChecked(False)
    assert not autostart.autostart_file().exists()
    shell.detach()
    # the next run reads the setting: minimised (no tray here: in the taskbar)
    fake.window.showNormal()
    again = _shell(tmp_path)
    again.show(fake.window, _session(fake))
    assert fake.window.isMinimized()
    assert again.tray is not None
    assert again.tray.start_minimized_action.isChecked()
    again.detach()
