"""Frame-time benchmark of the pin layer against one item per pin.

Run: QT_QPA_PLATFORM=offscreen python -m maps.bench
Frames are painted into a 1920×1080 image through the view's own paint path.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsScene

from maps.layers.sprites import SPRITES_PER_STATE
from maps.projection import scene_xy
from maps.qt_map_view import QtMapView
from maps.snapshot import ensure_app

WIDTH, HEIGHT = 1920, 1080
LON, LAT = (105.15, 106.85), (-3.05, -1.55)


def random_lonlat(count: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The benchmark's pins in lon/lat (the Leaflet comparison draws the same ones)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(*LON, count), rng.uniform(*LAT, count)


def random_points(count: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    return scene_xy(*random_lonlat(count, seed))


def make_view(size: tuple[int, int] = (WIDTH, HEIGHT)) -> QtMapView:
    view = QtMapView()
    view.resize(*size)
    # Shown (offscreen, nothing appears): a hidden view keeps its default viewport size.
    view.show()
    view.fit_island()
    view.zoom_in()  # a working zoom: most but not all of the island on screen
    return view


def frame_times(view, frames: int, before_frame: Callable[[int], None]) -> list[float]:
    width, height = view.viewport().width(), view.viewport().height()
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    for frame in range(frames + 2):
        before_frame(frame)
        painter = QPainter(image)
        start = time.perf_counter()
        view.render(painter, QRectF(0, 0, width, height), view.viewport().rect())
        painter.end()
        if frame >= 2:  # the first frames build sprites and caches
            times.append((time.perf_counter() - start) * 1000)
    return times


def batched(
    count: int, frames: int, panning: bool, size: tuple[int, int] = (WIDTH, HEIGHT)
) -> list[float]:
    view = make_view(size)
    x, y = random_points(count)
    kinds = np.random.default_rng(2).integers(0, SPRITES_PER_STATE, count)
    view.pins.set_points(x, y, kinds)

    def step(frame: int) -> None:
        if panning:
            view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 7)
        else:  # a zoom change each frame defeats the device-coordinate cache
            view.scale(1.001 if frame % 2 else 1 / 1.001, 1.001 if frame % 2 else 1 / 1.001)

    try:
        assert view.viewport().width() == size[0], view.viewport().size()
        times = frame_times(view, frames, step)
        print(f"  ({view.pins.last_blit_count:,} of {count:,} pins on screen)")
        return times
    finally:
        view.close()
        view.deleteLater()


def per_item(count: int, frames: int) -> list[float]:
    view = make_view()
    scene: QGraphicsScene = view.scene()
    x, y = random_points(count)
    pen, brush = QPen(QColor("#222222")), QBrush(QColor("#d7263d"))
    for px, py in zip(x.tolist(), y.tolist(), strict=True):
        item = QGraphicsEllipseItem(-6, -6, 12, 12)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setPos(px, py)
        item.setPen(pen)
        item.setBrush(brush)
        scene.addItem(item)

    def step(frame: int) -> None:
        view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + 7)

    try:
        assert view.viewport().width() == WIDTH, view.viewport().size()
        return frame_times(view, frames, step)
    finally:
        view.close()
        view.deleteLater()


def describe(label: str, times: list[float]) -> str:
    median = statistics.median(times)
    q1, _, q3 = statistics.quantiles(times, n=4)
    return (
        f"{label:<42} median {median:6.1f} ms   IQR {q1:5.1f}–{q3:5.1f} ms   "
        f"min {min(times):5.1f}  max {max(times):5.1f}  (n={len(times)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20)
    args = parser.parse_args(argv)
    ensure_app()
    print(f"{WIDTH}×{HEIGHT} offscreen, island zoomed one step, {args.frames} frames")
    for count in (1_000, 10_000, 50_000):
        print(describe(f"batched, full redraw, {count:,} pins", batched(count, args.frames, False)))
        print(describe(f"batched, panning, {count:,} pins", batched(count, args.frames, True)))
    print(describe("one QGraphicsEllipseItem per pin, 10,000", per_item(10_000, args.frames)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
