"""The board's table: the state as a pill in the shared colours (with its mark and name),
a pending remote change written beside it, threshold cells from the model."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from homeagent.core.agent_state import AgentState
from homeagent.ui.lead.board_filter import BoardFilter
from homeagent.ui.lead.board_model import (
    AGENT_ID_ROLE,
    PENDING_ROLE,
    STATE_ROLE,
)
from homeagent.ui.lead.board_text import COL_STATE
from homeagent.ui.qt.theme import STATE_COLOURS

PILL_PAD_PX = 8


class StatePillDelegate(QStyledItemDelegate):
    """Paints the state cell: a rounded pill (colour + mark + name), then the pending
    change in italics. `on_painted(agent_id)` runs after each paint (the benchmark's
    "row repainted" probe; None in the product)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_painted: Callable[[str], None] | None = None

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        state = index.data(STATE_ROLE)
        if not isinstance(state, AgentState):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        pending = str(index.data(PENDING_ROLE) or "")
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        colour = STATE_COLOURS[state]
        label = f"{colour.mark}  {text}" if colour.mark else text
        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        fm = QFontMetrics(bold)
        rect = opt.rect.adjusted(4, 3, -4, -3)
        # the marks come from a fallback font that metrics under-measure: room for it
        pill_w = min(rect.width(), fm.horizontalAdvance(label) + 2 * PILL_PAD_PX + fm.height())
        pill = QRect(rect.left(), rect.top(), pill_w, rect.height())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour.fill))
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setPen(QColor(colour.text))
        painter.drawText(
            pill.adjusted(PILL_PAD_PX, 0, -PILL_PAD_PX, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            fm.elidedText(label, Qt.TextElideMode.ElideRight, pill.width() - PILL_PAD_PX),
        )
        if pending:
            italic = QFont(opt.font)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(opt.palette.color(opt.palette.ColorRole.Text))
            rest = rect.adjusted(pill_w + 8, 0, 0, 0)
            painter.drawText(
                rest,
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                QFontMetrics(italic).elidedText(
                    f"→ {pending}", Qt.TextElideMode.ElideRight, rest.width()
                ),
            )
        painter.restore()
        if self.on_painted is not None:
            self.on_painted(str(index.data(AGENT_ID_ROLE) or ""))

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        base = super().sizeHint(option, index)
        fm = QFontMetrics(option.font)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        pending = str(index.data(PENDING_ROLE) or "")
        width = fm.horizontalAdvance(f"☎  {text}") + 2 * PILL_PAD_PX + fm.height() + 16
        if pending:
            width += fm.horizontalAdvance(f"→ {pending}") + 8
        return QSize(max(base.width(), width), max(base.height(), fm.height() + 12))


class BoardView(QTableView):
    """The board table: sortable, multi-selection, context menu and Enter for the day."""

    context_menu_requested = Signal(object)  # payload: QPoint (global) where to open it
    activated_agent = Signal(str)  # payload: agent id (Enter / double-click: the agent's day)

    def __init__(self, proxy: BoardFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LeadBoard")
        self.setModel(proxy)
        self.pill = StatePillDelegate(self)
        self.setItemDelegateForColumn(COL_STATE, self.pill)
        self.setSortingEnabled(True)
        self.sortByColumn(COL_STATE, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(QFontMetrics(self.font()).height() + 14)
        header = self.horizontalHeader()
        # widths fitted when a board arrives, not on every change: ResizeToContents would
        # measure every row of a column at each event (measured: most of the GUI time
        # at 200 events/s)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_STATE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        proxy.modelReset.connect(self.fit_columns)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self.setAccessibleName(self.tr("Team board"))
        self.doubleClicked.connect(self._on_self_double_clicked)

    def fit_columns(self) -> None:
        """Fit the columns to what they hold now (a new board)."""
        for col in range(self.model().columnCount()):
            if col != COL_STATE:
                self.resizeColumnToContents(col)

    def selected_agent_ids(self) -> list[str]:
        proxy = self.model()
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [str(proxy.index(r, 0).data(AGENT_ID_ROLE) or "") for r in rows]

    def select_agent(self, agent_id: str) -> bool:
        proxy = self.model()
        for r in range(proxy.rowCount()):
            if proxy.index(r, 0).data(AGENT_ID_ROLE) == agent_id:
                self.selectRow(r)
                return True
        return False

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() is QContextMenuEvent.Reason.Keyboard:  # Menu key / Shift+F10
            current = self.currentIndex()
            rect = self.visualRect(current) if current.isValid() else self.viewport().rect()
            self.context_menu_requested.emit(self.viewport().mapToGlobal(rect.center()))
            return
        index = self.indexAt(event.pos())
        if index.isValid() and not self.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.selectRow(index.row())
        self.context_menu_requested.emit(event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            ids = self.selected_agent_ids()
            if len(ids) == 1:
                self.activated_agent.emit(ids[0])
                return
        super().keyPressEvent(event)

    def _on_self_double_clicked(self, index: QModelIndex) -> None:
        agent_id = index.data(AGENT_ID_ROLE)
        if agent_id:
            self.activated_agent.emit(str(agent_id))
