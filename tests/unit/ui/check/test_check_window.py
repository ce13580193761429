"""The "Vérifier mon poste" window over canned network lines and the fake audio service."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QThread

from homeagent.core import preshift as ps
from homeagent.core.events import MicLevelMeasured
from homeagent.testing.preshift import check_controller, network_items
from homeagent.testing.screenshots import pump
from homeagent.ui.check.controller import CheckController, CheckPorts
from homeagent.ui.qt.dispatcher import Dispatcher

from ..a11y import unnamed


def _until(pred: Callable[[], object], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not pred() and time.monotonic() < deadline:
        pump(20)
    assert pred()


def test_a_good_line_fills_in_green_and_is_saved() -> None:
    dispatcher = Dispatcher()
    controller, audio, saved = check_controller(dispatcher, "good", mic_test_s=0.3)
    dialog = controller.open()
    try:
        assert controller.running
        assert "Checking" in dialog.rows[ps.ItemId.ECHO].sentence.text()
        assert dialog.progress.isVisible()
        _until(lambda: not controller.running)
        assert [r.id for r in saved[-1].items] == list(ps.ItemId)
        assert controller.items[ps.ItemId.ECHO].level is ps.Level.GREEN
        assert "MOS 4.3 (G.722)" in dialog.rows[ps.ItemId.ECHO].figures.text()
        assert dialog.rows[ps.ItemId.SIP].mark.text() == "✔"
        # the parts that need the agent wait for them: amber until answered
        assert saved[-1].level is ps.Level.AMBER
        assert ("set_mic_meter", True) in audio.calls
        dialog.mic_button.click()
        assert ("record_and_play_back", 0.3) in audio.calls
        for _ in range(3):
            audio.level(0.3)
        _until(lambda: not controller._mic_testing)
        assert controller.items[ps.ItemId.MICROPHONE].level is ps.Level.GREEN
        assert "hear yourself" in dialog.rows[ps.ItemId.MICROPHONE].sentence.text()
        dialog.heard[ps.ItemId.HEADSET][0].click()
        assert ("play_test_tone", (440.0, 1.5)) in audio.calls
        dialog.heard[ps.ItemId.HEADSET][1].click()
        dialog.heard[ps.ItemId.RINGER][0].click()
        assert audio.ringing
        dialog.heard[ps.ItemId.RINGER][1].click()
        assert saved[-1].level is ps.Level.GREEN
        assert "ready for your shift" in dialog.summary.text()
        assert unnamed(dialog, "check") == []
    finally:
        controller.stop()
    assert ("set_mic_meter", False) in audio.calls


def test_a_silent_microphone_and_a_bad_line_are_red_with_what_to_do() -> None:
    dispatcher = Dispatcher()
    controller, audio, saved = check_controller(
        dispatcher, "wifi", registered=False, mic_test_s=0.2
    )
    dialog = controller.open()
    try:
        _until(lambda: not controller.running)
        echo = controller.items[ps.ItemId.ECHO]
        assert (echo.level, echo.advice) == (ps.Level.RED, ps.Advice.NET_WIRED)
        assert "cable" in dialog.rows[ps.ItemId.ECHO].sentence.text()
        assert controller.items[ps.ItemId.SIP].advice is ps.Advice.SIP_FAILED
        dialog.mic_button.click()
        audio.level(0.0)
        _until(lambda: not controller._mic_testing)
        assert controller.items[ps.ItemId.MICROPHONE].advice is ps.Advice.MIC_SILENT
        assert saved[-1].level is ps.Level.RED
        assert "red lines" in dialog.summary.text()
    finally:
        controller.stop()


def test_the_network_part_runs_off_the_gui_thread_and_a_crash_is_a_red_line() -> None:
    dispatcher = Dispatcher()
    threads: list[bool] = []

    def crashing(progress: Callable[[ps.Item], None], cancel: threading.Event) -> list[ps.Item]:
        threads.append(QThread.currentThread() is dispatcher.thread())
        raise OSError("no route to host")

    saved: list[ps.CheckReport] = []
    controller = CheckController(
        CheckPorts(run_network=crashing, registered=lambda: True, save=saved.append, audio=None),
        dispatcher=dispatcher,
    )
    dialog = controller.open()
    try:
        _until(lambda: not controller.running)
        assert threads == [False]
        assert controller.items[ps.ItemId.SERVER].advice is ps.Advice.SERVER_DOWN
        assert controller.items[ps.ItemId.ECHO].advice is ps.Advice.SKIPPED
        # no audio service: the devices are missing, said plainly, buttons off
        assert controller.items[ps.ItemId.HEADSET].advice is ps.Advice.DEVICE_MISSING
        assert not dialog.mic_button.isEnabled()
        assert saved[-1].level is ps.Level.RED
    finally:
        controller.stop()


def test_closing_cancels_the_network_part_and_a_second_open_does_not_run_twice() -> None:
    dispatcher = Dispatcher()
    started: list[int] = []

    def slow(progress: Callable[[ps.Item], None], cancel: threading.Event) -> list[ps.Item]:
        started.append(1)
        items = network_items("good")
        progress(items[0])
        cancel.wait(30)
        return items[:1]

    controller = CheckController(
        CheckPorts(run_network=slow, registered=lambda: True, save=lambda r: None, audio=None),
        dispatcher=dispatcher,
    )
    controller.open()
    controller.open()
    pump(100)
    assert started == [1]
    begun = time.monotonic()
    controller.stop()
    _until(lambda: not controller.running, timeout_s=2)
    assert time.monotonic() - begun < 1.0
    assert controller.items[ps.ItemId.ECHO].advice is ps.Advice.SKIPPED


def test_mic_levels_move_the_meter_only_while_open() -> None:
    dispatcher = Dispatcher()
    controller, _audio, _ = check_controller(dispatcher, "good")
    dialog = controller.open()
    try:
        dispatcher.post(MicLevelMeasured(0.5))
        pump(50)
        assert dialog.mic_meter.value() > 50
    finally:
        controller.stop()
