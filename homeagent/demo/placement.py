"""Where the demo's two windows go: the desk on the left, the lead's window on the right."""

from __future__ import annotations

from typing import Any

MIN_SIDE_WIDTH = 640  # narrower halves would squeeze the desk: the windows overlap instead
CASCADE_PX = 80


def place(window: Any, side: str) -> None:
    """Put a top-level `window` on the `side` ("left" or "right") half of its screen, or
    shifted down-right of the other one when the screen is too narrow for two."""
    from PySide6.QtGui import QGuiApplication

    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    half = area.width() // 2
    right = side == "right"
    if half >= max(MIN_SIDE_WIDTH, window.minimumWidth()):
        window.setGeometry(area.x() + (half if right else 0), area.y(), half, area.height())
    else:
        offset = CASCADE_PX if right else 0
        window.move(area.x() + offset, area.y() + offset)
