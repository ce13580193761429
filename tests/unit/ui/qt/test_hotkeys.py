"""Global hotkeys (item 3): off by default; on X11 a grabbed combination triggers the desk's
action while another window has focus; nothing is grabbed when they are off; on Wayland
and offscreen the page says they are not available.

The X11 tests run a fake desk in a child process on its own Xvfb (Qt on xcb) and press
keys with `xdotool`, focused on another program's window (xmessage)."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from homeagent.core.hotkey_settings import (
    DEFAULT_HOTKEYS,
    HotkeySettings,
    HotkeySettingsFile,
)
from homeagent.ui.qt.hotkeys import (
    CONTROL_MASK,
    MOD1_MASK,
    Availability,
    GlobalHotkeys,
    X11KeyGrabber,
    availability,
    combination,
)
from homeagent.ui.settings.hotkeys_page import HotkeysController, HotkeysPage
from tests.helpers.procs import require_tool, stop
from tests.helpers.xvfb import XDisplay

ROOT = Path(__file__).resolve().parents[4]
LINE_TIMEOUT_S = 15.0


def test_settings_are_off_by_default_and_survive_a_bad_file(tmp_path: Path) -> None:
    file = HotkeySettingsFile(tmp_path / "hotkeys.json")
    assert file.load() == HotkeySettings()
    assert file.load().enabled is False
    chosen = HotkeySettings(enabled=True, keys={**DEFAULT_HOTKEYS, "mute": "Ctrl+Alt+F9"})
    file.save(chosen)
    assert file.load() == chosen
    file.path.write_text('{"enabled": "yes", "keys": {"answer": 3}}', encoding="utf-8")
    assert file.load() == HotkeySettings()  # malformed parts fall back to the defaults
    file.path.write_text("{broken", encoding="utf-8")
    assert file.load() == HotkeySettings()


def test_key_texts_become_x11_combinations() -> None:
    assert combination("Ctrl+Alt+A") == (ord("a"), CONTROL_MASK | MOD1_MASK)
    assert combination("Ctrl+Alt+F9") == (0xFFC6, CONTROL_MASK | MOD1_MASK)
    assert combination("Ctrl+Return") == (0xFF0D, CONTROL_MASK)
    assert combination("A") is None  # a bare key would stop the agent typing anywhere
    assert combination("") is None


def test_offscreen_and_wayland_grab_nothing_and_say_why(qtbot, tmp_path: Path, french) -> None:  # type: ignore[no-untyped-def]
    assert availability() is Availability.UNSUPPORTED  # the unit tests draw offscreen
    assert availability("wayland") is Availability.WAYLAND
    assert availability("xcb") in (Availability.AVAILABLE, Availability.NO_X11_LIBRARY)
    hotkeys = GlobalHotkeys()
    assert hotkeys.start({"answer": "Ctrl+Alt+A"}) == {"answer": False}
    assert not hotkeys.active
    file = HotkeySettingsFile(tmp_path / "hotkeys.json")
    file.save(HotkeySettings(enabled=True))
    pressed: list[str] = []
    controller = HotkeysController(file=file, trigger=pressed.append, run=lambda job: job())
    assert not controller.hotkeys.active
    page = controller.open_page()
    qtbot.addWidget(page)
    assert page.enabled.isChecked()
    assert page.note.isVisible()
    assert page.note.text().startswith("Non disponible sur ce bureau")
    page.show_settings(HotkeySettings(enabled=True), Availability.WAYLAND, {})
    assert "(Wayland)" in page.note.text()


def test_the_page_saves_what_the_agent_chose(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = HotkeySettingsFile(tmp_path / "hotkeys.json")
    saved: list[object] = []
    controller = HotkeysController(
        file=file, trigger=lambda _n: None, run=lambda job: saved.append(job) or job()
    )
    page = controller.open_page()
    qtbot.addWidget(page)
    assert isinstance(page, HotkeysPage)
    assert not page.enabled.isChecked()
    assert not page.edits["answer"].isEnabled()  # off: nothing to edit
    page.enabled.setChecked(True)
    page.edits["answer"].setKeySequence("Ctrl+Alt+F5")
    page.buttons.accepted.emit()
    assert saved  # written through `run` (the disk lane in the app)
    assert file.load().enabled is True
    assert file.load().keys["answer"] == "Ctrl+Alt+F5"


# -- on a real X server ------------------------------------------------------------------


def _run(display: XDisplay, *argv: str) -> str:
    env = {**os.environ, "DISPLAY": display.display}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=10, check=True)
    return done.stdout.strip()


@pytest.fixture
def other_window(xvfb: XDisplay) -> Iterator[str]:
    """Another program's window, focused."""
    require_tool("xdotool")
    xmessage = require_tool("xmessage")
    proc = subprocess.Popen(
        [xmessage, "-title", "autre-programme", "Une autre fenêtre"],
        env={**os.environ, "DISPLAY": xvfb.display},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wid = _run(xvfb, "xdotool", "search", "--sync", "--name", "^autre-programme$")
        wid = wid.splitlines()[0]
        yield wid
    finally:
        stop(proc)


class Child:
    """The fake desk with hotkeys in its own process on the Xvfb display."""

    def __init__(self, display: XDisplay, settings: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.unit.ui.qt.hotkey_child", str(settings)],
            cwd=ROOT,
            env={**display.env, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def line(self, timeout_s: float = LINE_TIMEOUT_S) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout_s)
        if not ready:
            return None
        raw = self.proc.stdout.readline()
        if not raw:
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            pytest.fail(f"the desk process ended: {err[-2000:]}")
        return dict(json.loads(raw))

    def close(self) -> None:
        stop(self.proc)


def _focus(display: XDisplay, wid: str) -> None:
    _run(display, "xdotool", "windowfocus", "--sync", wid)
    assert _run(display, "xdotool", "getwindowfocus") == wid


def _someone_holds(display: XDisplay, keys: str) -> bool:
    """Whether another client has grabbed `keys` (our probe's grab is refused)."""
    probe = X11KeyGrabber(display.display)
    try:
        combo = combination(keys)
        assert combo is not None
        return not probe.grab("probe", *combo)
    finally:
        probe.close()


def test_a_grabbed_combination_answers_and_hangs_up_from_another_window(  # type: ignore[no-untyped-def]
    xvfb: XDisplay, other_window: str, tmp_path: Path
) -> None:
    settings = tmp_path / "hotkeys.json"
    HotkeySettingsFile(settings).save(HotkeySettings(enabled=True))
    child = Child(xvfb, settings)
    try:
        ready = child.line()
        assert ready is not None, "the desk never said it was ready"
        assert ready["platform"] == "xcb"
        assert ready["availability"] == "available"
        assert ready["ready"] == dict.fromkeys(DEFAULT_HOTKEYS, True)
        assert ready["screen"] == "RINGING"
        assert _someone_holds(xvfb, "Ctrl+Alt+A")
        _focus(xvfb, other_window)  # the agent is in another program
        _run(xvfb, "xdotool", "key", "ctrl+alt+a")
        assert child.line() == {"triggered": "answer", "screen": "IN_CALL"}
        _run(xvfb, "xdotool", "key", "ctrl+alt+m")
        assert child.line() == {"triggered": "mute", "screen": "IN_CALL"}
        _run(xvfb, "xdotool", "key", "ctrl+alt+e")
        assert child.line() == {"triggered": "hangup", "screen": "WRAP_UP"}
        assert _run(xvfb, "xdotool", "getwindowfocus") == other_window  # focus not taken
    finally:
        child.close()
    assert not _someone_holds(xvfb, "Ctrl+Alt+A")  # released when the desk ends


def test_nothing_is_grabbed_when_hotkeys_are_off(  # type: ignore[no-untyped-def]
    xvfb: XDisplay, other_window: str, tmp_path: Path
) -> None:
    child = Child(xvfb, tmp_path / "no-such-settings.json")  # the default: off
    try:
        ready = child.line()
        assert ready is not None
        assert ready["platform"] == "xcb"
        assert ready["ready"] == {}
        for keys in DEFAULT_HOTKEYS.values():
            assert not _someone_holds(xvfb, keys), keys
        _focus(xvfb, other_window)
        _run(xvfb, "xdotool", "key", "ctrl+alt+a")
        assert child.line(timeout_s=1.0) is None  # nothing triggered
    finally:
        child.close()
