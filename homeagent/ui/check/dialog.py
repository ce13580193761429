"""The "Vérifier mon poste" window: one line per check, each green, amber or red with a
plain sentence saying what to do; buttons for the parts that need the agent (speak into
the microphone, say whether the headset and the ringer were heard).

Widgets only: the decisions are in `homeagent.core.preshift`, the sentences in
`homeagent.ui.check.words`, the running in `homeagent.ui.check.controller`. It never
blocks the desk (a plain window, not modal): a call that rings meanwhile is answered as
usual.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.preshift import Item, ItemId, Level
from homeagent.ui.check.words import figures_text, item_title, level_text, overall_text

COLOURS = {Level.GREEN: "#2E7D32", Level.AMBER: "#B26A00", Level.RED: "#C62828"}
MARKS = {Level.GREEN: "✔", Level.AMBER: "▲", Level.RED: "✖"}
PENDING_COLOUR = "#757575"


class CheckRow(QFrame):
    """One line: a coloured mark, the name and verdict, the sentence, the figures, actions."""

    def __init__(self, item_id: ItemId, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item_id = item_id
        self.setObjectName("CheckRow")
        self.mark = QLabel("…", self)
        self.mark.setFixedWidth(28)
        self.mark.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        font = self.mark.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.mark.setFont(font)
        self.title = QLabel(item_title(item_id), self)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.verdict = QLabel(self)
        self.verdict.setFont(bold)
        self.sentence = QLabel(self)
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
        self.figures.setStyleSheet(f"color: {PENDING_COLOUR};")
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.mark, 0, 0, 3, 1)
        head = QHBoxLayout()
        head.setSpacing(6)
        head.addWidget(self.title)
        head.addWidget(self.verdict)
        head.addStretch(1)
        grid.addLayout(head, 0, 1)
        grid.addWidget(self.sentence, 1, 1)
        grid.addWidget(self.figures, 2, 1)
        grid.addLayout(self.buttons, 0, 2, 3, 1, Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(1, 1)
        self.show_pending(self.tr("Waiting…"))

    def add_action(self, text: str) -> QPushButton:
        button = QPushButton(text, self)
        self.buttons.addWidget(button)
        return button

    def show_pending(self, text: str) -> None:
        self.mark.setText("…")
        self.mark.setStyleSheet(f"color: {PENDING_COLOUR};")
        self.verdict.setText("")
        self.sentence.setText(text)
        self.figures.setVisible(False)
        self.setAccessibleName(f"{self.title.text()}: {text}")

    def show_item(self, item: Item, sentence: str) -> None:
        colour = COLOURS[item.level]
        self.mark.setText(MARKS[item.level])
        self.mark.setStyleSheet(f"color: {colour};")
        self.verdict.setText(f"— {level_text(item.level)}")
        self.verdict.setStyleSheet(f"color: {colour};")
        self.sentence.setText(sentence)
        figures = figures_text(item)
        self.figures.setText(figures)
        self.figures.setVisible(bool(figures))
        self.setAccessibleName(
            f"{self.title.text()}: {level_text(item.level)}. {sentence} {figures}".strip()
        )


class CheckDialog(QDialog):
    """See the module docstring. Rows in `ItemId` order; `rows[item_id]` for each."""

    rerun_requested = Signal()  # payload: none (run every check again)
    mic_test_requested = Signal()  # payload: none (record 3 s, then play it back)
    tone_requested = Signal(object)  # payload: ItemId.HEADSET or ItemId.RINGER
    heard_answered = Signal(object, bool)  # payload: (HEADSET or RINGER, heard?)
    closed = Signal()  # payload: none (the window was closed)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PreShiftCheck")
        self.setWindowTitle(self.tr("Check my setup"))
        self.setModal(False)
        self.setMinimumWidth(680)
        heading = QLabel(self.tr("Check my setup"), self)
        big = heading.font()
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        heading.setFont(big)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress.setAccessibleName(self.tr("Checks in progress"))
        self.rows: dict[ItemId, CheckRow] = {i: CheckRow(i, self) for i in ItemId}
        self.mic_button = self.rows[ItemId.MICROPHONE].add_action(self.tr("Test the microphone"))
        self.mic_button.setToolTip(
            self.tr("Speak for 3 seconds: you then hear yourself in the headset")
        )
        self.mic_meter = QProgressBar(self)
        self.mic_meter.setRange(0, 100)
        self.mic_meter.setTextVisible(False)
        self.mic_meter.setFixedSize(90, 10)
        self.mic_meter.setAccessibleName(self.tr("Microphone level"))
        self.rows[ItemId.MICROPHONE].buttons.insertWidget(0, self.mic_meter)
        self.mic_button.clicked.connect(self.mic_test_requested)
        self.heard: dict[ItemId, tuple[QPushButton, QPushButton, QPushButton]] = {}
        for item_id, play_text in (
            (ItemId.HEADSET, self.tr("Play a sound")),
            (ItemId.RINGER, self.tr("Ring")),
        ):
            row = self.rows[item_id]
            play = row.add_action(play_text)
            yes = row.add_action(self.tr("I hear it"))
            no = row.add_action(self.tr("I hear nothing"))
            play.clicked.connect(lambda _=False, i=item_id: self.tone_requested.emit(i))
            yes.clicked.connect(lambda _=False, i=item_id: self.heard_answered.emit(i, True))
            no.clicked.connect(lambda _=False, i=item_id: self.heard_answered.emit(i, False))
            self.heard[item_id] = (play, yes, no)
        self.rerun = QPushButton(self.tr("Check again"), self)
        self.rerun.clicked.connect(self.rerun_requested)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        for row in self.rows.values():
            layout.addWidget(row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.rerun)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def show_running(self, running: bool, percent: int = 0) -> None:
        self.progress.setVisible(running)
        self.progress.setValue(percent)
        self.rerun.setEnabled(not running)
        if running:
            self.summary.setText(
                self.tr("Checking your connection (about 15 seconds); meanwhile, test the "
                        "microphone, the headset and the ringer below.")
            )  # fmt: skip

    def show_overall(self, level: Level) -> None:
        self.summary.setText(overall_text(level))
        self.summary.setStyleSheet(f"color: {COLOURS[level]}; font-weight: bold;")

    def show_item(self, item: Item, sentence: str) -> None:
        self.rows[item.id].show_item(item, sentence)

    def show_level(self, percent: int) -> None:
        self.mic_meter.setValue(percent)

    def closeEvent(self, event: object) -> None:
        self.closed.emit()
        super().closeEvent(event)  # type: ignore[arg-type]
