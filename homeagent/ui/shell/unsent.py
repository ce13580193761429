"""What the server refused for good: a top-bar badge and the list to retry or discard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_types import UnsentItem
from homeagent.ui.desk.models import local_time
from homeagent.ui.qt.labels import unsent_kind_text


class UnsentBadge(QToolButton):
    """ "⚠ 1 élément non envoyé"; hidden while nothing is refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("UnsentBadge")
        self.setVisible(False)

    def show_count(self, count: int) -> None:
        """Show how many entries wait for the agent's decision."""
        if count == 1:
            text = self.tr("⚠ 1 item not sent")
        else:
            text = self.tr("⚠ {count} items not sent").format(count=count)
        self.setText(text)
        self.setAccessibleName(text)
        self.setToolTip(self.tr("The server refused them: open to retry or discard"))
        self.setVisible(count > 0)


class UnsentDialog(QDialog):
    """The refused entries, oldest first, each with Retry and Discard."""

    retry_requested = Signal(str)  # payload: outbox entry id
    discard_requested = Signal(str)  # payload: outbox entry id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Items not sent"))
        self.setMinimumWidth(520)
        self.intro = QLabel(
            self.tr(
                "The server refused these for good. Retry once the cause is fixed, or "
                "discard them: nothing else waits for them except what belongs to the same "
                "call or contact."
            ),
            self,
        )
        self.intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Items not sent"))
        self.retry = QPushButton(self.tr("&Retry"), self)
        self.discard = QPushButton(self.tr("&Discard"), self)
        self.empty = QLabel(self.tr("Everything was sent."), self)
        self.empty.setProperty("role", "muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.retry)
        row.addWidget(self.discard)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.retry.clicked.connect(lambda: self._emit(self.retry_requested))
        self.discard.clicked.connect(lambda: self._emit(self.discard_requested))
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self._items: dict[str, UnsentItem] = {}
        self.show_items([])

    def show_items(self, items: list[UnsentItem]) -> None:
        """Replace the list (keeps the selection when the entry is still there)."""
        current = self._selected_id()
        self._items = {i.id: i for i in items}
        self.list.clear()
        for item in items:
            when = local_time(item.created_at)
            text = f"{when} · {unsent_kind_text(item.kind)} — {item.error}"
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            self.list.addItem(entry)
            if item.id == current:
                self.list.setCurrentItem(entry)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.empty.setVisible(not items)
        self._update_buttons()

    def _selected_id(self) -> str:
        entry = self.list.currentItem()
        return str(entry.data(Qt.ItemDataRole.UserRole)) if entry is not None else ""

    def _update_buttons(self) -> None:
        item = self._items.get(self._selected_id())
        self.retry.setEnabled(item is not None and item.retryable)
        self.discard.setEnabled(item is not None)

    def _emit(self, signal: SignalInstance) -> None:
        item_id = self._selected_id()
        if item_id:
            signal.emit(item_id)
