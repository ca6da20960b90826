"""Text labels that keep their screen size and stay readable on any fill."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from maps import style


class HaloLabel(QGraphicsItem):
    """A label centred on (or beside) a scene point, outlined in white.

    It ignores the view's zoom, so it is drawn in device pixels around its position.
    The white halo keeps dark text legible over area fills, lines and pins.
    """

    def __init__(
        self,
        text: str,
        pos: QPointF,
        point_size: float = 9,
        bold: bool = False,
        colour: QColor = style.TEXT_DARK,
        offset: QPointF | None = None,
    ):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(pos)
        self._text = text
        self._colour = QColor(colour)
        self._path = self._text_path(text, point_size, bold, offset)
        self._bounds = self._path.boundingRect().adjusted(-3, -3, 3, 3)

    @property
    def text(self) -> str:
        return self._text

    @staticmethod
    def _text_path(text: str, size: float, bold: bool, offset: QPointF | None):
        font = QFont("DejaVu Sans")
        font.setPointSizeF(size)
        font.setBold(bold)
        path = QPainterPath()
        path.addText(0, 0, font, text)
        box = path.boundingRect()
        if offset is None:  # centre on the point
            shift = QPointF(-box.center().x(), -box.center().y())
        else:  # left-aligned, vertically centred, beside the point
            shift = QPointF(offset.x() - box.left(), offset.y() - box.center().y())
        return path.translated(shift)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        halo = QPen(style.HALO, 3.0)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.strokePath(self._path, halo)
        painter.fillPath(self._path, self._colour)
