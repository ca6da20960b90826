"""Projection between WGS84 longitude/latitude and UTM zone 48S (metres).

UTM 48S (EPSG:32748) covers Bangka with under 0.1 % scale error, so straight-line
distances in it are good enough for dispatch and scale bars.

Every transform runs on one dedicated Python thread. pyproj builds a transformer per
calling thread, and building one from a QThread (the console's simulation and
proposal workers) segfaulted here every time, while plain Python threads were fine.
Funnelling all calls through one such thread keeps pyproj and removes the crash.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np
from pyproj import Transformer

WGS84 = "EPSG:4326"
UTM48S = "EPSG:32748"

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comcen-proj")
_proj_thread: list[threading.Thread] = []


@cache
def _forward() -> Transformer:
    return Transformer.from_crs(WGS84, UTM48S, always_xy=True)


@cache
def _inverse() -> Transformer:
    return Transformer.from_crs(UTM48S, WGS84, always_xy=True)


def _on_proj_thread(function, *args):
    if _proj_thread and threading.current_thread() is _proj_thread[0]:
        return function(*args)
    return _executor.submit(_run_marked, function, *args).result()


def _run_marked(function, *args):
    if not _proj_thread:
        _proj_thread.append(threading.current_thread())
    return function(*args)


def to_utm(lon, lat):
    """Project longitude/latitude (scalars or arrays) to UTM easting/northing."""
    return _on_proj_thread(lambda a, b: _forward().transform(a, b), lon, lat)


def to_lonlat(easting, northing):
    return _on_proj_thread(lambda a, b: _inverse().transform(a, b), easting, northing)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x1, y1 = to_utm(lon1, lat1)
    x2, y2 = to_utm(lon2, lat2)
    return float(np.hypot(x2 - x1, y2 - y1))
