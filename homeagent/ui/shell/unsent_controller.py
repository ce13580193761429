"""Glue between the outbox's refused entries, the top-bar badge and the list dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from homeagent.core.desk_types import UnsentItem
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.shell.unsent import UnsentBadge, UnsentDialog


class UnsentController(QObject):
    """Shows the count; the dialog lists, retries and discards (on the disk lane)."""

    def __init__(
        self,
        *,
        badge: UnsentBadge,
        disk: TaskRunner,
        list_items: Callable[[], list[UnsentItem]],
        retry: Callable[[str], object],
        discard: Callable[[str], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._badge, self._disk = badge, disk
        self._list, self._retry, self._discard = list_items, retry, discard
        self.dialog: UnsentDialog | None = None
        badge.clicked.connect(self.open_dialog)

    def show_count(self, count: int) -> None:
        """The outbox's latest status said `count` entries are refused."""
        self._badge.show_count(count)
        if self.dialog is not None and self.dialog.isVisible():
            self.refresh()

    def open_dialog(self) -> None:
        """Open the list (one dialog, raised again if open)."""
        if self.dialog is None:
            self.dialog = UnsentDialog(self._badge.window())
            self.dialog.retry_requested.connect(lambda i: self._act(self._retry, i))
            self.dialog.discard_requested.connect(lambda i: self._act(self._discard, i))
        self.refresh()
        self.dialog.show()
        self.dialog.raise_()

    def refresh(self) -> None:
        """Read the refused entries again (disk lane) and show them."""

        def shown(items: list[UnsentItem]) -> None:
            self._badge.show_count(len(items))
            if self.dialog is not None:
                self.dialog.show_items(items)

        self._disk.run(self._list, shown)

    def _act(self, action: Callable[[str], object], item_id: str) -> None:
        self._disk.run(lambda: action(item_id), lambda _r: self.refresh())
