"""The callout that tells, during a drag, what a drop on a crew would do."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

Z_HINT = 100
PADDING = 6


class DropHint(QGraphicsItem):
    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(Z_HINT)
        self.setVisible(False)
        self._font = QFont("DejaVu Sans")
        self._font.setPointSizeF(9)
        self._text = ""
        self._allowed = True
        self._rect = QRectF()

    @property
    def text(self) -> str:
        return self._text

    def show_at(self, marker: QGraphicsItem, text: str, allowed: bool) -> None:
        self.prepareGeometryChange()
        self._text = text
        self._allowed = allowed
        size = QFontMetricsF(self._font).size(0, text)
        anchor = marker.boundingRect().topRight() + QPointF(6, -size.height() - 2 * PADDING)
        self._rect = QRectF(anchor, size).adjusted(0, 0, 2 * PADDING, 2 * PADDING)
        self.setPos(marker.pos())
        self.setVisible(True)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = QColor("#1e8449") if self._allowed else QColor("#a93226")
        painter.setPen(QPen(edge, 1.5))
        painter.setBrush(QColor("#eafaf1") if self._allowed else QColor("#fdedec"))
        painter.drawRoundedRect(self._rect, 4, 4)
        painter.setPen(QColor("#1b2631"))
        painter.setFont(self._font)
        inner = self._rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft), self._text)
