"""A fake desk on a real X display with global hotkeys wired as the session wires them
(`python -m tests.unit.ui.qt.hotkey_child SETTINGS.json`, DISPLAY and QT_QPA_PLATFORM=xcb
set). It rings a call, prints one JSON line `{"ready": …}` once the keys are grabbed, then
one line per action a hotkey triggered (with the desk's state after it), and ends when
its standard input closes or after 20 s."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication

from homeagent.core.hotkey_settings import HotkeySettingsFile
from homeagent.testing.harness import build_fake_desk, go_available
from homeagent.ui.qt.hotkeys import availability
from homeagent.ui.settings.hotkeys_page import HotkeysController

LIFETIME_MS = 20_000


def main() -> int:
    app = QApplication(["hotkey-child"])
    desk = build_fake_desk(threaded_engine=False)
    desk.window.show()
    go_available(desk)
    window = desk.window

    def trigger(name: str) -> None:
        window.shortcut_actions[name].trigger()
        app.processEvents()
        state = desk.model.snapshot().screen.name
        print(json.dumps({"triggered": name, "screen": state}), flush=True)

    controller = HotkeysController(
        file=HotkeySettingsFile(Path(sys.argv[1])),
        trigger=trigger,
        run=lambda job: job(),
        parent_widget=window,
    )
    desk.engine.ring("0612345678")
    app.processEvents()
    print(
        json.dumps(
            {
                "ready": controller.grabbed,
                "platform": app.platformName(),
                "availability": availability().value,
                "screen": desk.model.snapshot().screen.name,
            }
        ),
        flush=True,
    )
    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    stdin.activated.connect(lambda *_: sys.stdin.readline() or app.quit())
    QTimer.singleShot(LIFETIME_MS, app.quit)
    app.exec()
    controller.stop()
    desk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
