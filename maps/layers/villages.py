"""Village (desa/kelurahan) names, shown only when zoomed in far enough to read."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem

from maps import style
from maps.layers.base import LayerGroup
from maps.layers.text import HaloLabel
from maps.projection import scene_point
from services.queries import VillagePoint

Z_VILLAGES = 30


class _VillageDot(QGraphicsItem):
    def __init__(self, pos: QPointF):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(pos)

    def boundingRect(self) -> QRectF:
        return QRectF(-2.5, -2.5, 5, 5)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("#ffffff"))
        painter.setBrush(QColor("#555555"))
        painter.drawEllipse(QRectF(-2, -2, 4, 4))


class VillageLayer:
    def __init__(self, scene):
        self._group = LayerGroup(Z_VILLAGES)
        scene.addItem(self._group)
        self.labels: list[HaloLabel] = []
        self._visible = False
        self._group.setVisible(False)

    def set_villages(self, villages: list[VillagePoint]) -> None:
        self._group.clear()
        self.labels = []
        for village in villages:
            pos = scene_point(village.lon, village.lat)
            _VillageDot(pos).setParentItem(self._group)
            label = HaloLabel(village.name, pos, 8, colour=QColor("#3b3b3b"), offset=QPointF(4, 0))
            label.setToolTip(f"{village.name}, Kec. {village.district} (ULP {village.ulp})")
            label.setParentItem(self._group)
            self.labels.append(label)

    @property
    def visible(self) -> bool:
        return self._visible

    def update_for_scale(self, pixels_per_metre: float) -> None:
        """Show the names only below the metres-per-pixel threshold."""
        show = pixels_per_metre > 0 and 1 / pixels_per_metre <= style.VILLAGE_LABEL_MAX_M_PER_PX
        if show != self._visible:
            self._visible = show
            self._group.setVisible(show)
