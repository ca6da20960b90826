"""Pre-rendered pin sprites: one small pixmap per (stage, age class, selected).

Pins are blitted, never drawn shape by shape: rendering the 48 sprites once per
device pixel ratio and size is what makes 10,000 pins cheap to paint.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap

from comcen_desktop.domain import (
    AGE_COLOURS,
    AGE_LATE,
    AGE_OK,
    AGE_WARN,
    CLOSED_STAGES,
    STAGE_COLOURS,
    Stage,
)
from maps import style

STAGES = list(Stage)
AGES = [AGE_OK, AGE_WARN, AGE_LATE]
SPRITES_PER_STATE = len(STAGES) * len(AGES)
SELECTED_GROWTH = 1.35  # selected pin body relative to a normal one
CLOSED_SHRINK = 0.65  # Selesai/Batal pin body relative to an open one
HALO_GROWTH = 2.3  # halo disc diameter relative to a normal pin
HALO_FILL = QColor(0, 140, 255, 80)
HALO_EDGE = QColor(0, 90, 200, 230)
OUTLINE = QColor(20, 20, 20, 190)


def sprite_index(stage: Stage, age: str) -> int:
    """Index of the unselected sprite; +SPRITES_PER_STATE gives the selected one."""
    age_i = AGES.index(age) if age in AGES else 0
    return STAGES.index(stage) * len(AGES) + age_i


class SpriteSet:
    """The sprites for one pixel ratio and size, with their logical half-extents."""

    def __init__(self, diameter: float, dpr: float):
        self.diameter = diameter
        self.dpr = dpr
        self.normal_extent = math.ceil(diameter + 4)
        self.selected_extent = math.ceil(diameter * HALO_GROWTH + 4)
        self.pixmaps: list[QPixmap] = []
        for selected in (False, True):
            for stage in STAGES:
                for age in AGES:
                    self.pixmaps.append(self._render(stage, age, selected))

    @property
    def max_half(self) -> float:
        return self.selected_extent / 2

    def half(self, selected: bool) -> float:
        return (self.selected_extent if selected else self.normal_extent) / 2

    def _render(self, stage: Stage, age: str, selected: bool) -> QPixmap:
        extent = self.selected_extent if selected else self.normal_extent
        pixmap = QPixmap(round(extent * self.dpr), round(extent * self.dpr))
        pixmap.setDevicePixelRatio(self.dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = QPointF(extent / 2, extent / 2)
        diameter = self.diameter
        if stage in CLOSED_STAGES:
            # Closed reports are context, not work: smaller so open pins stand out.
            diameter *= CLOSED_SHRINK
        if selected:
            _paint_halo(painter, centre, self.diameter * HALO_GROWTH / 2)
            diameter *= SELECTED_GROWTH
        paint_pin(painter, centre, diameter, QColor(STAGE_COLOURS[stage]), age)
        painter.end()
        return pixmap


def paint_pin(painter: QPainter, centre: QPointF, diameter: float, fill: QColor, age: str):
    """Stage-coloured body inside a ring whose colour and width tell the age class."""
    radius = diameter / 2
    ring = {AGE_OK: 0.16, AGE_WARN: 0.24, AGE_LATE: 0.28}.get(age, 0.16) * diameter
    painter.setPen(QPen(OUTLINE, 1.0))
    painter.setBrush(QColor(AGE_COLOURS.get(age, "#ffffff")))
    painter.drawEllipse(centre, radius, radius)
    painter.setPen(QPen(QColor(0, 0, 0, 110), 0.8))
    painter.setBrush(fill)
    inner = max(radius - ring, radius * 0.35)
    painter.drawEllipse(centre, inner, inner)


def _paint_halo(painter: QPainter, centre: QPointF, radius: float) -> None:
    painter.setPen(QPen(HALO_EDGE, 2.0))
    painter.setBrush(HALO_FILL)
    painter.drawEllipse(centre, radius - 1, radius - 1)


class PinSprites:
    """Sprite sets made on demand per (device pixel ratio, size) and kept."""

    def __init__(self, diameter: float = style.PIN_DIAMETER_PX):
        self.diameter = diameter
        self._sets: dict[tuple[float, float], SpriteSet] = {}

    def for_device(self, dpr: float, scale: float = 1.0) -> SpriteSet:
        key = (round(dpr, 3), round(scale, 3))
        if key not in self._sets:
            self._sets[key] = SpriteSet(self.diameter * scale, dpr)
        return self._sets[key]
