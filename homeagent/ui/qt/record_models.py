"""Qt item models over tuples of frozen records: one record per row, replaced wholesale
by `set_items` (the lists are short: a page of search results, today's calls, a week of
slots). `ItemRole` gives a row's record; a subclass says only what a cell shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

T = TypeVar("T")
ItemRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class _Records(Generic[T]):
    """The rows of either model kind (a mixin before the Qt base class)."""

    _items: tuple[T, ...] = ()

    def set_items(self, items: Iterable[T]) -> None:
        """Replace every row."""
        model = cast(QAbstractItemModel, self)
        model.beginResetModel()
        self._items = tuple(items)
        model.endResetModel()

    def item(self, row: int) -> T | None:
        """The record at `row`."""
        return self._items[row] if 0 <= row < len(self._items) else None

    def items(self) -> tuple[T, ...]:
        """Every record."""
        return self._items

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def _record(self, index: Index) -> T | None:
        return self.item(index.row()) if index.isValid() else None


class RecordList(_Records[T], QAbstractListModel):
    """One column: `item_data(record, role)` gives what the row shows."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = self._record(index)
        if item is None:
            return None
        return item if role == ItemRole else self.item_data(item, role)

    def item_data(self, item: T, role: int) -> object:
        raise NotImplementedError


class RecordTable(_Records[T], QAbstractTableModel):
    """One column per name in `COLUMNS`, titled by `headers()` (translated when asked);
    `cell(record, column, role)` gives what a cell shows."""

    COLUMNS: tuple[str, ...] = ()

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def cell(self, item: T, column: int, role: int) -> object:
        raise NotImplementedError

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is not Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.headers()[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = self._record(index)
        if item is None:
            return None
        return item if role == ItemRole else self.cell(item, index.column(), role)
