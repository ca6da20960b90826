"""All report pins in one item: numpy maps them to device pixels, sprites are blitted.

Measured at 10,000 pins (DESIGN.md): one item per pin or one drawPoints call both
cost ~60 ms a frame; this layer costs a fraction of that. drawPixmapFragments would
look like the batch call to use, but PySide6 6.11 passes one fragment per call.
"""

from __future__ import annotations

import logging

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem

from comcen_desktop.domain import STAGE_ORDER, Stage
from maps.layers.sprites import SPRITES_PER_STATE, PinSprites, sprite_index
from maps.projection import scene_xy
from services.queries import ReportView

log = logging.getLogger(__name__)

Z_PINS = 45  # over posko, under crews (see maps.layers.posko for the whole order)
# Pins keep their screen size, so the item's scene bounds must hold a sprite's half
# width in metres at the most zoomed-out view the map allows (~1 km at 100 px/km).
BOUNDS_MARGIN_M = 25_000.0
PICK_SLACK_PX = 3.0


def draw_rank(report: ReportView) -> int:
    """Higher ranks are drawn later (on top): earlier stage and older first."""
    stage_rank = len(STAGE_ORDER) - (
        STAGE_ORDER.index(report.stage) if report.stage in STAGE_ORDER else 0
    )
    return stage_rank * 3 + {"ok": 0, "warn": 1, "late": 2}.get(report.age_class, 0)


class PinLayer(QGraphicsItem):
    def __init__(self, sprites: PinSprites | None = None):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the view hit-tests
        self.setZValue(Z_PINS)
        self.sprites = sprites or PinSprites()
        self.pin_scale = 1.0
        self.min_sprite_dpr = 1.0  # raised for print so sprites stay crisp on paper
        self._set_arrays(np.empty(0), np.empty(0), np.empty(0, np.int32), np.empty(0, np.int64))
        self._bounds = QRectF()
        self._selected = np.zeros(0, dtype=bool)
        self._cache_key: tuple | None = None
        self._cache: tuple[np.ndarray, np.ndarray] | None = None
        self.frames_painted = 0
        self.last_blit_count = 0  # pins drawn by the last paint: for tests and the bench

    # --- data -------------------------------------------------------------------
    def _set_arrays(self, x, y, sprite, ids) -> None:
        self.x, self.y, self.sprite, self.ids = x, y, sprite, ids
        self._row_of = {int(i): n for n, i in enumerate(ids)}

    def set_reports(self, reports: list[ReportView]) -> None:
        placed = [r for r in reports if r.lon is not None and r.lat is not None]
        placed.sort(key=draw_rank)
        x, y = scene_xy([r.lon for r in placed], [r.lat for r in placed])
        sprite = np.array([sprite_index(Stage(r.stage), r.age_class) for r in placed], np.int32)
        ids = np.array([r.id for r in placed], dtype=np.int64)
        self.prepareGeometryChange()
        self._set_arrays(x.reshape(-1), y.reshape(-1), sprite, ids)
        self._bounds = self._compute_bounds()
        self._selected = np.zeros(len(ids), dtype=bool)
        self._cache_key = None
        log.debug(
            "Pin layer holds %d pins (%d reports without a place)",
            len(ids),
            len(reports) - len(ids),
        )
        self.update()

    def set_points(self, x: np.ndarray, y: np.ndarray, sprite: np.ndarray) -> None:
        """Raw scene points, for the benchmark: ids are the row numbers."""
        order = np.argsort(sprite, kind="stable")
        self.prepareGeometryChange()
        self._set_arrays(
            x[order],
            y[order],
            sprite[order].astype(np.int32),
            np.arange(len(x), dtype=np.int64)[order],
        )
        self._bounds = self._compute_bounds()
        self._selected = np.zeros(len(x), dtype=bool)
        self._cache_key = None

    def _compute_bounds(self) -> QRectF:
        if len(self.x) == 0:
            return QRectF()
        rect = QRectF(QPointF(self.x.min(), self.y.min()), QPointF(self.x.max(), self.y.max()))
        return rect.adjusted(-BOUNDS_MARGIN_M, -BOUNDS_MARGIN_M, BOUNDS_MARGIN_M, BOUNDS_MARGIN_M)

    def report_ids(self) -> list[int]:
        return [int(i) for i in self.ids]

    def scene_pos_of(self, report_id: int) -> QPointF | None:
        row = self._row_of.get(report_id)
        return None if row is None else QPointF(self.x[row], self.y[row])

    def sprite_of(self, report_id: int) -> int:
        row = self._row_of.get(report_id)
        return 0 if row is None else int(self.sprite[row])

    def set_selected(self, ids) -> None:
        wanted = {int(i) for i in ids}
        self._selected = (
            np.isin(self.ids, list(wanted)) if wanted else np.zeros(len(self.ids), dtype=bool)
        )
        self.update()

    def selected_ids(self) -> list[int]:
        return [int(i) for i in self.ids[self._selected]]

    def set_output(self, pin_scale: float = 1.0, min_sprite_dpr: float = 1.0) -> None:
        """Size pins for an output other than the screen (print, big snapshot)."""
        self.pin_scale = pin_scale
        self.min_sprite_dpr = min_sprite_dpr
        self._cache_key = None
        self.update()

    # --- geometry in device pixels -------------------------------------------------
    def device_coords(self, t: QTransform) -> tuple[np.ndarray, np.ndarray]:
        """Every pin's position under transform ``t`` (scene -> device)."""
        if t.m12() or t.m21():  # the map never rotates; stay correct if someone does
            return (
                self.x * t.m11() + self.y * t.m21() + t.dx(),
                self.x * t.m12() + self.y * t.m22() + t.dy(),
            )
        key = (t.m11(), t.m22(), id(self.x))
        if key != self._cache_key:
            # Scaled coordinates depend only on zoom: panning just adds an offset.
            self._cache = (self.x * t.m11(), self.y * t.m22())
            self._cache_key = key
        sx, sy = self._cache
        return sx + t.dx(), sy + t.dy()

    def pick(self, t: QTransform, pos: QPointF, tolerance_px: float | None = None):
        """The report id nearest to device point ``pos``, if within the tolerance."""
        if len(self.ids) == 0:
            return None
        px, py = self.device_coords(t)
        d2 = (px - pos.x()) ** 2 + (py - pos.y()) ** 2
        # Among equally near pins the one drawn last (on top) wins.
        row = len(d2) - 1 - int(np.argmin(d2[::-1]))
        limit = tolerance_px if tolerance_px is not None else self.pick_radius()
        return int(self.ids[row]) if d2[row] <= limit * limit else None

    def pick_radius(self) -> float:
        return self.sprites.diameter * self.pin_scale / 2 + PICK_SLACK_PX

    # --- painting ----------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if len(self.ids) == 0:
            return
        t = painter.worldTransform()
        dpr = max(painter.device().devicePixelRatioF(), self.min_sprite_dpr)
        sprites = self.sprites.for_device(dpr, self.pin_scale)
        exposed = option.exposedRect if not option.exposedRect.isEmpty() else self._bounds
        area = t.mapRect(exposed).adjusted(*_grow(sprites.max_half))
        px, py = self.device_coords(t)
        visible = (px >= area.left()) & (px <= area.right())
        visible &= (py >= area.top()) & (py <= area.bottom())
        painter.save()
        painter.resetTransform()  # blit in device pixels: no per-pin scaling
        self.last_blit_count = int(visible.sum())
        self._blit(painter, sprites, px, py, visible, selected=False)
        self._blit(painter, sprites, px, py, visible & self._selected, selected=True)
        painter.restore()
        self.frames_painted += 1

    def _blit(self, painter, sprites, px, py, mask, selected: bool) -> None:
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return
        half = sprites.half(selected)
        xs = np.rint(px[rows] - half).astype(np.int64).tolist()
        ys = np.rint(py[rows] - half).astype(np.int64).tolist()
        kinds = self.sprite[rows] + (SPRITES_PER_STATE if selected else 0)
        # Rows are sorted by draw rank, so equal sprites come in runs.
        starts = np.flatnonzero(np.r_[True, kinds[1:] != kinds[:-1]]).tolist()
        stops = [*starts[1:], len(rows)]
        draw = painter.drawPixmap
        for start, stop in zip(starts, stops, strict=True):
            pixmap = sprites.pixmaps[int(kinds[start])]
            for x, y in zip(xs[start:stop], ys[start:stop], strict=True):
                draw(x, y, pixmap)


def _grow(margin: float) -> tuple[float, float, float, float]:
    return (-margin, -margin, margin, margin)
