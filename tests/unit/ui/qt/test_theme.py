"""Light and dark follow the system, and every state colour stays readable (item 1).

Contrast is computed with the WCAG 2 formula (relative luminance of sRGB); text must be
at 4.5:1 or more on its fill: the presence button's state fills, the call buttons' fills,
and the state words (ok / warn / bad / wrap-up / muted) on the window, the fields and
the card, in both schemes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from homeagent.ui.qt.theme import (
    RINGING_ALT,
    STATE_COLOURS,
    apply_theme,
    follow_system_scheme,
    palette_is_dark,
    style_sheet,
    theme_tokens,
)

AA = 4.5


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str | QColor) -> float:
    """WCAG relative luminance."""
    q = QColor(colour)
    return (
        0.2126 * _channel(q.redF()) + 0.7152 * _channel(q.greenF()) + 0.0722 * _channel(q.blueF())
    )


def contrast(a: str | QColor, b: str | QColor) -> float:
    """WCAG contrast ratio, 1 .. 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def app() -> Iterator[QApplication]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    yield app
    apply_theme(app, dark=False)  # what every other UI test expects


def test_the_formula_gives_the_known_ratios() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#777777") == pytest.approx(1.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast("#1E8E3E", "#FFFFFF") < AA  # the old green: the check would catch it


def test_every_state_text_reads_on_its_fill() -> None:
    faults = [
        f"{state}: {c.text} on {c.fill} = {contrast(c.text, c.fill):.2f}"
        for state, c in [*STATE_COLOURS.items(), ("ringing (alternate)", RINGING_ALT)]
        if contrast(c.text, c.fill) < AA
    ]
    assert faults == []


_FILLED = re.compile(
    r"([\w#\[\]=\":-]+)\s*\{[^}]*background:\s*(#[0-9A-Fa-f]{6});[^}]*color:\s*(\w+|#[0-9A-Fa-f]{6})"
)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_coloured_buttons_and_state_words_read_in_both_schemes(app, dark: bool) -> None:  # type: ignore[no-untyped-def]
    apply_theme(app, dark=dark)
    palette = app.palette()
    tokens = theme_tokens(dark)
    faults = []
    filled = _FILLED.findall(style_sheet(dark))
    assert len(filled) >= 4  # Answer, Decline, Hang up, the primary button, checked
    for selector, fill, text in filled:
        if contrast(text, fill) < AA:
            faults.append(f"{selector}: {text} on {fill} = {contrast(text, fill):.2f}")
    backgrounds = {
        "window": palette.color(QPalette.ColorRole.Window),
        "field": palette.color(QPalette.ColorRole.Base),
        "card": QColor(tokens["card_bg"]),
        "top bar": QColor(tokens["bar_bg"]),
    }
    for word in ("ok_fg", "warn_fg", "bad_fg", "wrap_fg", "muted_fg"):
        for where, bg in backgrounds.items():
            ratio = contrast(tokens[word], bg)
            if ratio < AA:
                faults.append(f"{word} {tokens[word]} on the {where} {bg.name()} = {ratio:.2f}")
    text = palette.color(QPalette.ColorRole.WindowText)
    assert contrast(text, backgrounds["window"]) >= AA
    assert faults == []


def test_a_system_scheme_change_changes_the_palette(app) -> None:  # type: ignore[no-untyped-def]
    apply_theme(app, dark=False)
    connection = follow_system_scheme(app)
    light_window = app.palette().color(QPalette.ColorRole.Window)
    light_sheet = app.styleSheet()
    hints = app.styleHints()
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        QCoreApplication.processEvents()
        dark_window = app.palette().color(QPalette.ColorRole.Window)
        assert luminance(dark_window) < 0.05 < luminance(light_window)
        assert app.styleSheet() != light_sheet
        assert theme_tokens(True)["card_bg"] in app.styleSheet()
        text = app.palette().color(QPalette.ColorRole.WindowText)
        assert contrast(text, dark_window) >= AA
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        QCoreApplication.processEvents()
        assert app.palette().color(QPalette.ColorRole.Window) == light_window
        assert app.styleSheet() == light_sheet
    finally:
        assert QObject.disconnect(connection)


@pytest.mark.parametrize("dark", [False, True])
def test_palette_is_dark_tells_the_applied_scheme(app, dark: bool) -> None:  # type: ignore[no-untyped-def]
    apply_theme(app, dark=dark)
    assert palette_is_dark() is dark
