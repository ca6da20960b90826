"""Padam meluas on the map: a circle around each incident's reports, under the pins.

Dashed for a proposal waiting for the operator, solid for a confirmed incident,
labelled with its number (or "usulan" and the report count). The circle is drawn in
scene metres, so it grows with zoom like the area it covers; the label keeps its
screen size.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

from comcen_desktop.i18n import tr
from maps.layers.base import LayerGroup
from maps.projection import scene_point

Z_INCIDENTS = 40  # over village names, under the pins
Z_INCIDENT_LABELS = 65  # over crews: at island zoom crews crowd around an incident
MIN_RING_PX = 9  # a 500 m circle is a few pixels at island zoom: ring it on screen too
ACTIVE_COLOUR = QColor("#c0392b")
PROPOSED_COLOUR = QColor("#d35400")
LABEL_PT = 8.5


class IncidentLayer:
    def __init__(self, scene):
        self._group = LayerGroup(Z_INCIDENTS)
        self._label_group = LayerGroup(Z_INCIDENT_LABELS)
        scene.addItem(self._group)
        scene.addItem(self._label_group)
        self.circles: list[QGraphicsEllipseItem] = []
        self.labels: list[str] = []

    def set_incidents(self, incidents: list, proposals: list) -> None:
        """``incidents``: services.incidents.IncidentView; ``proposals``: IncidentProposal."""
        self._group.clear()
        self._label_group.clear()
        self.circles, self.labels = [], []
        for incident in incidents:
            members = len(incident.member_ids)
            self._add(incident, f"{incident.number} · {members} {tr('laporan')}", True)
        for proposal in proposals:
            if proposal.incident_id is not None:
                continue  # a joiner: the incident's own circle is already there
            text = f"{tr('usulan padam meluas')} · {len(proposal.member_ids)} {tr('laporan')}"
            self._add(proposal, text, False)

    def _add(self, shape, text: str, confirmed: bool) -> None:
        centre = scene_point(shape.lon, shape.lat)
        radius = float(shape.radius_m)
        circle = QGraphicsEllipseItem(
            QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius)
        )
        colour = ACTIVE_COLOUR if confirmed else PROPOSED_COLOUR
        pen = QPen(colour, 2.5 if confirmed else 2.0)
        pen.setCosmetic(True)  # pixels, whatever the zoom
        pen.setStyle(Qt.PenStyle.SolidLine if confirmed else Qt.PenStyle.DashLine)
        circle.setPen(pen)
        fill = QColor(colour)
        fill.setAlpha(40 if confirmed else 18)
        circle.setBrush(QBrush(fill))
        circle.setToolTip(text)
        circle.setParentItem(self._group)
        self.circles.append(circle)
        self._ring(centre.x(), centre.y(), pen)
        self._label(centre.x(), centre.y() - radius, text, colour)

    def _ring(self, x: float, y: float, pen: QPen) -> None:
        r = MIN_RING_PX
        ring = QGraphicsEllipseItem(QRectF(-r, -r, 2 * r, 2 * r))
        ring.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        ring.setPen(pen)
        ring.setPos(x, y)
        ring.setParentItem(self._group)

    def _label(self, x: float, y: float, text: str, colour: QColor) -> None:
        font = QFont("DejaVu Sans")
        font.setPointSizeF(LABEL_PT)
        font.setBold(True)
        path = QPainterPath()
        path.addText(0, 0, font, text)
        box = path.boundingRect()
        # Centred just above the circle's top, in screen pixels (the items ignore the
        # view's zoom); a white halo under the letters keeps them readable over pins.
        path.translate(-box.width() / 2 - box.left(), -box.bottom() - MIN_RING_PX - 2)
        halo = QPen(QColor(255, 255, 255, 230), 3.5)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for pen, brush in (
            (halo, QBrush(Qt.BrushStyle.NoBrush)),
            (QPen(Qt.PenStyle.NoPen), colour),
        ):
            item = QGraphicsPathItem(path)
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            item.setPen(pen)
            item.setBrush(QBrush(brush) if isinstance(brush, QColor) else brush)
            item.setPos(x, y)
            item.setToolTip(text)
            item.setParentItem(self._label_group)
        self.labels.append(text)
