"""The supervision mark: a headset drawn in the supervision colour (the board's rows, the
supervision bar), so no font has to provide one."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

HEADSET_COLOUR = "#6A3FC8"  # violet: no agent state uses it


def headset_icon(size_px: int = 16, colour: str = HEADSET_COLOUR) -> QIcon:
    """A headset drawn in the supervision colour (a mark no font has to provide)."""
    pixmap = QPixmap(size_px, size_px)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size_px)
    pen = QPen(QColor(colour), max(1.5, s / 9))
    painter.setPen(pen)
    band = QPainterPath()
    band.moveTo(QPointF(s * 0.18, s * 0.62))
    band.arcTo(QRectF(s * 0.18, s * 0.12, s * 0.64, s * 0.8), 180, -180)
    painter.drawPath(band)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(s * 0.08, s * 0.52, s * 0.22, s * 0.38), s * 0.06, s * 0.06)
    painter.drawRoundedRect(QRectF(s * 0.70, s * 0.52, s * 0.22, s * 0.38), s * 0.06, s * 0.06)
    painter.end()
    return QIcon(pixmap)
