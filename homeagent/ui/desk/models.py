"""Qt item models over the desk's value types (contacts, callbacks, history, inbox).

Each model holds a tuple of frozen records and is replaced wholesale by `set_items`
(lists are short: a page of search results, today's calls); `ItemRole` gives the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
)
from PySide6.QtGui import QFont

from homeagent.core.desk_types import (
    Callback,
    Contact,
    Disposition,
    HistoryEntry,
    Message,
    Outcome,
    Priority,
)
from homeagent.core.timefmt import format_duration
from homeagent.ui.qt.labels import delivery_text, disposition_text
from homeagent.ui.qt.phone_format import format_number

T = TypeVar("T")
ItemRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def local_time(when: dt.datetime) -> str:
    """A time of day in the user's locale (``15:30``)."""
    local = when.astimezone() if when.tzinfo else when
    t = local.time()
    return str(QLocale().toString(QTime(t.hour, t.minute), QLocale.FormatType.ShortFormat))


def local_date_time(when: dt.datetime) -> str:
    """A short date and time in the user's locale."""
    local = when.astimezone() if when.tzinfo else when
    stamp = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return str(QLocale().toString(stamp, QLocale.FormatType.ShortFormat))


def outcome_text(outcome: Outcome) -> str:
    """How a call ended, in one word."""
    return {
        Outcome.ANSWERED: QCoreApplication.translate("Models", "Answered"),
        Outcome.MISSED: QCoreApplication.translate("Models", "Missed"),
        Outcome.DECLINED: QCoreApplication.translate("Models", "Declined"),
        Outcome.OUTBOUND: QCoreApplication.translate("Models", "Outgoing"),
    }[outcome]


class _RecordList(QAbstractListModel, Generic[T]):
    def __init__(self) -> None:
        super().__init__()
        self._items: tuple[T, ...] = ()

    def set_items(self, items: list[T] | tuple[T, ...]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._items = tuple(items)
        self.endResetModel()

    def item(self, row: int) -> T | None:
        """The record at `row`."""
        return self._items[row] if 0 <= row < len(self._items) else None

    def items(self) -> tuple[T, ...]:
        """Every record."""
        return self._items

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == ItemRole:
            return item
        return self.item_data(item, role)

    def item_data(self, item: T, role: int) -> object:
        raise NotImplementedError


class ContactListModel(_RecordList[Contact]):
    """Search results: name and company, number underneath."""

    def item_data(self, item: Contact, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            head = item.full_name or QCoreApplication.translate("Models", "(no name)")
            if item.company and item.company != head:
                head = f"{head} — {item.company}"
            phone = format_number(item.phones[0]) if item.phones else ""
            return f"{head}\n{phone}" if phone else head
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return item.full_name
        return None


class CallbackListModel(_RecordList[Callback]):
    """Today's callbacks, by due time."""

    def item_data(self, item: Callback, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            who = item.contact_name or format_number(item.number)
            line = f"{local_time(item.due_at)}  {who}"
            return f"{line}\n{item.notes}" if item.notes else line
        return None


class InboxListModel(_RecordList[Message]):
    """The conversation: the lead's messages (unread in bold, urgent marked with "!" and a
    word) and the agent's own, on the right with where they are (saved, sent)."""

    def item_data(self, item: Message, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if item.mine:
                you = QCoreApplication.translate("Models", "You")
                state = delivery_text(item.delivery)
                head = f"{you} · {local_time(item.sent_at)}" + (f" · {state}" if state else "")
                return f"{head}\n{item.body}"
            mark = ""
            if item.priority is Priority.URGENT:
                mark = (
                    QCoreApplication.translate("Models", "! Urgent — ")
                    if item.needs_ack
                    else QCoreApplication.translate("Models", "Urgent (acknowledged) — ")
                )
            return f"{mark}{item.sender} · {local_time(item.sent_at)}\n{item.body}"
        if role == Qt.ItemDataRole.TextAlignmentRole and item.mine:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and not item.read:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.body
        return None


class HistoryTableModel(QAbstractTableModel):
    """Today's calls: time, who, outcome, duration, disposition, delivery."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: tuple[HistoryEntry, ...] = ()
        self._dispositions: tuple[Disposition, ...] = ()

    def set_dispositions(self, dispositions: tuple[Disposition, ...]) -> None:
        """The team's dispositions: the Disposition column shows their labels."""
        self._dispositions = tuple(dispositions)
        if self._rows:
            last = self.index(len(self._rows) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def set_items(self, rows: list[HistoryEntry] | tuple[HistoryEntry, ...]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def item(self, row: int) -> HistoryEntry | None:
        """The entry at `row`."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is not Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            QCoreApplication.translate("Models", "Time"),
            QCoreApplication.translate("Models", "Caller"),
            QCoreApplication.translate("Models", "Outcome"),
            QCoreApplication.translate("Models", "Duration"),
            QCoreApplication.translate("Models", "Disposition"),
        )[section]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.item(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == ItemRole:
            return row
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        outcome = outcome_text(row.outcome)
        delivery = delivery_text(row.delivery)
        disposition = disposition_text(row.disposition, self._dispositions)
        return (
            local_time(row.started_at),
            row.contact_name or format_number(row.number),
            outcome,
            format_duration(row.duration_s) if row.duration_s else "—",
            f"{disposition} ({delivery})" if delivery else disposition,
        )[index.column()]
