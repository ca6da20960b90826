"""Headless map snapshots for briefings: PNG (raster) or PDF (vector, via QPdfWriter).

The page is the live view's scene rendered into a target rectangle, plus a header
and a legend panel. Pins come from the same PinLayer as on screen, sized for the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter, QTransform
from PySide6.QtWidgets import QApplication

from comcen_desktop import settings
from comcen_desktop.timeutil import format_wib, utc_now
from maps.legend import LEGEND_WIDTH, Counts, paint_header, paint_legend
from maps.projection import fit_aspect
from maps.qt_map_view import QtMapView
from services import incidents, queries

log = logging.getLogger(__name__)

SUFFIXES = (".png", ".pdf")
PDF_DPI = 96  # one device unit per output pixel, so the layout code is shared
PDF_SPRITE_DPR = 4.0  # pins are bitmaps: render them finely enough for paper
_app: QApplication | None = None


@dataclass
class SnapshotContent:
    areas: list
    villages: list
    posko: list
    crews: list
    reports: list  # open reports and the recently closed ones
    target_min: float
    now: datetime
    closed_hours: float = 0.0
    incidents: list = field(default_factory=list)  # padam meluas, confirmed
    incident_proposals: list = field(default_factory=list)

    def counts(self) -> Counts:
        return Counts.of(self.reports, self.closed_hours, self.incidents, self.incident_proposals)


def ensure_app() -> QApplication:
    """The running QApplication, or a new one (keep QT_QPA_PLATFORM=offscreen headless)."""
    global _app
    app = QApplication.instance()
    if app is None:
        _app = app = QApplication([])
    if not isinstance(app, QApplication):
        raise RuntimeError("A QCoreApplication is running; snapshots need a QApplication.")
    return app


def load_content(database, now: datetime | None = None) -> SnapshotContent:
    now = now or utc_now()
    with database.read() as session:
        return SnapshotContent(
            areas=queries.load_areas(session),
            villages=queries.load_villages(session),
            posko=queries.load_posko(session),
            crews=queries.load_crews(session),
            reports=queries.load_recent_closed(session, now)
            + queries.load_open_reports(session, now),
            target_min=float(settings.get(session, "kpi.rpt_target_min")),
            now=now,
            closed_hours=float(settings.get(session, "map.closed_hours")),
            incidents=incidents.load_active(session),
            incident_proposals=incidents.propose(session, now),
        )


def render_snapshot(
    database, out: Path, width: int = 1600, height: int = 1000, now: datetime | None = None
) -> Path:
    """Render the whole-island map with all open reports to ``out`` (.png or .pdf)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"Cannot write a map snapshot as '{suffix or out.name}': use .png or .pdf."
        )
    if width < 400 or height < 300:
        raise ValueError(f"Snapshot size {width}×{height} is too small (min 400×300).")
    ensure_app()
    content = load_content(database, now)
    view = build_view(content)
    try:
        if suffix == ".png":
            _write_png(view, content, out, width, height)
        else:
            _write_pdf(view, content, out, width, height)
    finally:
        view.deleteLater()
    log.info("Map snapshot written: %s (%d×%d)", out, width, height)
    return out


def build_view(content: SnapshotContent) -> QtMapView:
    view = QtMapView()
    view.set_static(content.areas, content.villages, content.posko)
    view.set_crews(content.crews)
    view.set_reports(content.reports)
    view.set_incidents(content.incidents, content.incident_proposals)
    return view


def _write_png(view, content, out: Path, width: int, height: int) -> None:
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        paint_page(painter, view, content, width, height, sprite_dpr=1.0)
    finally:
        painter.end()
    if not image.save(str(out), "PNG"):
        raise OSError(f"Could not write {out}")


def _write_pdf(view, content, out: Path, width: int, height: int) -> None:
    writer = QPdfWriter(str(out))
    writer.setResolution(PDF_DPI)
    points = QSizeF(width * 72 / PDF_DPI, height * 72 / PDF_DPI)
    writer.setPageSize(QPageSize(points, QPageSize.Unit.Point, "Comcen"))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setTitle("Comcen UP3 Bangka — peta laporan")
    painter = QPainter(writer)
    try:
        # The device is ~width units wide; scale so the layout sees exactly width×height.
        painter.scale(writer.width() / width, writer.height() / height)
        paint_page(painter, view, content, width, height, sprite_dpr=PDF_SPRITE_DPR)
    finally:
        painter.end()
    if not out.exists():
        raise OSError(f"Could not write {out}")


def paint_page(painter, view, content, width: int, height: int, sprite_dpr: float) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    header = max(56.0, height * 0.06)
    map_rect = QRectF(0, header, width - LEGEND_WIDTH, height - header)
    view.pins.set_output(pin_scale=_pin_scale(width, height), min_sprite_dpr=sprite_dpr)
    source = fit_aspect(view.home_rect(), map_rect)
    scale = map_rect.width() / source.width()
    view.villages.update_for_scale(scale)
    view.crews.relayout(QTransform.fromScale(scale, scale))
    view.scene().render(painter, map_rect, source, Qt.AspectRatioMode.IgnoreAspectRatio)

    counts = content.counts()
    title = "Comcen UP3 Bangka — peta laporan"
    stamp = f"Keadaan {format_wib(content.now)}"
    paint_header(painter, QRectF(0, 0, width, header), title, stamp, counts)
    legend = QRectF(width - LEGEND_WIDTH, header, LEGEND_WIDTH, height - header)
    paint_legend(painter, legend, view.pins.sprites, counts, content.target_min, sprite_dpr)


def _pin_scale(width: int, height: int) -> float:
    """Pins grow with big pages so they stay visible on a printed or wall-sized map."""
    return min(3.0, max(1.0, min(width, height) / 1000))
