"""Crew markers: status-coloured tiles with a vehicle glyph that take report drops.

Several crews share a posko, and town posko lie a few hundred metres apart, so
markers that would overlap at the current zoom fan out on a ring in device pixels;
every crew stays a separate drop target at any zoom.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable
from html import escape

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem

from comcen_desktop.domain import CREW_STATUS_COLOURS, CREW_STATUS_LABELS, CrewStatus
from maps import style
from maps.dnd import decode_reports
from maps.layers.base import LayerGroup
from maps.layers.hint import DropHint
from maps.projection import scene_point
from services.queries import CrewView

log = logging.getLogger(__name__)

Z_CREWS = 60  # over pins: a crew is a drop target and must never be covered
# Crews still sit over pins, so their tiles are slightly translucent: a new Lapor pin
# (red) under a tile shows through it and stays findable; the fan ring also keeps
# tiles off their posko. Drawing single pins above crews would split the batched pin
# item (maps.layers.pins) and cost its frame time.
CREW_OPACITY = 0.82
ALLOWED_RING = QColor("#27ae60")
REFUSED_RING = QColor("#c0392b")
PROPOSED_RING = QColor("#2e86ab")
STALE_GREY = QColor("#7f8c8d")
FAN_RADIUS_PX = 20

DropChecker = Callable[[list[int], int], "str | None"]


def status_colour(status: str) -> QColor:
    try:
        return QColor(CREW_STATUS_COLOURS[CrewStatus(status)])
    except ValueError:
        return QColor("#7f8c8d")


def status_label(status: str) -> str:
    try:
        return CREW_STATUS_LABELS[CrewStatus(status)]
    except ValueError:
        return status


def paint_crew_symbol(painter: QPainter, rect: QRectF, colour: QColor, vehicle: str) -> None:
    """A rounded tile in the status colour with a white car or motorbike on it."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#ffffff"), max(1.2, rect.width() / 14)))
    painter.setBrush(colour)
    corner = rect.width() * 0.22
    painter.drawRoundedRect(rect, corner, corner)
    painter.translate(rect.center())
    if vehicle == "motor":
        _paint_motorbike(painter, rect.width())
    else:
        _paint_car(painter, rect.width(), colour)
    painter.restore()


def _paint_car(painter: QPainter, s: float, colour: QColor) -> None:
    body = QPainterPath()
    body.addRoundedRect(QRectF(-0.36 * s, -0.04 * s, 0.72 * s, 0.22 * s), 0.05 * s, 0.05 * s)
    cabin = QPainterPath()
    cabin.moveTo(-0.22 * s, -0.03 * s)
    cabin.lineTo(-0.13 * s, -0.22 * s)
    cabin.lineTo(0.13 * s, -0.22 * s)
    cabin.lineTo(0.23 * s, -0.03 * s)
    cabin.closeSubpath()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#ffffff"))
    painter.drawPath(body.united(cabin))
    painter.setPen(QPen(QColor("#ffffff"), 0.05 * s))
    painter.setBrush(colour.darker(150))
    for x in (-0.2 * s, 0.2 * s):
        painter.drawEllipse(QPointF(x, 0.2 * s), 0.085 * s, 0.085 * s)


def _paint_motorbike(painter: QPainter, s: float) -> None:
    pen = QPen(QColor("#ffffff"), 0.07 * s)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    rear, front = QPointF(-0.22 * s, 0.14 * s), QPointF(0.22 * s, 0.14 * s)
    for wheel in (rear, front):
        painter.drawEllipse(wheel, 0.12 * s, 0.12 * s)
    frame = QPainterPath(rear)
    frame.lineTo(QPointF(-0.02 * s, 0.12 * s))
    frame.lineTo(QPointF(0.12 * s, -0.08 * s))
    frame.lineTo(front)
    painter.drawPath(frame)
    painter.drawLine(QPointF(-0.18 * s, -0.06 * s), QPointF(0.04 * s, -0.06 * s))
    painter.drawLine(QPointF(0.12 * s, -0.08 * s), QPointF(0.08 * s, -0.24 * s))


def crew_tooltip(crew: CrewView) -> str:
    job = escape(crew.current_report) if crew.current_report else "–"
    silent = getattr(crew, "silent_min", None)
    stale = ""
    if getattr(crew, "stale", False):
        since = f" {silent:.0f} mnt" if silent is not None else ""
        stale = f"<br><i>Tidak ada kabar posisi{since}</i>"
    return (
        f"<b>{escape(crew.name)}</b> ({escape(crew.code)})<br>"
        f"Status: {escape(status_label(crew.status))}<br>"
        f"Posko: {escape(crew.posko)} (ULP {escape(crew.ulp)})<br>"
        f"Kendaraan: {escape(crew.vehicle)}, {crew.members} orang<br>"
        f"Tugas sekarang: {job}<br>Antrean: {len(crew.queue)} pekerjaan{stale}"
    )


def paint_stale_overlay(painter: QPainter, rect: QRectF) -> None:
    """A crew not heard from: the tile washed out, a dashed grey ring, a clock badge."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 120))
    corner = rect.width() * 0.22
    painter.drawRoundedRect(rect, corner, corner)
    pen = QPen(STALE_GREY, 2.0, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), corner + 2, corner + 2)
    radius = rect.width() * 0.24
    centre = QPointF(rect.right(), rect.top())
    painter.setPen(QPen(QColor("#ffffff"), 1.2))
    painter.setBrush(STALE_GREY)
    painter.drawEllipse(centre, radius, radius)
    painter.drawLine(centre, centre + QPointF(0, -radius * 0.6))
    painter.drawLine(centre, centre + QPointF(radius * 0.5, 0))
    painter.restore()


class CrewMarker(QGraphicsItem):
    """One crew; drawn in device pixels at ``offset`` from its map position."""

    def __init__(self, layer: CrewLayer, crew: CrewView, offset: QPointF):
        super().__init__()
        self._layer = layer
        self.crew = crew
        self.offset = offset
        self.highlight: QColor | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptDrops(True)
        self.setPos(scene_point(crew.lon, crew.lat))
        self.setToolTip(crew_tooltip(crew))

    @property
    def crew_id(self) -> int:
        return self.crew.id

    def tile_rect(self) -> QRectF:
        size = style.CREW_SIZE_PX
        return QRectF(self.offset.x() - size / 2, self.offset.y() - size / 2, size, size)

    def boundingRect(self) -> QRectF:
        return self.tile_rect().adjusted(-8, -8, 8, 8)  # rings and the stale badge

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.tile_rect().adjusted(-2, -2, 2, 2))
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = self.tile_rect()
        if self.highlight is not None:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(self.highlight, 3.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 7, 7)
            painter.restore()
        paint_crew_symbol(painter, rect, status_colour(self.crew.status), self.crew.vehicle)
        if getattr(self.crew, "stale", False):
            paint_stale_overlay(painter, rect)

    def set_offset(self, offset: QPointF) -> None:
        if offset != self.offset:
            self.prepareGeometryChange()
            self.offset = offset

    def set_highlight(self, colour: QColor | None) -> None:
        self.highlight = colour
        self.update()

    # Drops: the layer decides; the marker only forwards and shows feedback.
    def dragEnterEvent(self, event) -> None:
        ids = decode_reports(event.mimeData())
        if not ids:
            event.ignore()
            return
        self._layer.preview_drop(self, ids)
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragMoveEvent(self, event) -> None:
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragLeaveEvent(self, event) -> None:
        self._layer.end_preview(self)

    def dropEvent(self, event) -> None:
        ids = decode_reports(event.mimeData())
        self._layer.end_preview(self)
        if not ids:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self._layer.drop(self, ids)


class CrewLayer(QObject):
    """Crew markers plus the drop rules; the view re-emits these signals."""

    reportsDropped = Signal(list, int)
    dropRefused = Signal(str)

    def __init__(self, scene, parent: QObject | None = None):
        super().__init__(parent)
        self._group = LayerGroup(Z_CREWS)
        self._group.setOpacity(CREW_OPACITY)
        scene.addItem(self._group)
        self._hint = DropHint()
        scene.addItem(self._hint)
        self.markers: dict[int, CrewMarker] = {}
        self.checker: DropChecker | None = None
        self.describe_reports: Callable[[list[int]], str] = _default_describe

    def set_crews(self, crews: list[CrewView], transform: QTransform | None = None) -> None:
        self._group.clear()
        self.markers = {}
        for crew in crews:
            if crew.lon is None or crew.lat is None:
                continue
            marker = CrewMarker(self, crew, QPointF())
            marker.setParentItem(self._group)
            self.markers[crew.id] = marker
        self.relayout(transform or QTransform())

    def relayout(self, transform: QTransform) -> None:
        """Fan out crews that overlap at this zoom (scene -> device ``transform``)."""
        markers = list(self.markers.values())
        anchors = [transform.map(m.pos()) for m in markers]
        for marker, offset in zip(markers, fan_offsets(anchors), strict=True):
            marker.set_offset(offset)

    def check(self, ids: list[int], crew_id: int) -> str | None:
        if self.checker is None:
            return None
        return self.checker(list(ids), crew_id)

    def preview_drop(self, marker: CrewMarker, ids: list[int]) -> None:
        reason = self.check(ids, marker.crew_id)
        if reason is None:
            text = f"Tugaskan {self.describe_reports(ids)} ke {marker.crew.name}"
            if marker.crew.current_report:
                # A busy crew keeps its job: say so before the drop, not after.
                text += f" (masuk antrean; {marker.crew.current_report} tetap dikerjakan)"
            marker.set_highlight(ALLOWED_RING)
        else:
            text = reason
            marker.set_highlight(REFUSED_RING)
        self._hint.show_at(marker, text, allowed=reason is None)

    def end_preview(self, marker: CrewMarker) -> None:
        marker.set_highlight(None)
        self._hint.hide()

    def drop(self, marker: CrewMarker, ids: list[int]) -> None:
        reason = self.check(ids, marker.crew_id)
        if reason is not None:
            log.info("Drop of %s on crew %s refused: %s", ids, marker.crew_id, reason)
            self.dropRefused.emit(reason)
            return
        self.reportsDropped.emit(list(ids), marker.crew_id)


def _default_describe(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def fan_offsets(anchors: list[QPointF]) -> list[QPointF]:
    """Device offsets that put markers of nearby anchors on one shared ring.

    Groups whose rings would touch are merged until none do; each group's ring is
    centred on its mean anchor and large enough for all of its tiles.
    """
    groups = [[i] for i in range(len(anchors))]
    merged = True
    while merged:
        merged = False
        for a, b in itertools.combinations(range(len(groups)), 2):
            if _rings_touch(anchors, groups[a], groups[b]):
                groups[a] += groups.pop(b)
                merged = True
                break
    offsets = [QPointF()] * len(anchors)
    for group in groups:
        centre, radius = _centre(anchors, group), _ring_radius(len(group))
        for slot, index in enumerate(group):
            # Start to the upper right so a lone crew does not hide its posko symbol.
            angle = -math.pi / 4 + 2 * math.pi * slot / len(group)
            ring = QPointF(radius * math.cos(angle), radius * math.sin(angle))
            offsets[index] = centre + ring - anchors[index]
    return offsets


def _centre(anchors: list[QPointF], group: list[int]) -> QPointF:
    return sum((anchors[i] for i in group), QPointF()) / len(group)


def _ring_radius(count: int) -> float:
    # Chords of 1.6 tiles: square tiles on a ring then clear each other diagonally too.
    return max(FAN_RADIUS_PX, count * style.CREW_SIZE_PX * 1.6 / (2 * math.pi))


def _rings_touch(anchors: list[QPointF], first: list[int], second: list[int]) -> bool:
    gap = _centre(anchors, first) - _centre(anchors, second)
    reach = _ring_radius(len(first)) + _ring_radius(len(second)) + 1.5 * style.CREW_SIZE_PX
    return math.hypot(gap.x(), gap.y()) < reach
