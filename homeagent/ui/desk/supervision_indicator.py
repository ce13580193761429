"""The call view's supervision indicator: "Écoute : Claire Martin" while a team lead is on
the call (docs/supervision-contract.md, "Agent desk"; UX.md: supervision is never secret
by accident).

Calm for listen and whisper, more prominent for barge-in (the customer hears the lead);
colour, words and an icon together, never colour alone. Not a dialog and never focused:
the agent keeps talking and typing; a screen reader reads its name and description.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from homeagent.core.desk_snapshot import SupervisionView
from homeagent.ui.qt.labels import supervision_detail, supervision_text

ICON_PX = 22


def supervision_pixmap(mode: str, ink: QColor, size_px: int = ICON_PX) -> QPixmap:
    """A headset (listen), a headset with a speech mark (whisper), or a loudspeaker with
    its waves (barge-in: heard by the customer too), drawn in `ink` (the text's colour:
    it reads on the light and the dark scheme alike)."""
    pixmap = QPixmap(size_px, size_px)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size_px / 22  # drawn on a 22 px grid
    pen = QPen(ink, 2.0 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    if mode == "barge":
        cone = QPainterPath(QPointF(3 * s, 8 * s))
        for x, y in ((7 * s, 8 * s), (12 * s, 4 * s), (12 * s, 18 * s), (7 * s, 14 * s)):
            cone.lineTo(x, y)
        cone.lineTo(3 * s, 14 * s)
        cone.closeSubpath()
        p.setBrush(ink)
        p.drawPath(cone)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for r in (4.0, 7.5):  # the sound going out
            p.drawArc(QRectF((12 - r) * s, (11 - r) * s, 2 * r * s, 2 * r * s), -45 * 16, 90 * 16)
    else:
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(QRectF(3 * s, 2 * s, 16 * s, 16 * s), 0, 180 * 16)  # the headband
        p.setBrush(ink)
        p.drawRoundedRect(QRectF(2 * s, 10 * s, 4 * s, 8 * s), 1.5 * s, 1.5 * s)
        p.drawRoundedRect(QRectF(16 * s, 10 * s, 4 * s, 8 * s), 1.5 * s, 1.5 * s)
        if mode == "whisper":  # a small speech mark between the ear cups
            p.drawEllipse(QRectF(9 * s, 13 * s, 4 * s, 4 * s))
    p.end()
    return pixmap


class SupervisionIndicator(QFrame):
    """One line with who supervises and how, and a smaller line saying who hears whom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SupervisionIndicator")
        self.setProperty("mode", "listen")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.icon = QLabel(self)
        self.icon.setFixedSize(ICON_PX + 2, ICON_PX + 2)
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel(self)
        self.text.setObjectName("SupervisionText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.detail = QLabel(self)
        self.detail.setObjectName("SupervisionDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        words = QVBoxLayout()
        words.setContentsMargins(0, 0, 0, 0)
        words.setSpacing(0)
        words.addWidget(self.text)
        words.addWidget(self.detail)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(8)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        self.view: SupervisionView | None = None
        self.setVisible(False)

    def show_view(self, view: SupervisionView | None) -> None:
        """Show a lead on the call ("connecting…" until the leg is up); None hides it."""
        if view == self.view:
            return
        self.view = view
        if view is None:
            self.setVisible(False)
            return
        title = supervision_text(view.mode, view.lead_name)
        if not view.connected:
            title = self.tr("{title} · connecting…").format(title=title)
        detail = supervision_detail(view.mode)
        self.text.setText(title)
        self.detail.setText(detail)
        ink = self.text.palette().color(QPalette.ColorRole.WindowText)
        self.icon.setPixmap(supervision_pixmap(view.mode, ink))
        if self.property("mode") != view.mode:
            self.setProperty("mode", view.mode)
            self.style().unpolish(self)  # the style sheet's [mode="barge"] applies now
            self.style().polish(self)
            for label in (self.text, self.detail):
                label.style().unpolish(label)
                label.style().polish(label)
        self.setAccessibleName(title)
        self.setAccessibleDescription(detail)
        self.setToolTip(detail)
        self.setVisible(True)
