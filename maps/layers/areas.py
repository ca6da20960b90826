"""ULP areas (soft fills, names) and district boundaries (thin lines)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QPen
from PySide6.QtWidgets import QGraphicsPathItem
from shapely.ops import polylabel

from maps import style
from maps.layers.base import LayerGroup
from maps.layers.text import HaloLabel
from maps.projection import geometry_path, scene_point
from services.queries import AreaShape

log = logging.getLogger(__name__)

# ULP names over pins and posko (their halo keeps them readable on the icons), under
# crews: live work stays on top.
Z_FILLS, Z_DISTRICTS, Z_DISTRICT_LABELS, Z_LABELS = 0, 1, 29, 55
SMALL_AREA_DEG = 0.3  # about 33 km: smaller areas are labelled beside themselves


class AreaLayer:
    def __init__(self, scene):
        self._fills = LayerGroup(Z_FILLS)
        self._lines = LayerGroup(Z_DISTRICTS)
        self._labels = LayerGroup(Z_LABELS)
        self._district_labels = LayerGroup(Z_DISTRICT_LABELS)
        self._district_labels.setVisible(False)
        for group in (self._fills, self._lines, self._labels, self._district_labels):
            scene.addItem(group)
        self.ulp_items: dict[str, QGraphicsPathItem] = {}
        self.ulp_labels: dict[str, HaloLabel] = {}

    def set_areas(self, areas: list[AreaShape]) -> None:
        for group in (self._fills, self._lines, self._labels, self._district_labels):
            group.clear()
        self.ulp_items.clear()
        self.ulp_labels.clear()
        for area in areas:
            if area.kind == "ulp":
                self._add_ulp(area)
            else:
                self._add_district(area)
        log.debug("Area layer: %d ULP, %d items", len(self.ulp_items), len(areas))

    def _add_ulp(self, area: AreaShape) -> None:
        item = QGraphicsPathItem(geometry_path(area.geometry), self._fills)
        pen = QPen(style.ulp_edge(area.name), 1.6)
        pen.setCosmetic(True)  # a hairline at any zoom, not metres wide
        item.setPen(pen)
        item.setBrush(QBrush(style.ulp_fill(area.name)))
        item.setToolTip(f"ULP {area.name}")
        self.ulp_items[area.name] = item

        label = _ulp_label(area)
        label.setParentItem(self._labels)
        self.ulp_labels[area.name] = label

    def _add_district(self, area: AreaShape) -> None:
        item = QGraphicsPathItem(geometry_path(area.geometry), self._lines)
        pen = QPen(style.DISTRICT_LINE, 0.8, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setBrush(Qt.BrushStyle.NoBrush)
        # Lines only: the ULP fill under them must keep its tooltip and the map its pan.
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

        point = polylabel(_largest_part(area.geometry), tolerance=0.001)
        label = HaloLabel(
            f"Kec. {area.name}", scene_point(point.x, point.y), 8.5, colour=style.DISTRICT_TEXT
        )
        label.setParentItem(self._district_labels)

    @property
    def district_labels_visible(self) -> bool:
        return self._district_labels.isVisible()

    def update_for_scale(self, pixels_per_metre: float) -> None:
        """District names once zoomed in a little; at island scale they would crowd."""
        limit = style.DISTRICT_LABEL_MAX_M_PER_PX
        self._district_labels.setVisible(pixels_per_metre > 0 and 1 / pixels_per_metre <= limit)


def _largest_part(geometry):
    if geometry.geom_type == "MultiPolygon":
        return max(geometry.geoms, key=lambda part: part.area)
    return geometry


def _ulp_label(area: AreaShape) -> HaloLabel:
    """Label the largest part of the area where it is widest (its pole of inaccessibility).

    A city-sized area would vanish under its own label and the crews based there, so
    its label goes off its east edge instead (on Bangka: the sea), clear of the ring
    of crew tiles in town.
    """
    geometry = area.geometry
    if geometry.geom_type == "MultiPolygon":
        geometry = max(geometry.geoms, key=lambda part: part.area)
    west, south, east, north = geometry.bounds
    text = area.name.upper()
    if max(east - west, north - south) < SMALL_AREA_DEG:
        anchor = scene_point(east, (south + north) / 2)
        return HaloLabel(text, anchor, 12, bold=True, offset=QPointF(40, 0))
    point = polylabel(geometry, tolerance=0.002)
    return HaloLabel(text, scene_point(point.x, point.y), 12, bold=True)


def ulp_bounds(areas: list[AreaShape]) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds of all ULP areas together, or None when there are none."""
    boxes = [a.geometry.bounds for a in areas if a.kind == "ulp"]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
