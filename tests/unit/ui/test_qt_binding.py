"""The Qt binding keeps reference counts straight (PySide6 6.12.0 did not on CPython 3.11).

6.12.0 dropped one reference to None on every Qt call returning void and one to True on
every Signal.emit(); the desk spends ~330 per call, so the app aborted with
"none_dealloc" after about a dozen calls. pyproject.toml pins PySide6 below 6.12; this
test fails on any build that brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(int)  # payload: a counter


def test_void_calls_and_emits_keep_none_and_true_alive(qapp) -> None:  # type: ignore[no-untyped-def]
    label, emitter = QLabel(), _Emitter()
    emitter.fired.connect(lambda _n: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for n in range(2000):
        label.setText("x")
        label.update()
        QTimer.singleShot(0, lambda: None)
        emitter.fired.emit(n)
    qapp.processEvents()
    # Other objects may come and go meanwhile; a leak would lose thousands.
    assert sys.getrefcount(None) > none_before - 200
    assert sys.getrefcount(True) > true_before - 200
