"""`homeagent tel:…` when no desk runs: the app starts (real `run_desk`, fake device and
engine) and prepares the dial once the desk is up; meanwhile a later start's link is
handed over the instance socket, and garbage from it is refused with a log line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from homeagent.desktop.app import AppOptions, run_desk
from tests.unit.desktop.test_app_revocation import options  # the fixture

__all__ = ["options"]


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_link_on_the_command_line_is_prepared_when_the_desk_is_up(
    qtbot, options: AppOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    options.instance = f"t-{uuid.uuid4().hex[:10]}"
    options.link = "tel:+33-6-12-34-56-78"
    seen: dict[str, Any] = {}

    later: list[subprocess.Popen[str]] = []

    def start_later(link: str) -> None:  # a later start (its own process: its own lock)
        code = (
            "from PySide6.QtCore import QCoreApplication\n"
            "from homeagent.desktop.instance import claim\n"
            "app = QCoreApplication([])\n"
            f"print('desk' if claim({options.instance!r}, {link!r}) else 'handed over')\n"
        )
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
        later.append(
            subprocess.Popen(
                [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
            )
        )

    def drive(window: Any) -> None:
        if len(later) == 1 and later[0].poll() is not None:
            seen["centre"] = window.idle.search.field.text()
            start_later("tel:<script>")  # garbage: the desk refuses it itself
        elif len(later) == 2 and later[1].poll() is not None:
            later.append(later[1])  # done
            window.close()

    timer = QTimer()

    def on_started(session: Any) -> None:
        window = session.window
        seen["field"] = window.idle.search.field.text()
        start_later("sip:bob@example.org")
        timer.timeout.connect(lambda: drive(window))
        timer.start(50)

    options.on_started = on_started
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: [w.close() for w in QApplication.topLevelWidgets()])
    watchdog.start(20_000)
    caplog.set_level(logging.WARNING, "homeagent.desktop.links")
    try:
        assert run_desk(options) == 0
    finally:
        watchdog.stop()
    assert seen["field"] == "+33612345678"  # prepared before on_started ran
    timer.stop()
    assert [p.communicate(timeout=10)[0].strip() for p in later[:2]] == ["handed over"] * 2
    assert seen["centre"] == "sip:bob@example.org"
    assert "refused a dial link from the another start" in caplog.text
    log = _events(tmp_path / "data" / "events.jsonl")
    prepared = [e for e in log if e["event"] == "dial_prepared"]
    assert [e["via"] for e in prepared] == ["command line", "another start"]
    assert prepared[0]["number"].endswith("678")
    assert "612345" not in prepared[0]["number"]
    assert [e["event"] for e in log].count("dial_link_refused") == 1
    assert not [e for e in log if e["event"] == "dial"]  # nothing was dialled
    assert not list(runtime.glob("*.sock"))  # the socket went with the desk
