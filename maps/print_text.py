"""Text on the printed page, in millimetres: fonts, measuring, eliding, drawing.

Laid out in tenths of a millimetre (QFont pixel sizes are integers) and without
hinting, so a line measures the same on the preview, the PDF and a 300 dpi PNG.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF

INK = QColor("#1f2d3a")
MUTED = QColor("#5d6d7e")
HEADER_FILL = QColor("#1f3a5f")
RULE = QColor("#c8d0d8")

TEXT_UNITS = 10  # text is laid out in tenths of a millimetre: QFont sizes are integers
FIT_SLACK = 0.97  # metrics come from the screen font; leave room for the printer's


def font(size_mm: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(max(1, round(size_mm * TEXT_UNITS)))
    font.setBold(bold)
    # Hinting snaps glyphs to the device grid, which changes text width with the DPI.
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def text_width(value: str, size_mm: float, bold: bool = False) -> float:
    """Printed width of ``value`` in millimetres (no hinting, so the same at every DPI)."""
    return QFontMetricsF(font(size_mm, bold)).horizontalAdvance(value) / TEXT_UNITS


def fit_text(value: str, width_mm: float, size_mm: float, bold: bool = False) -> str:
    """``value`` elided with "…" so it fits ``width_mm``: a cut line would hide its end."""
    usable = width_mm * FIT_SLACK * TEXT_UNITS
    metrics = QFontMetricsF(font(size_mm, bold))
    if metrics.horizontalAdvance(value) <= usable:
        return value
    return metrics.elidedText(value, Qt.TextElideMode.ElideRight, max(0.0, usable))


def text(painter, rect: QRectF, value: str, size_mm: float, colour=INK, bold=False, align=None):
    align = align if align is not None else Qt.AlignmentFlag.AlignLeft
    value = fit_text(value, rect.width(), size_mm, bold)
    painter.save()
    painter.scale(1 / TEXT_UNITS, 1 / TEXT_UNITS)
    painter.setFont(font(size_mm, bold))
    painter.setPen(colour)
    box = QRectF(
        rect.left() * TEXT_UNITS,
        rect.top() * TEXT_UNITS,
        rect.width() * TEXT_UNITS,
        rect.height() * TEXT_UNITS,
    )
    painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter), value)
    painter.restore()
