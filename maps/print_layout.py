"""Where things go on a printed map page, in millimetres.

The layout knows paper sizes and nothing about pixels: the same rectangles serve the
print preview, a PDF and a PNG at any DPI, which is what keeps a 300 dpi PNG looking
like the preview instead of a shrunken copy. Sizes are designed for A4 and grow with
the square root of the paper area, so an A0 wall print is readable from further away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF

PAPERS_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A0": (841.0, 1189.0)}
MIN_DPI, MAX_DPI = 50, 1200
MM_PER_INCH = 25.4
MARGIN_MM, GAP_MM = 8.0, 4.0  # on A4; times the size factor


@dataclass(frozen=True)
class PageLayout:
    """Rectangles of one page in millimetres from its top-left corner."""

    page: QRectF
    k: float  # size factor against A4: text, symbols and margins scale with it
    header: QRectF
    map: QRectF
    legend: QRectF
    table: QRectF
    oldest: QRectF  # the few oldest open reports (the only place customer data can show)
    scale_bar: QRectF
    north_arrow: QRectF
    footer: QRectF

    def named(self) -> dict[str, QRectF]:
        return {
            "header": self.header,
            "map": self.map,
            "legend": self.legend,
            "table": self.table,
            "oldest": self.oldest,
            "scale_bar": self.scale_bar,
            "north_arrow": self.north_arrow,
            "footer": self.footer,
        }

    @property
    def printable(self) -> QRectF:
        """The page inside its margins: nothing may be drawn outside it."""
        margin = MARGIN_MM * self.k
        return self.page.adjusted(margin, margin, -margin, -margin)

    def side_boxes(self) -> dict[str, QRectF]:
        """The side column (right on a wide page, under the map on a tall one)."""
        return {"legend": self.legend, "table": self.table, "oldest": self.oldest}

    def relative(self, name: str) -> tuple[float, float, float, float]:
        """A rectangle as fractions of the page: the same at every DPI."""
        r = self.named()[name]
        w, h = self.page.width(), self.page.height()
        return (r.left() / w, r.top() / h, r.width() / w, r.height() / h)


def paper_size_mm(paper: str, landscape: bool) -> tuple[float, float]:
    if paper not in PAPERS_MM:
        raise ValueError(f"Paper '{paper}' is not one of {', '.join(PAPERS_MM)}.")
    width, height = PAPERS_MM[paper]
    return (height, width) if landscape else (width, height)


def check_dpi(dpi: int) -> int:
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"DPI {dpi} is outside {MIN_DPI}–{MAX_DPI}.")
    return dpi


def size_factor(width_mm: float, height_mm: float) -> float:
    a4 = PAPERS_MM["A4"]
    return math.sqrt(width_mm * height_mm / (a4[0] * a4[1]))


def layout_page(width_mm: float, height_mm: float) -> PageLayout:
    """Header on top, footer at the bottom; the side panel goes right on a wide page and
    under the map on a tall one, so the island keeps as much paper as it can."""
    k = size_factor(width_mm, height_mm)
    margin, gap = MARGIN_MM * k, GAP_MM * k
    page = QRectF(0, 0, width_mm, height_mm)
    inner = page.adjusted(margin, margin, -margin, -margin)
    header = QRectF(inner.left(), inner.top(), inner.width(), 15 * k)
    footer = QRectF(inner.left(), inner.bottom() - 5 * k, inner.width(), 5 * k)
    body = QRectF(
        inner.left(),
        header.bottom() + gap,
        inner.width(),
        footer.top() - gap - header.bottom() - gap,
    )
    if width_mm >= height_mm:
        side = 82 * k
        map_rect = QRectF(body.left(), body.top(), body.width() - side - gap, body.height())
        panel = QRectF(map_rect.right() + gap, body.top(), side, body.height())
        legend, table, oldest = _stack(panel, gap, (0.56, 0.24, 0.20))
    else:
        band = 92 * k
        map_rect = QRectF(body.left(), body.top(), body.width(), body.height() - band - gap)
        panel = QRectF(body.left(), map_rect.bottom() + gap, body.width(), band)
        half = (panel.width() - gap) / 2
        legend = QRectF(panel.left(), panel.top(), half, panel.height())
        right = QRectF(legend.right() + gap, panel.top(), half, panel.height())
        table, oldest = _stack(right, gap, (0.52, 0.48))
    pad = 4 * k
    scale_bar = QRectF(map_rect.left() + pad, map_rect.bottom() - pad - 11 * k, 62 * k, 11 * k)
    north = QRectF(map_rect.right() - pad - 11 * k, map_rect.top() + pad, 11 * k, 16 * k)
    return PageLayout(page, k, header, map_rect, legend, table, oldest, scale_bar, north, footer)


def _stack(panel: QRectF, gap: float, shares: tuple[float, ...]) -> list[QRectF]:
    usable = panel.height() - gap * (len(shares) - 1)
    rects, top = [], panel.top()
    for share in shares:
        rects.append(QRectF(panel.left(), top, panel.width(), usable * share))
        top += usable * share + gap
    return rects


def round_length_m(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not longer than ``max_m``."""
    if max_m <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * power <= max_m:
            return step * power
    return power


def scale_denominator(mm_per_metre: float) -> int:
    """1 : N for a map drawn at ``mm_per_metre``, rounded to two significant figures."""
    n = 1000 / mm_per_metre
    digits = max(0, math.floor(math.log10(n)) - 1)
    return round(n / 10**digits) * 10**digits
