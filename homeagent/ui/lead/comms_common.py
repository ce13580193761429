"""What the console's communication panels share: reading an event, saying a failure,
the highlight colours, local times, their one-row-selected tables."""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QWidget

from homeagent.core.lead_comms import LeadEvent, MalformedPayload, parse_event
from homeagent.core.lead_day import to_local
from homeagent.ui.qt.theme import theme_tokens

_log = logging.getLogger(__name__)


def read_event(event_type: str, data: object) -> LeadEvent | None:
    """The typed event, or None: another part's type, or malformed (logged at WARNING,
    that event alone is dropped)."""
    try:
        return parse_event(event_type, data)
    except MalformedPayload as exc:
        _log.warning("malformed %s event ignored: %s", event_type, exc)
        return None


def failure_text(exc: BaseException) -> str:
    """A failed request in one sentence for an inline status line (never a dialog)."""
    status = getattr(exc, "status", None)
    if isinstance(exc, MalformedPayload):
        return QCoreApplication.translate("LeadComms", "The server's answer was not understood.")
    if status == 404:
        return QCoreApplication.translate("LeadComms", "It no longer exists on the server.")
    if status == 409:
        return QCoreApplication.translate("LeadComms", "The server refused it in this state.")
    if isinstance(status, int) and 400 <= status < 500:
        message = getattr(exc, "message", "")
        return QCoreApplication.translate("LeadComms", "The server refused it: {reason}").format(
            reason=message or status
        )
    return QCoreApplication.translate(
        "LeadComms", "The server cannot be reached; try again in a moment."
    )


def _dark() -> bool:
    window = QGuiApplication.palette().window().color()
    return window.lightness() < 128


def highlight_brush(kind: str = "urgent") -> QBrush:
    """The background of a row that needs the lead (`urgent`) or is past a threshold
    (`warn`); `none`: the table's own."""
    if kind == "none":
        return QBrush()
    tokens = theme_tokens(_dark())
    return QBrush(QColor(tokens["urgent_bg" if kind == "urgent" else "checked_bg"]))


def clock_text(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """A moment of today as HH:MM in local time."""
    return to_local(moment, tz).strftime("%H:%M")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def row_table(parent: QWidget, headers: list[str], stretch: tuple[int, ...]) -> QTableWidget:
    """A read-only table whose rows are chosen one at a time: the `stretch` columns share
    the width, the others fit their contents; one line a row (the whole text belongs in
    the cell's tooltip)."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    for col in range(len(headers)):
        fit = (
            QHeaderView.ResizeMode.Stretch
            if col in stretch
            else QHeaderView.ResizeMode.ResizeToContents
        )
        header.setSectionResizeMode(col, fit)
    table.setWordWrap(False)
    return table
