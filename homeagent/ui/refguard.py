"""A guard against a PySide6 6.12.0 reference-count bug on CPython 3.11.

Measured here: every call of a Qt method returning void (``QLabel.setText``,
``QWidget.update``, ``setVisible``, ``QTimer.singleShot``, the static
``QCoreApplication.processEvents``…) drops one reference to ``None`` that it never took,
and every ``Signal.emit()`` drops one to ``True`` (its return value). None starts with
~5,000 references and one call of the desk costs ~300, so the app would abort with
"Fatal Python error: none_dealloc" (or "bool_dealloc") after a dozen calls. Python 3.12
made these objects immortal, which hides the bug. Until a fixed PySide6 is available, this
guard keeps their counts far from zero: it checks every few seconds and, when a count is
low, parks references in a list that is never freed.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 2000
LOW_WATER = 1_000_000
TOP_UP = 2_000_000  # 16 MB of pointers, added rarely
GUARDED: tuple[object, ...] = (None, True, False)
_BANKS: list[list[object]] = []


def needed() -> bool:
    """Whether None is mortal in this interpreter (CPython < 3.12)."""
    return sys.version_info < (3, 12)


class NoneRefGuard(QObject):
    """Keeps the counts of None, True, False above `LOW_WATER` (no-op on Python 3.12+)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.top_ups = 0
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        if needed():
            self.check()
            self.timer.start()

    def check(self) -> None:
        """Top up when low."""
        if not needed():
            return
        before = self.top_ups
        for obj in GUARDED:
            if sys.getrefcount(obj) < LOW_WATER:
                bank = [obj] * TOP_UP
                # never freed, not even at interpreter exit: freeing it would hand the
                # leaked decrements back and abort during finalisation
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(bank))
                _BANKS.append(bank)
                self.top_ups += 1
        if self.top_ups > before and self.top_ups > len(GUARDED):
            log.info("reference guard topped up (%d times)", self.top_ups)

    def _on_timer_timeout(self) -> None:
        self.check()
