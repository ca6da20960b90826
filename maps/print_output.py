"""Printed map pages as files: a vector PDF (QPdfWriter) or a PNG at a chosen DPI.

Both scale the painter to millimetres and call the same page painter as the print
preview, so the three look alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSize
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from maps.print_layout import (
    MM_PER_INCH,
    PageLayout,
    check_dpi,
    layout_page,
    paper_size_mm,
)
from maps.print_page import TITLE, paint_print_page
from maps.snapshot import ensure_app, load_content

log = logging.getLogger(__name__)

SUFFIXES = (".png", ".pdf")
PDF_RESOLUTION = 600  # coordinates of a vector PDF; only the legend's pin bitmaps use it
MAX_PNG_PIXELS = 150_000_000  # A0 at 300 dpi; beyond that a PDF is the right format
PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3}
PAGE_SIZES["A0"] = QPageSize.PageSizeId.A0
ORIENTATION_WORDS = {True: "lanskap", False: "potret"}


@dataclass(frozen=True)
class PrintResult:
    path: Path
    layout: PageLayout
    pixels: QSize | None  # PNG size; None for a PDF


def render_print(
    database,
    out: Path,
    paper: str = "A4",
    landscape: bool = False,
    dpi: int = 150,
    privacy: bool = False,
    now: datetime | None = None,
) -> PrintResult:
    """Write a print page of the whole island to ``out`` (.pdf vector or .png at ``dpi``)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"Cannot print to '{suffix or out.name}': use .png or .pdf.")
    check_dpi(dpi)
    width_mm, height_mm = paper_size_mm(paper, landscape)
    pixels = QSize(round(width_mm / MM_PER_INCH * dpi), round(height_mm / MM_PER_INCH * dpi))
    if suffix == ".png" and pixels.width() * pixels.height() > MAX_PNG_PIXELS:
        raise ValueError(
            f"{paper} at {dpi} dpi is {pixels.width()}×{pixels.height()} pixels, "
            f"more than {MAX_PNG_PIXELS // 1_000_000} megapixels: use a PDF or a lower DPI."
        )
    ensure_app()
    content = load_content(database, now)
    layout = layout_page(width_mm, height_mm)
    note = f"{paper} {ORIENTATION_WORDS[landscape]}" + (f" · {dpi} dpi" if suffix == ".png" else "")
    if suffix == ".png":
        _write_png(content, layout, out, pixels, dpi, privacy, note)
    else:
        _write_pdf(content, layout, out, paper, landscape, privacy, note)
        pixels = None
    log.info("Print page written: %s (%s, %s, %d dpi)", out, paper, note, dpi)
    return PrintResult(out, layout, pixels)


def _write_png(content, layout, out: Path, pixels: QSize, dpi, privacy, note) -> None:
    image = QImage(pixels, QImage.Format.Format_ARGB32_Premultiplied)
    dots_per_metre = round(dpi / MM_PER_INCH * 1000)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        painter.scale(dpi / MM_PER_INCH, dpi / MM_PER_INCH)
        paint_print_page(painter, content, layout, dpi, privacy, note)
    finally:
        painter.end()
    if not image.save(str(out), "PNG"):
        raise OSError(f"Could not write {out}")


def _write_pdf(content, layout, out: Path, paper, landscape, privacy, note) -> None:
    writer = QPdfWriter(str(out))
    writer.setResolution(PDF_RESOLUTION)
    orientation = (
        QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    )
    writer.setPageLayout(
        QPageLayout(QPageSize(PAGE_SIZES[paper]), orientation, QMarginsF(0, 0, 0, 0))
    )
    writer.setTitle(TITLE)
    writer.setCreator("Comcen Desktop")
    painter = QPainter(writer)
    try:
        painter.scale(PDF_RESOLUTION / MM_PER_INCH, PDF_RESOLUTION / MM_PER_INCH)
        paint_print_page(painter, content, layout, PDF_RESOLUTION, privacy, note)
    finally:
        painter.end()
    if not out.exists():
        raise OSError(f"Could not write {out}")


def paint_to_device(painter: QPainter, device_dpi: float, content, width_mm, height_mm, privacy):
    """For the print preview: lay out the printer's paper and paint it."""
    layout = layout_page(width_mm, height_mm)
    painter.save()
    painter.scale(device_dpi / MM_PER_INCH, device_dpi / MM_PER_INCH)
    paint_print_page(painter, content, layout, device_dpi, privacy, "pratinjau")
    painter.restore()
    return layout
