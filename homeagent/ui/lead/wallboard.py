"""The wallboard: full screen, big type, readable from 3 m; nothing to click (Esc leaves).

Per queue: calls waiting, longest wait (ticking), service level in green/amber/red with
its mark; then how many agents are in each state, in the state colours with the state's
mark and name. It reads the console's own models and repaints on their changes and on
the console's 1 s clock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from homeagent.core import lead_board as lb
from homeagent.core.agent_state import AgentState
from homeagent.core.timefmt import format_duration
from homeagent.ui.lead.board_model import LeadBoardModel
from homeagent.ui.lead.queues_panel import QueuesModel, sl_colour, sl_text
from homeagent.ui.qt.labels import state_name
from homeagent.ui.qt.theme import STATE_COLOURS

# the tiles, in reading order; ringing counts with on call (both are "in a call")
TILE_STATES = (
    AgentState.AVAILABLE,
    AgentState.ON_CALL,
    AgentState.WRAP_UP,
    AgentState.BREAK,
    AgentState.NOT_READY,
    AgentState.OFFLINE,
)
BIG_PX = 88  # the figures (≈ 2.5 cm on a 24" 1080p screen: readable from 3 m)
LABEL_PX = 34


def _label(text: str, px: int, bold: bool = True, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setStyleSheet(f"font-size: {px}px; font-weight: {700 if bold else 500};")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return label


class _QueueRow:
    """One queue's band: name, waiting, longest wait, service level."""

    def __init__(self, grid: QGridLayout, row: int, parent: QWidget) -> None:
        self.title = _label("", LABEL_PX + 6, parent=parent)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.waiting = _label("", BIG_PX, parent=parent)
        self.longest = _label("", BIG_PX, parent=parent)
        self.sl = _label("", BIG_PX, parent=parent)
        for col, widget in enumerate((self.title, self.waiting, self.longest, self.sl)):
            grid.addWidget(widget, row, col)

    def widgets(self) -> tuple[QLabel, ...]:
        return (self.title, self.waiting, self.longest, self.sl)


class _StateTile(QFrame):
    def __init__(self, state: AgentState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        colour = STATE_COLOURS[state]
        self.setObjectName("WallState")
        self.setStyleSheet(
            f"QFrame#WallState {{ background: {colour.fill}; border-radius: 16px; }}"
            f"QFrame#WallState QLabel {{ color: {colour.text}; }}"
        )
        box = QVBoxLayout(self)
        self.count = _label("0", BIG_PX + 24, parent=self)
        self.name = _label(f"{colour.mark} {state_name(state)}", LABEL_PX, parent=self)
        self.name.setWordWrap(True)
        box.addWidget(self.count)
        box.addWidget(self.name)


class Wallboard(QWidget):
    """See the module docstring."""

    closed = Signal()  # payload: none (Esc or closed)

    def __init__(
        self, board: LeadBoardModel, queues: QueuesModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("Wallboard")
        self.setWindowTitle(self.tr("HomeAgent — wallboard"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # for Esc; nothing else takes focus
        self._board = board
        self._queues = queues
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 28, 40, 28)
        outer.setSpacing(28)
        head = QHBoxLayout()
        self.title = _label("", LABEL_PX + 8, parent=self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.hint = _label(self.tr("Esc: leave"), 18, bold=False, parent=self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.title, 1)
        head.addWidget(self.hint)
        outer.addLayout(head)
        self.queue_grid = QGridLayout()
        self.queue_grid.setHorizontalSpacing(40)
        self.queue_grid.setVerticalSpacing(4)
        self.queue_grid.setColumnStretch(0, 3)
        for col in (1, 2, 3):
            self.queue_grid.setColumnStretch(col, 2)
        captions = (self.tr("Queue"), self.tr("Waiting"), self.tr("Longest wait"),
                    self.tr("Service level"))  # fmt: skip
        for col, text in enumerate(captions):
            caption = _label(text, LABEL_PX - 6, bold=False, parent=self)
            if col == 0:
                caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.queue_grid.addWidget(caption, 0, col)
        outer.addLayout(self.queue_grid, 3)
        self.queue_rows: list[_QueueRow] = []
        self.none = _label(self.tr("No queue for this team"), LABEL_PX, bold=False, parent=self)
        outer.addWidget(self.none)
        states = QHBoxLayout()
        states.setSpacing(20)
        self.state_tiles = {s: _StateTile(s, self) for s in TILE_STATES}
        for tile in self.state_tiles.values():
            states.addWidget(tile)
        outer.addLayout(states, 2)
        for signal in (board.modelReset, board.dataChanged, queues.modelReset, queues.changed):
            signal.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Figures from the models (cheap: a few labels)."""
        self.title.setText(self._board.team_name or self.tr("Team"))
        queues = self._queues.queues()
        while len(self.queue_rows) < len(queues):
            self.queue_rows.append(_QueueRow(self.queue_grid, len(self.queue_rows) + 1, self))
        now = self._queues.now()
        for band, q in zip(self.queue_rows, queues, strict=False):
            for widget in band.widgets():
                widget.setVisible(True)
            band.title.setText(q.title)
            band.waiting.setText(str(q.waiting))
            band.longest.setText(format_duration(lb.longest_wait_s(q, now)) if q.waiting else "–")
            colour = sl_colour(q)
            band.sl.setText(sl_text(q))
            band.sl.setStyleSheet(
                f"font-size: {BIG_PX}px; font-weight: 700;"
                + (f" color: {colour};" if colour else "")
            )
        for band in self.queue_rows[len(queues) :]:
            for widget in band.widgets():
                widget.setVisible(False)
        self.none.setVisible(not queues)
        counts = lb.state_counts(self._board.rows())
        counts[AgentState.ON_CALL] += counts[AgentState.RINGING]
        for state, tile in self.state_tiles.items():
            tile.count.setText(str(counts[state]))
            tile.setAccessibleName(f"{state_name(state)}: {counts[state]}")

    def tick(self) -> None:
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
