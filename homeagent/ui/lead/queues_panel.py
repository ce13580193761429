"""Per-queue figures: waiting, longest wait (ticking), answered / abandoned, service level
in green/amber/red with a mark, average speed of answer. Live from `queue_stats` events."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from homeagent.core import lead_board as lb
from homeagent.core.lead_records import MalformedPayload, QueueStats, parse_queue_stats
from homeagent.core.timefmt import format_duration
from homeagent.ui.lead.board_model import SORT_ROLE, Clock, utc_now
from homeagent.ui.lead.board_text import MARKS
from homeagent.ui.qt.theme import palette_is_dark

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex

(
    QCOL_QUEUE,
    QCOL_WAITING,
    QCOL_LONGEST,
    QCOL_ANSWERED,
    QCOL_ABANDONED,
    QCOL_SL,
    QCOL_ASA,
) = range(7)
QUEUE_COLUMNS = 7
SL_COLOURS = {  # (light, dark) text colours; the mark and the word go with them
    lb.Level.OK: ("#137333", "#81C995"),
    lb.Level.WARN: ("#A05A00", "#FDD663"),
    lb.Level.ALARM: ("#B3261E", "#F28B82"),
}


def sl_text(stats: QueueStats) -> str:
    """ "▲ 72 %" (amber), "91 %" (green), "–" before any call counts."""
    level = lb.sl_level(stats.service_level_pct)
    if level is None or stats.service_level_pct is None:
        return "–"
    mark = MARKS.get(level, "")
    pct = f"{stats.service_level_pct:.0f} %"
    return f"{mark} {pct}" if mark else pct


def sl_colour(stats: QueueStats) -> str | None:
    level = lb.sl_level(stats.service_level_pct)
    if level is None:
        return None
    light, dark = SL_COLOURS[level]
    return dark if palette_is_dark() else light


class QueuesModel(QAbstractTableModel):
    """The team's queues, one row each, in the server's order (new queues at the end)."""

    changed = Signal()  # payload: none (a queue's figures changed)

    def __init__(self, clock: Clock = utc_now, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._now = clock()
        self._queues: list[QueueStats] = []
        self.team_id = ""

    def set_queues(self, team_id: str, queues: tuple[QueueStats, ...]) -> None:
        self.beginResetModel()
        self.team_id = team_id
        self._now = self._clock()
        self._queues = [q for q in queues if q.team_id == team_id]
        self.endResetModel()
        self.changed.emit()

    def queues(self) -> list[QueueStats]:
        return list(self._queues)

    def now(self) -> dt.datetime:
        return self._now

    def apply_event(self, data: object, event_id: int = 0) -> bool:
        """A `queue_stats` event: the queue's row changes (or a new one is added)."""
        try:
            stats = parse_queue_stats(data, route=f"event {event_id} (queue_stats)")
        except MalformedPayload as exc:
            log.warning("dropped a malformed event: %s", exc)
            return False
        if stats.team_id != self.team_id:
            return False
        for i, q in enumerate(self._queues):
            if q.queue == stats.queue:
                if q == stats:
                    return False
                self._queues[i] = stats
                self.dataChanged.emit(self.index(i, 0), self.index(i, QUEUE_COLUMNS - 1))
                self.changed.emit()
                return True
        n = len(self._queues)
        self.beginInsertRows(QModelIndex(), n, n)
        self._queues.append(stats)
        self.endInsertRows()
        self.changed.emit()
        return True

    def tick(self) -> None:
        self._now = self._clock()
        if self._queues:
            last = len(self._queues) - 1
            self.dataChanged.emit(self.index(0, QCOL_LONGEST), self.index(last, QCOL_LONGEST))

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._queues)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else QUEUE_COLUMNS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                QCoreApplication.translate("LeadQueues", "Queue"),
                QCoreApplication.translate("LeadQueues", "Waiting"),
                QCoreApplication.translate("LeadQueues", "Longest wait"),
                QCoreApplication.translate("LeadQueues", "Answered"),
                QCoreApplication.translate("LeadQueues", "Abandoned"),
                QCoreApplication.translate("LeadQueues", "Service level"),
                QCoreApplication.translate("LeadQueues", "ASA"),
            ][section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == QCOL_SL:
                return QCoreApplication.translate(
                    "LeadQueues",
                    "Calls answered within the queue's target time, out of those answered "
                    "plus those abandoned after it (green from 80 %, amber from 60 %)",
                )
            if section == QCOL_ASA:
                return QCoreApplication.translate(
                    "LeadQueues", "Average speed of answer of today's answered calls"
                )
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._queues):
            return None
        q, col = self._queues[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(q, col)
        if role == SORT_ROLE:
            return self._number(q, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col != QCOL_QUEUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if col == QCOL_SL:
            if role == Qt.ItemDataRole.ForegroundRole:
                colour = sl_colour(q)
                return QBrush(QColor(colour)) if colour else None
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return QCoreApplication.translate(
                    "LeadQueues", "{pct} answered within {s} s"
                ).format(pct=sl_text(q), s=q.sl_threshold_s)
        if col == QCOL_ABANDONED and role == Qt.ItemDataRole.ToolTipRole:
            return QCoreApplication.translate(
                "LeadQueues", "{n} offered today, {t} timed out"
            ).format(n=q.offered, t=q.timed_out)
        return None

    def _text(self, q: QueueStats, col: int) -> str:
        if col == QCOL_QUEUE:
            return q.title
        if col == QCOL_WAITING:
            return str(q.waiting)
        if col == QCOL_LONGEST:
            return format_duration(lb.longest_wait_s(q, self._now)) if q.waiting else "–"
        if col == QCOL_ANSWERED:
            return str(q.answered)
        if col == QCOL_ABANDONED:
            return str(q.abandoned)
        if col == QCOL_SL:
            return sl_text(q)
        if col == QCOL_ASA:
            return format_duration(q.asa_s) if q.asa_s is not None else "–"
        return ""

    def _number(self, q: QueueStats, col: int) -> Any:
        return {
            QCOL_QUEUE: q.title.casefold(),
            QCOL_WAITING: q.waiting,
            QCOL_LONGEST: lb.longest_wait_s(q, self._now),
            QCOL_ANSWERED: q.answered,
            QCOL_ABANDONED: q.abandoned,
            QCOL_SL: -1.0 if q.service_level_pct is None else q.service_level_pct,
            QCOL_ASA: -1.0 if q.asa_s is None else q.asa_s,
        }.get(col, 0)


class QueuesPanel(QTableView):
    """The queues table above the board (read-only, compact)."""

    def __init__(self, model: QueuesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LeadQueues")
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.setAccessibleName(self.tr("Queues"))
        self.setAlternatingRowColors(True)
        model.modelReset.connect(self._fit)
        model.rowsInserted.connect(self._fit)
        self._fit()

    def _fit(self) -> None:
        """As tall as its rows (up to 5), so the board keeps the space."""
        rows = max(1, min(5, self.model().rowCount()))
        height = (
            self.horizontalHeader().sizeHint().height()
            + rows * self.verticalHeader().defaultSectionSize()
        )
        self.setFixedHeight(height + 2 * self.frameWidth() + 2)
