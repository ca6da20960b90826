"""Posko (crew posts): a small house symbol, distinct from round pins and crew tiles."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from maps import style
from maps.layers.base import LayerGroup
from maps.projection import scene_point
from services.queries import PoskoView

# Map stacking, bottom to top: areas 0-1, district names 29, villages 30, padam meluas
# circles 40, posko 42, pins 45, ULP names 55, crews 60, padam meluas labels 65.
# Posko are fixed furniture and sit under the pins: live reports must never be hidden
# by a house symbol (four posko stand in Pangkalpinang among the most reports).
Z_POSKO = 42
POSKO_COLOUR = QColor("#1f3a5f")


def posko_path(centre: QPointF, size: float) -> QPainterPath:
    """A house outline (roof over a square) centred on ``centre``."""
    half = size / 2
    x, y = centre.x(), centre.y()
    path = QPainterPath()
    path.moveTo(x, y - half)  # roof ridge
    path.lineTo(x + half, y - half * 0.15)
    path.lineTo(x + half * 0.72, y - half * 0.15)
    path.lineTo(x + half * 0.72, y + half)
    path.lineTo(x - half * 0.72, y + half)
    path.lineTo(x - half * 0.72, y - half * 0.15)
    path.lineTo(x - half, y - half * 0.15)
    path.closeSubpath()
    return path


def paint_posko_symbol(painter: QPainter, centre: QPointF, size: float) -> None:
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor("#ffffff"), max(1.2, size / 10))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(POSKO_COLOUR)
    painter.drawPath(posko_path(centre, size))
    painter.restore()


class PoskoMarker(QGraphicsItem):
    def __init__(self, posko: PoskoView):
        super().__init__()
        self.posko = posko
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(scene_point(posko.lon, posko.lat))
        self.setToolTip(
            f"<b>{escape(posko.name)}</b><br>ULP {escape(posko.ulp)}<br>{posko.crew_count} regu"
        )

    def boundingRect(self) -> QRectF:
        half = style.POSKO_SIZE_PX / 2 + 2
        return QRectF(-half, -half, 2 * half, 2 * half)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        paint_posko_symbol(painter, QPointF(0, 0), style.POSKO_SIZE_PX)


class PoskoLayer:
    def __init__(self, scene):
        self._group = LayerGroup(Z_POSKO)
        scene.addItem(self._group)
        self.markers: list[PoskoMarker] = []

    def set_posko(self, posko: list[PoskoView]) -> None:
        self._group.clear()
        self.markers = []
        for station in posko:
            if station.lon is None or station.lat is None:
                continue
            marker = PoskoMarker(station)
            marker.setParentItem(self._group)
            self.markers.append(marker)
