"""Accessibility checks shared by the UI tests: which controls a screen reader cannot name,
and where Tab goes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

# The interactive kinds the brief lists (a QDateTimeEdit is a QAbstractSpinBox).
INTERACTIVE = (
    QAbstractButton,  # push, tool, check and radio buttons
    QLineEdit,
    QComboBox,
    QTextEdit,
    QPlainTextEdit,
    QAbstractItemView,  # list, table and tree views
    QDateTimeEdit,
    QAbstractSpinBox,
    QAbstractSlider,
    QTabBar,
    QKeySequenceEdit,
)


def _inner_part(widget: QWidget) -> bool:
    """A widget that is a part of another control (the combo's line edit, a scroll bar,
    a tab widget's scroll arrows): the outer control carries the name."""
    parent = widget.parentWidget()
    if isinstance(widget, QScrollBar):
        return True
    if isinstance(widget, QLineEdit) and isinstance(
        parent, QComboBox | QAbstractSpinBox | QKeySequenceEdit
    ):
        return True
    if isinstance(widget, QHeaderView) and isinstance(parent, QAbstractItemView):
        return True  # the table's name covers it; its sections have their own text
    # QTabBar's scroll arrows, the table's corner button, the line edit's clear button
    # (Escape clears too): Qt's own parts
    return isinstance(widget, QAbstractButton) and isinstance(
        parent, QTabBar | QAbstractItemView | QLineEdit
    )


def buddies(root: QWidget) -> set[int]:
    """The ids of the widgets a visible QLabel names (`QLabel.setBuddy`)."""
    found = set()
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and label.text().replace("&", "").strip():
            found.add(id(buddy))
    return found


def named(widget: QWidget, labelled: set[int]) -> bool:
    """Whether a screen reader gets a name for `widget`: its accessible name, its own
    visible text (a button's, each tab's), or a buddy label."""
    if widget.accessibleName().strip() or id(widget) in labelled:
        return True
    if isinstance(widget, QAbstractButton):
        return bool(widget.text().replace("&", "").strip())
    if isinstance(widget, QTabBar):
        return widget.count() > 0 and all(
            widget.tabText(i).replace("&", "").strip() for i in range(widget.count())
        )
    return False


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """The visible interactive controls of `root` (the window or a dialog)."""
    return [
        w
        for w in [root, *root.findChildren(QWidget)]
        if isinstance(w, INTERACTIVE) and w.isVisibleTo(root) and not _inner_part(w)
    ]


def describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""
    parent = widget.parentWidget()
    where = type(parent).__name__ if parent is not None else "-"
    return f"{type(widget).__name__}({widget.objectName()!r}, text={text!r}, in {where})"


def unnamed(root: QWidget, view: str) -> list[str]:
    """Every visible interactive control of `root` without a name, as a readable line."""
    QApplication.processEvents()
    labelled = buddies(root)
    return [f"{view}: {describe(w)}" for w in interactive_widgets(root) if not named(w, labelled)]


def tab_reachable(root: QWidget) -> list[QWidget]:
    """The enabled visible controls of `root` that take keyboard focus by Tab."""
    return [
        w
        for w in interactive_widgets(root)
        if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None
    ]
