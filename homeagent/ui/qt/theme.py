"""Colours and the style sheet: light or dark as the system says, one state-colour table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMetaObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from homeagent.core.agent_state import AgentState

RESOURCES = Path(__file__).resolve().parents[3] / "resources"


@dataclass(frozen=True, slots=True)
class StateColour:
    """Fill and text colour of the presence button (and tray icon) for one state."""

    fill: str
    text: str
    mark: str = ""  # a symbol shown next to the name, so colour is never the only signal


# UX.md "Colour and state language"; RINGING alternates with RINGING_ALT (the only animation).
# Each text colour reads on its fill at a WCAG contrast of 4.5 or more (tests/unit/ui/qt).
STATE_COLOURS: dict[AgentState, StateColour] = {
    AgentState.AVAILABLE: StateColour("#188038", "#FFFFFF", "●"),
    AgentState.RINGING: StateColour("#188038", "#FFFFFF", "☎"),
    AgentState.ON_CALL: StateColour("#C5221F", "#FFFFFF", "☎"),
    AgentState.WRAP_UP: StateColour("#1A73E8", "#FFFFFF", "✎"),
    AgentState.BREAK: StateColour("#F2A900", "#202124", "❚❚"),
    AgentState.OFFLINE: StateColour("#6B7075", "#FFFFFF", "○"),
    AgentState.NOT_READY: StateColour("#F2A900", "#202124", "⚠"),
}
RINGING_ALT = StateColour("#1A73E8", "#FFFFFF", "☎")


def state_icon(state: AgentState, size_px: int = 16) -> QIcon:
    """A disc in the state's colour, for menus and the tray (colour is never the only
    signal: the state's mark and name go with it)."""
    pixmap = QPixmap(size_px, size_px)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(STATE_COLOURS[state].fill))
    painter.setPen(QColor("#00000040"))
    painter.drawEllipse(1, 1, size_px - 2, size_px - 2)
    painter.end()
    return QIcon(pixmap)


_LIGHT = {
    "bar_bg": "#F4F6F8",
    "button_bg": "#FFFFFF",
    "line": "#D0D5DB",
    "card_bg": "#FFFFFF",
    "muted_fg": "#5F6368",
    "tag_bg": "#E8EEF7",
    "ok_fg": "#137333",
    "warn_fg": "#A05A00",
    "bad_fg": "#B3261E",
    "wrap_fg": "#1A5FC8",
    "accent": "#1A73E8",
    "focus": "#0B57D0",
    "checked_bg": "#FCE8B2",
    "checked_fg": "#202124",
    "ring_bg": "#E8F0FE",
    "urgent_bg": "#FEF3D6",
}
_DARK = {
    "bar_bg": "#23262B",
    "button_bg": "#30343A",
    "line": "#43474E",
    "card_bg": "#2B2F35",
    "muted_fg": "#A8ADB4",
    "tag_bg": "#34404F",
    "ok_fg": "#81C995",
    "warn_fg": "#FDD663",
    "bad_fg": "#F28B82",
    "wrap_fg": "#8AB4F8",
    "accent": "#1A73E8",
    "focus": "#8AB4F8",
    "checked_bg": "#5C4A12",
    "checked_fg": "#FFFFFF",
    "ring_bg": "#1E2A3D",
    "urgent_bg": "#3D3217",
}


def system_is_dark() -> bool:
    """Whether the system asks for a dark scheme."""
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


def palette_is_dark() -> bool:
    """Whether the application's palette in use is dark (the applied theme, whatever asked
    for it)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def style_sheet(dark: bool) -> str:
    """The application style sheet for one scheme."""
    template = (RESOURCES / "style" / "homeagent.qss").read_text(encoding="utf-8")
    for token, value in (_DARK if dark else _LIGHT).items():
        template = template.replace("{{" + token + "}}", value)
    return template


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1E2125",
        QPalette.ColorRole.WindowText: "#E8EAED",
        QPalette.ColorRole.Base: "#26292E",
        QPalette.ColorRole.AlternateBase: "#2B2F35",
        QPalette.ColorRole.Text: "#E8EAED",
        QPalette.ColorRole.Button: "#30343A",
        QPalette.ColorRole.ButtonText: "#E8EAED",
        QPalette.ColorRole.Highlight: "#1A73E8",
        QPalette.ColorRole.HighlightedText: "#FFFFFF",
        QPalette.ColorRole.ToolTipBase: "#30343A",
        QPalette.ColorRole.ToolTipText: "#E8EAED",
        QPalette.ColorRole.PlaceholderText: "#9AA0A6",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    return palette


def theme_tokens(dark: bool) -> dict[str, str]:
    """The style sheet's colours for one scheme (a copy)."""
    return dict(_DARK if dark else _LIGHT)


def follow_system_scheme(app: QApplication) -> QMetaObject.Connection:
    """Re-apply the theme whenever the system switches between light and dark."""

    def changed(scheme: Qt.ColorScheme) -> None:
        if scheme is Qt.ColorScheme.Unknown:
            apply_theme(app)
        else:
            apply_theme(app, scheme is Qt.ColorScheme.Dark)

    return app.styleHints().colorSchemeChanged.connect(changed)


def apply_theme(app: QApplication, dark: bool | None = None) -> bool:
    """Apply Fusion with our style sheet; `dark=None` follows the system. Returns dark."""
    if dark is None:
        dark = system_is_dark()
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())
    app.setStyleSheet(style_sheet(dark))
    return dark
