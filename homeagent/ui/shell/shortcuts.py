"""The desk window's keyboard: its default shortcuts, their actions, and the guard that
lets the call shortcuts win over a focused text field.

The window names and translates the actions (`MainWindow._make_actions`); this module
binds them to their keys and keeps a text field from eating e.g. Ctrl+D or Ctrl+H.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

# Default shortcuts (UX.md "Keyboard"); the first sequence is the one shown.
SHORTCUTS: dict[str, tuple[str, ...]] = {
    "answer": ("Ctrl+Return", "Ctrl+Enter"),
    "decline": ("Ctrl+Shift+R",),  # R: Refuser / Reject
    "hangup": ("Ctrl+Shift+E",),
    "hold": ("Ctrl+H",),
    "mute": ("Ctrl+M",),
    "toggle_available": ("Ctrl+D",),
    "presence_menu": ("Ctrl+Shift+D",),
    "search": ("Ctrl+F",),
    "save_wrap_up": ("Ctrl+S",),
    "inbox": ("Ctrl+I",),
    "ack_urgent": ("Ctrl+Shift+B",),  # B: "Bien reçu"
    "ask_help": ("Ctrl+Shift+H",),  # during a call
    "audio_settings": ("Ctrl+Shift+A",),
    "toggle_console": ("Ctrl+L",),  # team leads who take calls: desk <-> console
    "help_sheet": ("F1",),
}
# Shortcuts that must work even while a text field has focus (a field must not eat them).
_GLOBAL = (
    "answer",
    "decline",
    "hangup",
    "hold",
    "mute",
    "toggle_available",
    "presence_menu",
    "save_wrap_up",
)


def make_actions(
    window: QWidget, targets: Mapping[str, tuple[str, Callable[[], object]]]
) -> dict[str, QAction]:
    """One window-wide action per `targets` entry ((text, slot) by shortcut name), on the
    keys of `SHORTCUTS`."""
    actions: dict[str, QAction] = {}
    for name, (text, slot) in targets.items():
        action = QAction(text, window)
        action.setShortcuts([QKeySequence(k) for k in SHORTCUTS[name]])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        window.addAction(action)
        actions[name] = action
    return actions


class CallKeysGuard(QObject):
    """The call shortcuts of `window` win over a focused text field.

    Each widget of the window that takes the focus gets this filter (not the whole
    application: that put every event of the app through Python, paints and timers
    included). `stop()` when the window closes.
    """

    def __init__(self, window: QWidget, actions: dict[str, QAction]) -> None:
        super().__init__(window)
        self._window = window
        self._actions = actions
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)  # type: ignore[union-attr]
        self._watching_focus = True

    def stop(self) -> None:
        """Stop following the focus (a window may be closed twice: once is enough)."""
        if self._watching_focus:
            self._watching_focus = False
            QApplication.instance().focusChanged.disconnect(self._on_app_focus_changed)  # type: ignore[union-attr]

    def _on_app_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if now is not None and now.window() is self._window:
            now.installEventFilter(self)  # once per widget: Qt moves a filter, never doubles it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A text field would accept e.g. Ctrl+D (delete) or Ctrl+H as its own key; the call
        # shortcuts must win wherever the focus is in this window.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            widget = watched if isinstance(watched, QWidget) else None
            if widget is not None and widget.window() is self._window:
                pressed = QKeySequence(event.keyCombination())
                for name in _GLOBAL:
                    for seq in self._actions[name].shortcuts():
                        if seq.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch:
                            event.ignore()
                            return True
        return super().eventFilter(watched, event)
