"""Longitude/latitude to scene coordinates: UTM 48S metres with y flipped.

Scene x = easting and scene y = -northing, so north is up on screen without any
view transform that would also flip text and sprites.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath, QPolygonF
from shapely.geometry.base import BaseGeometry

from comcen_desktop.geo import to_utm

# Bangka island in lon/lat, used until the areas are loaded (they give the real bounds).
BANGKA_LONLAT = (105.10, -3.14, 107.10, -1.50)
FRAME_MARGIN_DEG = 0.03  # a little sea around the island in the whole-island view


def scene_xy(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project arrays of lon/lat to scene x/y arrays."""
    east, north = to_utm(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(east, dtype=float), -np.asarray(north, dtype=float)


def scene_point(lon: float, lat: float) -> QPointF:
    east, north = to_utm(lon, lat)
    return QPointF(float(east), -float(north))


def scene_rect_of_lonlat(west: float, south: float, east: float, north: float) -> QRectF:
    xs, ys = scene_xy([west, east, west, east], [south, south, north, north])
    return QRectF(QPointF(xs.min(), ys.min()), QPointF(xs.max(), ys.max()))


def island_rect(bounds: tuple[float, float, float, float] = BANGKA_LONLAT) -> QRectF:
    """Scene rectangle framing lon/lat ``bounds`` with a margin of sea."""
    west, south, east, north = bounds
    m = FRAME_MARGIN_DEG
    return scene_rect_of_lonlat(west - m, south - m, east + m, north + m)


def geometry_path(geometry: BaseGeometry) -> QPainterPath:
    """A painter path of a (multi)polygon or (multi)line given in lon/lat."""
    path = QPainterPath()
    path.setFillRule(path.fillRule().OddEvenFill)
    for ring, closed in _rings(geometry):
        xs, ys = scene_xy(*np.asarray(ring.coords).T[:2])
        polygon = QPolygonF([QPointF(x, y) for x, y in zip(xs, ys, strict=True)])
        if closed:
            path.addPolygon(polygon)
            path.closeSubpath()
        else:
            path.addPolygon(polygon)
    return path


def _rings(geometry: BaseGeometry):
    kind = geometry.geom_type
    if kind == "Polygon":
        yield geometry.exterior, True
        for hole in geometry.interiors:
            yield hole, True
    elif kind in ("MultiPolygon", "MultiLineString", "GeometryCollection"):
        for part in geometry.geoms:
            yield from _rings(part)
    elif kind in ("LineString", "LinearRing"):
        yield geometry, False


def fit_aspect(source: QRectF, target: QRectF) -> QRectF:
    """Widen ``source`` to the target's aspect, keeping its centre: sea, not distortion."""
    ratio = target.width() / target.height()
    fitted = QRectF(source)
    if source.width() / source.height() < ratio:
        fitted.setWidth(source.height() * ratio)
    else:
        fitted.setHeight(source.width() / ratio)
    fitted.moveCenter(source.center())
    return fitted
