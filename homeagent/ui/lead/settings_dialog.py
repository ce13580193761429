"""The team's thresholds (board colours) and alert thresholds: validated inputs, one PUT.

Durations are typed as minutes and seconds (mm:ss), counts as numbers, MOS with one
decimal; each alert can be switched off. The spin boxes hold the contract's ranges, and
each threshold must turn amber before red: the save button stays off with a sentence
saying what is wrong. Saving is an intent (`save_requested`); the controller PUTs it on
the network lane and calls `saved()` or `failed(text)`: the dialog stays open on failure.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.lead_records import MAX_DAY_SECONDS, MOS_RANGE
from homeagent.core.lead_settings import (
    AlertSettings,
    TeamBoardSettings,
    Threshold,
    Thresholds,
    validate_settings,
)

_DURATIONS = {"time_in_break_s", "call_s", "wrap_up_over_s", "avg_handle_s"}


def _duration_edit(seconds: float, parent: QWidget) -> QTimeEdit:
    """A h:mm:ss field (0 … 23:59:59, inside the contract's 0 … 86400 s)."""
    edit = QTimeEdit(parent)
    edit.setDisplayFormat("H:mm:ss")
    edit.setTime(QTime(0, 0).addSecs(int(min(seconds, MAX_DAY_SECONDS - 1))))
    return edit


def _seconds(edit: QTimeEdit) -> int:
    return QTime(0, 0).secsTo(edit.time())


class SettingsDialog(QDialog):
    """See the module docstring."""

    save_requested = Signal(object)  # payload: TeamBoardSettings to PUT

    def __init__(
        self, team_name: str, settings: TeamBoardSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Thresholds and alerts — {team}").format(team=team_name))
        box = QVBoxLayout(self)
        board = QGroupBox(self.tr("Board colours (amber at the warning, red at the alarm)"), self)
        grid = QGridLayout(board)
        grid.addWidget(QLabel(self.tr("Warning"), board), 0, 1)
        grid.addWidget(QLabel(self.tr("Alarm"), board), 0, 2)
        labels = {
            "time_in_break_s": self.tr("Time in a break"),
            "call_s": self.tr("Call duration"),
            "wrap_up_over_s": self.tr("Wrap-up beyond its time"),
            "avg_handle_s": self.tr("Average handle time"),
            "missed": self.tr("Missed calls today"),
            "mos": self.tr("Call quality (MOS, lower is worse)"),
        }
        self.thresholds: dict[str, tuple[QWidget, QWidget]] = {}
        for row, (name, text) in enumerate(labels.items(), start=1):
            t: Threshold = getattr(settings.thresholds, name)
            pair = (self._field(name, t.warn, board), self._field(name, t.alarm, board))
            label = QLabel(text, board)
            label.setBuddy(pair[0])
            grid.addWidget(label, row, 0)
            grid.addWidget(pair[0], row, 1)
            grid.addWidget(pair[1], row, 2)
            pair[0].setAccessibleName(self.tr("{what}: warning").format(what=text))
            pair[1].setAccessibleName(self.tr("{what}: alarm").format(what=text))
            self.thresholds[name] = pair
        allowance_row = len(labels) + 1
        grid.addWidget(QLabel(self.tr("Breaks allowed a day"), board), allowance_row, 0)
        self.allowance = _duration_edit(settings.break_allowance_s, board)
        self.allowance.setAccessibleName(self.tr("Breaks allowed a day"))
        grid.addWidget(self.allowance, allowance_row, 1)
        box.addWidget(board)
        alerts = QGroupBox(self.tr("Alerts (a notification and a highlighted row)"), self)
        agrid = QGridLayout(alerts)
        alert_labels = {
            "break_over_s": self.tr("Break longer than"),
            "call_over_s": self.tr("Call longer than"),
            "wrap_up_over_s": self.tr("Wrap-up over its time by"),
            "missed_in_row": self.tr("Missed calls in a row"),
            "no_break_s": self.tr("No break for"),
            "mos_under": self.tr("Call quality under (MOS)"),
            "help_waiting_s": self.tr("Help request waiting for"),
        }
        defaults = {"mos_under": 3.1, "missed_in_row": 3}
        self.alerts: dict[str, tuple[QCheckBox, QWidget]] = {}
        for row, (name, text) in enumerate(alert_labels.items()):
            value = getattr(settings.alerts, name)
            check = QCheckBox(text, alerts)
            check.setChecked(value is not None)
            field = self._field(
                name, value if value is not None else defaults.get(name, 600), alerts
            )
            field.setEnabled(value is not None)
            field.setAccessibleName(text)
            check.toggled.connect(field.setEnabled)
            agrid.addWidget(check, row, 0)
            agrid.addWidget(field, row, 1)
            self.alerts[name] = (check, field)
        box.addWidget(alerts)
        self.problem = QLabel(self)
        self.problem.setObjectName("Notice")
        self.problem.setWordWrap(True)
        box.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        for widget in self.findChildren(QWidget):
            for signal_name in ("valueChanged", "timeChanged", "toggled"):
                signal = getattr(widget, signal_name, None)
                if signal is not None and hasattr(signal, "connect"):
                    signal.connect(self._validate)
        self._validate()

    def _field(self, name: str, value: float, parent: QWidget) -> QWidget:
        if name in ("mos", "mos_under"):
            spin = QDoubleSpinBox(parent)
            spin.setDecimals(1)
            spin.setSingleStep(0.1)
            spin.setRange(*MOS_RANGE)
            spin.setValue(float(value))
            return spin
        if name in ("missed", "missed_in_row"):
            count = QSpinBox(parent)
            count.setRange(0, 1000)
            count.setValue(int(value))
            return count
        return _duration_edit(value, parent)

    @staticmethod
    def _value(field: QWidget) -> float:
        if isinstance(field, QTimeEdit):
            return _seconds(field)
        if isinstance(field, QDoubleSpinBox):
            return round(field.value(), 1)
        assert isinstance(field, QSpinBox)
        return field.value()

    def settings(self) -> TeamBoardSettings:
        """The settings as typed."""
        thresholds = {
            name: Threshold(warn=self._value(w), alarm=self._value(a))
            for name, (w, a) in self.thresholds.items()
        }
        alerts: dict[str, float | None] = {}
        for name, (check, field) in self.alerts.items():
            value = self._value(field) if check.isChecked() else None
            alerts[name] = value if name == "mos_under" or value is None else int(value)
        return TeamBoardSettings(
            break_allowance_s=_seconds(self.allowance),
            thresholds=Thresholds(**thresholds),
            alerts=AlertSettings(**alerts),  # type: ignore[arg-type]
        )

    def _validate(self) -> bool:
        problems = validate_settings(self.settings())
        if problems:
            names = {
                "mos": self.tr("for call quality the warning must be above the alarm"),
            }
            text = names.get(problems[0], self.tr("each warning must come before its alarm"))
            self.problem.setText(self.tr("Check the thresholds: {what}.").format(what=text))
        else:
            self.problem.setText("")
        self.problem.setVisible(bool(problems))
        self.save_button.setEnabled(not problems)
        return not problems

    def _on_buttons_accepted(self) -> None:
        if not self._validate():
            return
        self.save_button.setEnabled(False)
        self.problem.setText(self.tr("Saving…"))
        self.problem.setVisible(True)
        self.save_requested.emit(self.settings())

    def saved(self) -> None:
        """The server stored them."""
        self.accept()

    def failed(self, why: str) -> None:
        """The PUT failed: say why, keep what was typed."""
        self.problem.setText(self.tr("Not saved: {why}").format(why=why))
        self.problem.setVisible(True)
        self.save_button.setEnabled(True)
        self.problem.setAlignment(Qt.AlignmentFlag.AlignLeft)
