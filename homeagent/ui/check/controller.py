"""Runs the pre-shift check behind the "Vérifier mon poste" window, off the GUI thread.

- The network lines (server, voice echo, bandwidth, clock: ≈ 12 s) run on a thread of
  their own (`CheckPorts.run_network`), never on the GUI thread nor on the desk's REST
  lane (a 12 s test there would hold the desk's reads back); each line is handed back
  with `call_soon` as it is known, so the window fills in while it runs.
- The phone line comes from the desk's own registration state (no second REGISTER).
- The microphone is metered while the window is open; "Tester le micro" records 3 s,
  then plays them in the headset; its verdict is the loudest level heard meanwhile. The
  headset and the ringer play a test sound; the agent says whether it was heard.
- When the network part is done, and after each answer of the agent, the report is
  handed to `CheckPorts.save` (the composition writes `last-check.json` on the disk lane
  and posts it on the network lane).

A check already running is not started twice; closing the window cancels the network
part (the echo test stops within 50 ms).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from homeagent.core import preshift as ps
from homeagent.core.audio_setup import meter_percent
from homeagent.core.events import Event, MicLevelMeasured
from homeagent.core.ports import AudioService
from homeagent.ui.check.dialog import CheckDialog
from homeagent.ui.check.words import advice_text
from homeagent.ui.qt.dispatcher import Dispatcher

log = logging.getLogger(__name__)

MIC_TEST_S = 3.0
RING_TEST_MS = 2500
HEADSET_TONE_S = 1.5
NETWORK_ITEMS = (ps.ItemId.SERVER, ps.ItemId.ECHO, ps.ItemId.BANDWIDTH, ps.ItemId.CLOCK)
EXPECTED_NETWORK_S = 12.0  # the progress bar's length


@dataclass(frozen=True)
class CheckPorts:
    """What the check needs from the composition."""

    # worker thread: each line to the callback as it is known, all of them returned
    run_network: Callable[[Callable[[ps.Item], None], threading.Event], list[ps.Item]]
    registered: Callable[[], bool]  # the desk's SIP registration now
    save: Callable[[ps.CheckReport], None]  # GUI thread; the composition queues the work
    audio: AudioService | None
    call_ringing: Callable[[], bool] = lambda: False  # a real call rings: leave the ringer be
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


class CheckController(QObject):
    """See the module docstring."""

    finished = Signal(object)  # payload: the CheckReport once the network part is done

    def __init__(
        self,
        ports: CheckPorts,
        *,
        dispatcher: Dispatcher,
        parent_widget: object = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ports = ports
        self._dispatcher = dispatcher
        self._parent_widget = parent_widget
        self.dialog: CheckDialog | None = None
        self.items: dict[ps.ItemId, ps.Item] = {}
        self.running = False
        self._cancel = threading.Event()
        self._run_id = 0
        self._mic_peak: float | None = None
        self._mic_testing = False
        self._started_at = 0.0
        self._progress = QTimer(self)
        self._progress.setInterval(250)
        self._progress.timeout.connect(self._on_progress_timeout)
        self._elapsed_ticks = 0
        self.last_report: ps.CheckReport | None = None
        self.mic_test_s = MIC_TEST_S
        dispatcher.event_delivered.connect(self._on_dispatcher_event_delivered)

    # -- opening and running -----------------------------------------------------------

    def open(self) -> CheckDialog:
        """Show the window (created once) and start a check unless one is running."""
        if self.dialog is None:
            dialog = CheckDialog(self._parent_widget)  # type: ignore[arg-type]
            dialog.rerun_requested.connect(self.start)
            dialog.mic_test_requested.connect(self._on_dialog_mic_test_requested)
            dialog.tone_requested.connect(self._on_dialog_tone_requested)
            dialog.heard_answered.connect(self._on_dialog_heard_answered)
            dialog.closed.connect(self._on_dialog_closed)
            self.dialog = dialog
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self._set_meter(True)
        if not self.running:
            self.start()
        return self.dialog

    def start(self) -> None:
        """Run every line again (the interactive ones wait for the agent)."""
        if self.running or self.dialog is None:
            return
        self.running = True
        self._run_id += 1
        run_id = self._run_id
        self._cancel = threading.Event()
        self.items = {}
        self._mic_peak = None
        dialog = self.dialog
        for item_id in NETWORK_ITEMS:
            dialog.rows[item_id].show_pending(
                QCoreApplication.translate("PreShiftCheck", "Checking…")
            )
        self._set(ps.judge_sip(self.ports.registered()))
        inputs, outputs = self._devices()
        self._set(ps.judge_microphone(None, present=inputs))
        self._set(ps.judge_heard(ps.ItemId.HEADSET, None, present=outputs))
        self._set(ps.judge_heard(ps.ItemId.RINGER, None, present=outputs))
        for play, yes, no in dialog.heard.values():
            play.setEnabled(outputs)
            yes.setEnabled(outputs)
            no.setEnabled(outputs)
        dialog.mic_button.setEnabled(inputs and outputs)
        self._elapsed_ticks = 0
        dialog.show_running(True, 0)
        self._progress.start()
        cancel = self._cancel
        ports = self.ports
        call_soon = self._dispatcher.call_soon

        def work() -> None:
            try:
                ports.run_network(
                    lambda item: call_soon(lambda: self._on_network_item(run_id, item)), cancel
                )
            except Exception as exc:  # the check must end with lines, never hang
                log.exception("pre-shift check: the network part failed")
                failed = ps.Item(ps.ItemId.SERVER, ps.Level.RED, ps.Advice.SERVER_DOWN)
                call_soon(lambda: self._on_network_item(run_id, failed))
                log.debug("network part error: %s", exc)
            call_soon(lambda: self._on_network_done(run_id))

        threading.Thread(target=work, name="preshift-check", daemon=True).start()

    def stop(self) -> None:
        """Cancel a running check and close the window (before the audio service stops)."""
        self._cancel.set()
        self._set_meter(False)
        if self.dialog is not None:
            self.dialog.close()

    # -- results -----------------------------------------------------------------------

    def report(self) -> ps.CheckReport:
        return ps.make_report(list(self.items.values()), self.ports.clock())

    def _set(self, item: ps.Item) -> None:
        self.items[item.id] = item
        if self.dialog is not None:
            self.dialog.show_item(item, advice_text(item))

    def _on_network_item(self, run_id: int, item: ps.Item) -> None:
        if run_id == self._run_id:
            self._set(item)

    def _on_network_done(self, run_id: int) -> None:
        if run_id != self._run_id:
            return
        self.running = False
        self._progress.stop()
        for item_id in NETWORK_ITEMS:  # a cancelled run: say so rather than stay "…"
            if item_id not in self.items:
                self._set(ps.Item(item_id, ps.Level.AMBER, ps.Advice.SKIPPED))
        report = self.report()
        if self.dialog is not None:
            self.dialog.show_running(False)
            self.dialog.show_overall(report.level)
        self._save(report)
        self.finished.emit(report)

    def _save(self, report: ps.CheckReport) -> None:
        self.last_report = report
        try:
            self.ports.save(report)
        except Exception:  # the window still shows the result
            log.exception("pre-shift check: the result could not be queued for saving")

    def _after_answer(self) -> None:
        """An interactive line changed: the saved report follows (once the network is in)."""
        if not self.running and self.items:
            report = self.report()
            if self.dialog is not None:
                self.dialog.show_overall(report.level)
            self._save(report)

    # -- the agent's parts ---------------------------------------------------------------

    def _devices(self) -> tuple[bool, bool]:
        audio = self.ports.audio
        if audio is None:
            return False, False
        devices = audio.devices()
        return bool(devices.inputs), bool(devices.outputs)

    def _set_meter(self, on: bool) -> None:
        if self.ports.audio is not None:
            try:
                self.ports.audio.set_mic_meter(on)
            except RuntimeError as exc:  # the audio service already stopped
                log.info("mic meter: %s", exc)

    def _on_dialog_mic_test_requested(self) -> None:
        audio = self.ports.audio
        if audio is None or self.dialog is None or self._mic_testing:
            return
        self._mic_testing = True
        self._mic_peak = 0.0
        self.dialog.mic_button.setEnabled(False)
        self.dialog.rows[ps.ItemId.MICROPHONE].show_pending(
            QCoreApplication.translate(
                "PreShiftCheck", "Speak now: « Bonjour, je suis prête pour mon service »…"
            )
        )
        audio.record_and_play_back(self.mic_test_s)
        QTimer.singleShot(int(self.mic_test_s * 1000), self, self._on_mic_recorded)

    def _on_mic_recorded(self) -> None:
        self._mic_testing = False
        item = ps.judge_microphone(self._mic_peak)
        self._set(item)
        if self.dialog is not None:
            self.dialog.mic_button.setEnabled(True)
            if item.level is not ps.Level.RED:
                row = self.dialog.rows[ps.ItemId.MICROPHONE]
                row.sentence.setText(
                    advice_text(item)
                    + " "
                    + QCoreApplication.translate(
                        "PreShiftCheck", "You now hear yourself in the headset."
                    )
                )
        self._after_answer()

    def _on_dialog_tone_requested(self, item_id: ps.ItemId) -> None:
        audio = self.ports.audio
        if audio is None:
            return
        if item_id is ps.ItemId.HEADSET:
            audio.play_test_tone(duration_s=HEADSET_TONE_S)
        elif not self.ports.call_ringing():
            audio.start_ringing()
            QTimer.singleShot(RING_TEST_MS, self, self._stop_ring_test)

    def _stop_ring_test(self) -> None:
        # a call that started ringing meanwhile keeps its ringer
        if self.ports.audio is not None and not self.ports.call_ringing():
            self.ports.audio.stop_ringing()

    def _on_dialog_heard_answered(self, item_id: ps.ItemId, heard: bool) -> None:
        self._set(ps.judge_heard(item_id, heard))
        self._after_answer()

    def _on_dialog_closed(self) -> None:
        self._set_meter(False)

    def _on_dispatcher_event_delivered(self, event: Event) -> None:
        if isinstance(event, MicLevelMeasured):
            if self._mic_testing and self._mic_peak is not None:
                self._mic_peak = max(self._mic_peak, event.level)
            if self.dialog is not None and self.dialog.isVisible():
                self.dialog.show_level(meter_percent(event.level))

    def _on_progress_timeout(self) -> None:
        self._elapsed_ticks += 1
        if self.dialog is not None:
            share = self._elapsed_ticks * 0.25 / EXPECTED_NETWORK_S
            self.dialog.show_running(True, min(95, int(share * 100)))
