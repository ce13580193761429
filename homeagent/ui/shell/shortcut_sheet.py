"""The shortcut sheet (F1): every keyboard shortcut of the window, translated."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homeagent.ui.qt.labels import key_text


class ShortcutSheet(QDialog):
    """A read-only table of (action, keys), sized to show every row; closes with Esc."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        table = QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys")])
        table.verticalHeader().setVisible(False)
        table.setAccessibleName(self.tr("Keyboard shortcuts"))
        table.setTabKeyNavigation(False)  # Tab goes on to Close
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (action, keys) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(action))
            table.setItem(row, 1, QTableWidgetItem(key_text(keys)))
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setWordWrap(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.table = table
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._fit()

    def _fit(self) -> None:
        """As tall as every row needs (the window's height at most), wide enough for both."""
        table = self.table
        table.resizeColumnsToContents()
        width = max(520, table.horizontalHeader().length() + 48)
        rows_h = sum(table.rowHeight(r) for r in range(table.rowCount()))
        height = rows_h + table.horizontalHeader().height() + 2 * table.frameWidth()
        table.setMinimumHeight(height)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.resize(width, height + 80)

    def showEvent(self, event: QShowEvent) -> None:
        """Take the keyboard, so Esc closes the sheet at once."""
        super().showEvent(event)
        self.activateWindow()
        self.table.setFocus(Qt.FocusReason.PopupFocusReason)
