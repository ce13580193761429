"""The screenshot script runs under a real X server and draws every main state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

STATES = ("idle", "ringing", "in_call", "wrap_up", "contacts", "inbox", "history")


def test_screenshots_of_the_main_states_under_xvfb(xvfb, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "homeagent.testing.screenshots", str(tmp_path), "--lang", "fr"],
        env=xvfb.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    for state in STATES:
        image = QImage(str(tmp_path / f"{state}.png"))
        assert (image.width(), image.height()) == (1366, 768), state
    preview = QImage(str(tmp_path / "diagnostics_preview.png"))  # the report before sending
    assert preview.width() >= 800
    assert preview.height() >= 500
    assert QImage(str(tmp_path / "diagnostics_request.png")).width() == 1366
