"""The Qt binding keeps reference counts straight (PySide6 6.12.0 did not on CPython 3.11).

6.12.0 dropped one reference to None on every Qt call returning void and one to True on
every Signal.emit(); the desk spends ~330 per call, so the app aborted with
"none_dealloc" after about a dozen calls. pyproject.toml pins PySide6 below 6.12; this
test fails on any build that brings the bug back.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    fired = Signal(int)  # payload: a counter


def test_void_calls_and_emits_keep_none_and_true_alive(qapp) -> None:  # type: ignore[no-untyped-def]
    label, emitter = QLabel(), _Emitter()
    emitter.fired.connect(lambda _n: None)
    gc.collect()
    gc.disable()  # no collection of unrelated garbage (holding None) during the count
    try:
        none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
        for n in range(2000):
            label.setText("x")
            label.update()
            emitter.fired.emit(n)
        lost_none = none_before - sys.getrefcount(None)
        lost_true = true_before - sys.getrefcount(True)
    finally:
        gc.enable()
    # The leaky build loses 4,000 references to None and 2,000 to True here.
    assert lost_none < 500
    assert lost_true < 500
