"""Projection between WGS84 longitude/latitude and UTM zone 48S (metres).

UTM 48S (EPSG:32748) covers Bangka with under 0.1 % scale error, so straight-line
distances in it are good enough for dispatch and scale bars.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer

WGS84 = "EPSG:4326"
UTM48S = "EPSG:32748"


@cache
def _forward() -> Transformer:
    return Transformer.from_crs(WGS84, UTM48S, always_xy=True)


@cache
def _inverse() -> Transformer:
    return Transformer.from_crs(UTM48S, WGS84, always_xy=True)


def to_utm(lon, lat):
    """Project longitude/latitude (scalars or arrays) to UTM easting/northing."""
    return _forward().transform(lon, lat)


def to_lonlat(easting, northing):
    return _inverse().transform(easting, northing)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x1, y1 = to_utm(lon1, lat1)
    x2, y2 = to_utm(lon2, lat2)
    return float(np.hypot(x2 - x1, y2 - y1))
