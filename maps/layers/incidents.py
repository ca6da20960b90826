"""Padam meluas on the map: a circle around each incident's reports, under the pins.

Dashed for a proposal waiting for the operator, solid for a confirmed incident,
labelled with its number (or "usulan" and the report count). The circle is drawn in
scene metres, so it grows with zoom like the area it covers; the label keeps its
screen size. In a storm many incidents sit in one town, so labels are decluttered
on every zoom: the most important ones are placed first and a label that would
overlap one already placed is hidden (its circle and ring stay, text as tooltip).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from comcen_desktop.i18n import tr
from maps.layers.base import LayerGroup
from maps.projection import scene_point

Z_INCIDENTS = 40  # over village names, under the pins
Z_INCIDENT_LABELS = 65  # over crews: at island zoom crews crowd around an incident
MIN_RING_PX = 9  # a 500 m circle is a few pixels at island zoom: ring it on screen too
ACTIVE_COLOUR = QColor("#c0392b")
PROPOSED_COLOUR = QColor("#d35400")
LABEL_PT = 8.5
# Coarser than this (island and ULP zoom) the short label is used, so more fit.
SHORT_LABEL_MIN_M_PER_PX = 40.0
LABEL_GAP_PX = 2.0  # labels closer than this read as one line


class IncidentLabel(QGraphicsItem):
    """A haloed label above a circle, in device pixels, with a long and a short text."""

    def __init__(self, pos: QPointF, text: str, short: str, colour: QColor, rank: tuple):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setPos(pos)
        self.text, self.short_text, self.rank = text, short, rank
        self._colour = QColor(colour)
        self._paths = {False: _label_path(text), True: _label_path(short)}
        self._short = False
        self.setToolTip(text)

    @property
    def shown_text(self) -> str:
        return self.short_text if self._short else self.text

    def use_short(self, short: bool) -> None:
        if short != self._short:
            self.prepareGeometryChange()
            self._short = short

    def boundingRect(self) -> QRectF:
        return self._paths[self._short].boundingRect().adjusted(-2, -2, 2, 2)

    def device_rect(self, transform: QTransform) -> QRectF:
        """Where the label lands on screen under the scene -> device ``transform``."""
        return self.boundingRect().translated(transform.map(self.pos()))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        halo = QPen(QColor(255, 255, 255, 230), 3.5)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        path = self._paths[self._short]
        painter.strokePath(path, halo)
        painter.fillPath(path, self._colour)


def _label_path(text: str) -> QPainterPath:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(LABEL_PT)
    font.setBold(True)
    path = QPainterPath()
    path.addText(0, 0, font, text)
    box = path.boundingRect()
    # Centred just above the circle's top, clear of the screen-size ring.
    path.translate(-box.width() / 2 - box.left(), -box.bottom() - MIN_RING_PX - 2)
    return path


def short_number(number: str) -> str:
    """ "PM261205-00032" -> "PM …-00032": the running number is what operators say."""
    head, sep, tail = number.rpartition("-")
    return f"{head[:2]} …-{tail}" if sep and len(head) > 2 else number


def label_rank(confirmed: bool, members: int, at: datetime | None) -> tuple:
    """Sort key, smallest first: confirmed, then most reports, then newest."""
    stamp = at.timestamp() if at is not None else 0.0
    return (0 if confirmed else 1, -members, -stamp)


class IncidentLayer:
    def __init__(self, scene):
        self._group = LayerGroup(Z_INCIDENTS)
        self._label_group = LayerGroup(Z_INCIDENT_LABELS)
        scene.addItem(self._group)
        scene.addItem(self._label_group)
        self.circles: list[QGraphicsEllipseItem] = []
        self.labels: list[str] = []
        self.label_items: list[IncidentLabel] = []
        self._transform = QTransform()

    def set_incidents(self, incidents: list, proposals: list) -> None:
        """``incidents``: services.incidents.IncidentView; ``proposals``: IncidentProposal."""
        self._group.clear()
        self._label_group.clear()
        self.circles, self.labels, self.label_items = [], [], []
        for incident in incidents:
            members = len(incident.member_ids)
            text = f"{incident.number} · {members} {tr('laporan')}"
            short = f"{short_number(incident.number)} · {members}"
            rank = label_rank(True, members, incident.started_at)
            self._add(incident, text, short, rank)
        for proposal in proposals:
            if proposal.incident_id is not None:
                continue  # a joiner: the incident's own circle is already there
            members = len(proposal.member_ids)
            text = f"{tr('usulan padam meluas')} · {members} {tr('laporan')}"
            short = f"{tr('usulan')} · {members}"
            self._add(proposal, text, short, label_rank(False, members, proposal.last_at))
        self.declutter(self._transform)

    def _add(self, shape, text: str, short: str, rank: tuple) -> None:
        confirmed = rank[0] == 0
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
        self._ring(centre.x(), centre.y(), pen, text)
        label = IncidentLabel(QPointF(centre.x(), centre.y() - radius), text, short, colour, rank)
        label.setParentItem(self._label_group)
        self.label_items.append(label)
        self.labels.append(text)

    def _ring(self, x: float, y: float, pen: QPen, text: str) -> None:
        r = MIN_RING_PX
        ring = QGraphicsEllipseItem(QRectF(-r, -r, 2 * r, 2 * r))
        ring.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        ring.setPen(pen)
        ring.setPos(x, y)
        ring.setToolTip(text)  # the label may be hidden by decluttering
        ring.setParentItem(self._group)

    def declutter(self, transform: QTransform) -> None:
        """Show labels in rank order, hiding each that would overlap one already shown.

        ``transform`` maps scene to device pixels; only its scale matters, because
        overlaps between items that keep their screen size do not change with panning.
        """
        self._transform = QTransform(transform)
        scale = transform.m11()
        short = scale > 0 and 1 / scale >= SHORT_LABEL_MIN_M_PER_PX
        placed: list[QRectF] = []
        for label in sorted(self.label_items, key=lambda item: item.rank):
            label.use_short(short)
            rect = label.device_rect(transform).adjusted(
                -LABEL_GAP_PX, -LABEL_GAP_PX, LABEL_GAP_PX, LABEL_GAP_PX
            )
            free = not any(rect.intersects(other) for other in placed)
            label.setVisible(free)
            if free:
                placed.append(rect)

    def visible_labels(self) -> list[IncidentLabel]:
        return [label for label in self.label_items if label.isVisible()]
