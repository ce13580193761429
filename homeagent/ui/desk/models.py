"""Qt item models over the desk's value types (contacts, callbacks, history, inbox).

Each model holds a tuple of frozen records, replaced wholesale by `set_items`
(`homeagent.ui.qt.record_models`); `ItemRole` gives a row's record.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
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
from homeagent.ui.qt.record_models import RecordList, RecordTable


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


class ContactListModel(RecordList[Contact]):
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


class CallbackListModel(RecordList[Callback]):
    """Today's callbacks, by due time."""

    def item_data(self, item: Callback, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            who = item.contact_name or format_number(item.number)
            line = f"{local_time(item.due_at)}  {who}"
            return f"{line}\n{item.notes}" if item.notes else line
        return None


class InboxListModel(RecordList[Message]):
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


class HistoryTableModel(RecordTable[HistoryEntry]):
    """Today's calls: time, who, outcome, duration, disposition, delivery."""

    COLUMNS = ("time", "caller", "outcome", "duration", "disposition")

    def __init__(self) -> None:
        super().__init__()
        self._dispositions: tuple[Disposition, ...] = ()

    def set_dispositions(self, dispositions: tuple[Disposition, ...]) -> None:
        """The team's dispositions: the Disposition column shows their labels."""
        self._dispositions = tuple(dispositions)
        if self.items():
            last = self.index(len(self.items()) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def headers(self) -> tuple[str, ...]:
        return (
            QCoreApplication.translate("Models", "Time"),
            QCoreApplication.translate("Models", "Caller"),
            QCoreApplication.translate("Models", "Outcome"),
            QCoreApplication.translate("Models", "Duration"),
            QCoreApplication.translate("Models", "Disposition"),
        )

    def cell(self, row: HistoryEntry, column: int, role: int) -> object:
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
        )[column]
