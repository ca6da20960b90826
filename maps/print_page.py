"""Paints one printed map page in millimetres: preview, PDF and PNG share this code.

The caller scales the painter so that one unit is one millimetre on paper. Nothing
here is sized in device pixels, so text, pins and symbols keep their printed size at
any DPI. The map is drawn from the data, not by rendering the live view's scene: its
labels and crew tiles are sized in screen pixels and would shrink on a 300 dpi page.

Privacy mask: the map itself carries no personal text (pins, posko and crew tiles only).
With ``privacy`` the list of oldest reports leaves out the customer's name, phone,
IDPEL and address, and the footer says so. Nothing else on the page names a customer.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPainterPath,
    QPen,
    QPicture,
    QPolygonF,
)

from comcen_desktop.domain import CLOSED_STAGES, STAGE_COLOURS
from comcen_desktop.timeutil import format_wib
from maps import style
from maps.layers.areas import ulp_bounds
from maps.layers.crews import fan_offsets, paint_crew_symbol, status_colour
from maps.layers.pins import draw_rank
from maps.layers.posko import paint_posko_symbol
from maps.layers.sprites import CLOSED_SHRINK, PinSprites, paint_pin
from maps.legend import LEGEND_WIDTH, Counts, own_circles, paint_incident_symbol, paint_legend
from maps.print_layout import MM_PER_INCH, PageLayout, round_length_m, scale_denominator
from maps.print_tables import oldest_lines, paint_oldest, paint_table, table_rows
from maps.print_text import (
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
    TEXT_UNITS,
    fit_text,
    font,
    text,
    text_width,
)
from maps.projection import fit_aspect, geometry_path, island_rect, scene_point, scene_xy

__all__ = ["fit_text", "oldest_lines", "paint_print_page", "table_rows", "text", "text_width"]

PIN_MM, POSKO_MM, CREW_MM = 2.4, 3.4, 3.6  # on A4; times the layout's size factor
# A 500 m padam meluas is a fraction of a millimetre at island scale: like the console's
# MIN_RING_PX ring, the printed circle never gets smaller than this (on A4, times k).
INCIDENT_MIN_MM = 4.5
CITY_LABEL_OFFSET_M = 6_000  # clear of the ring of crew tiles in town
TITLE = "Comcen UP3 Bangka — peta laporan"


def paint_print_page(
    painter: QPainter, content, layout: PageLayout, dpi: float, privacy: bool, note: str = ""
) -> None:
    """Everything on the page; ``dpi`` only tells how fine the legend's pin bitmaps are."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(layout.page, QColor("#ffffff"))
    counts = content.counts()
    k = layout.k
    _paint_header(painter, layout.header, content, counts, k)
    mm_per_m = _paint_map(painter, content, layout.map, k)
    _paint_scale_bar(painter, layout.scale_bar, mm_per_m, k)
    _paint_north_arrow(painter, layout.north_arrow, k)
    _paint_legend(painter, layout.legend, counts, content.target_min, dpi)
    paint_table(painter, layout.table, content, k)
    paint_oldest(painter, layout.oldest, content, privacy, k)
    _paint_footer(painter, layout.footer, privacy, note, k)


def _halo_label(painter, centre: QPointF, value: str, size_mm: float, beside=False) -> None:
    """A map label centred on ``centre``, or starting there when ``beside``."""
    path = QPainterPath()
    path.addText(0, 0, font(size_mm, bold=True), value)
    box = path.boundingRect()
    path.translate(-box.left() if beside else -box.center().x(), -box.center().y())
    painter.save()
    painter.translate(centre)
    painter.scale(1 / TEXT_UNITS, 1 / TEXT_UNITS)
    halo = QPen(style.HALO, size_mm * 0.35 * TEXT_UNITS)
    halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.strokePath(path, halo)
    painter.fillPath(path, style.TEXT_DARK)
    painter.restore()


# --- header, footer --------------------------------------------------------------
def _paint_header(painter, rect: QRectF, content, counts: Counts, k: float) -> None:
    painter.fillRect(rect, HEADER_FILL)
    inner = rect.adjusted(4 * k, 1.5 * k, -4 * k, -1.5 * k)
    top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() * 0.6)
    low = QRectF(inner.left(), top.bottom(), inner.width(), inner.height() * 0.4)
    white = QColor("#ffffff")
    text(painter, top, TITLE, 5.2 * k, white, bold=True)
    text(painter, low, f"Keadaan {format_wib(content.now)}", 3.0 * k, white)
    right = Qt.AlignmentFlag.AlignRight
    summary = f"{counts.total} laporan terbuka · {counts.late} lewat target"
    text(painter, top, summary, 3.4 * k, white, bold=True, align=right)
    text(painter, low, f"target respons {content.target_min:.0f} mnt", 2.6 * k, white, align=right)


def _paint_footer(painter, rect: QRectF, privacy: bool, note: str, k: float) -> None:
    painter.setPen(QPen(RULE, 0.2 * k))
    painter.drawLine(rect.topLeft(), rect.topRight())
    left = "Comcen Desktop · UTM zona 48S · batas wilayah: data/bangka (MIT, lihat SOURCES.md)"
    text(painter, rect, left, 2.2 * k, MUTED)
    right = note
    if privacy:
        right = f"{note} · PRIVASI: nama, telepon, IDPEL, alamat disembunyikan".strip(" ·")
    text(painter, rect, right, 2.2 * k, MUTED, bold=privacy, align=Qt.AlignmentFlag.AlignRight)


# --- map -------------------------------------------------------------------------
def _paint_map(painter, content, rect: QRectF, k: float) -> float:
    """Areas, posko, crews and pins; returns the map scale in millimetres per metre."""
    bounds = ulp_bounds(content.areas)
    source = fit_aspect(island_rect(bounds) if bounds else island_rect(), rect)
    s = rect.width() / source.width()

    def to_mm(point: QPointF) -> QPointF:
        return QPointF(
            rect.left() + (point.x() - source.left()) * s,
            rect.top() + (point.y() - source.top()) * s,
        )

    painter.save()
    painter.setClipRect(rect)
    painter.fillRect(rect, style.SEA)
    _paint_areas(painter, content.areas, rect, source, s, k)
    for area in content.areas:
        if area.kind == "ulp":
            point, beside = _label_point(area)
            _halo_label(painter, to_mm(point), area.name.upper(), 3.2 * k, beside)
    _paint_incidents(painter, content, to_mm, s, k)
    for station in content.posko:
        if station.lon is not None and station.lat is not None:
            centre = to_mm(scene_point(station.lon, station.lat))
            _symbol(painter, centre, POSKO_MM * k, style.POSKO_SIZE_PX, paint_posko_symbol)
    _paint_crews(painter, content.crews, to_mm, k)
    _paint_pins(painter, content.reports, rect, source, s, k)
    painter.restore()
    painter.setPen(QPen(INK, 0.3 * k))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
    return s


def _paint_areas(painter, areas, rect, source, s, k) -> None:
    painter.save()
    painter.translate(rect.topLeft())
    painter.scale(s, s)
    painter.translate(-source.topLeft())
    for area in [a for a in areas if a.kind == "ulp"]:
        painter.setPen(QPen(style.ulp_edge(area.name), 0.35 * k / s))
        painter.setBrush(style.ulp_fill(area.name))
        painter.drawPath(geometry_path(area.geometry))
    pen = QPen(style.DISTRICT_LINE, 0.15 * k / s, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for area in [a for a in areas if a.kind != "ulp"]:
        painter.drawPath(geometry_path(area.geometry))
    painter.restore()


def _label_point(area) -> tuple[QPointF, bool]:
    from shapely.ops import polylabel

    geometry = area.geometry
    if geometry.geom_type == "MultiPolygon":
        geometry = max(geometry.geoms, key=lambda part: part.area)
    west, south, east, north = geometry.bounds
    if max(east - west, north - south) < 0.3:  # a city: label it beside, over the sea
        point = scene_point(east, (south + north) / 2)
        return point + QPointF(CITY_LABEL_OFFSET_M, 0), True
    centre = polylabel(geometry, tolerance=0.002)
    return scene_point(centre.x, centre.y), False


def _symbol(painter, centre: QPointF, size_mm: float, design_px: float, paint) -> None:
    """Draw a symbol designed at ``design_px`` screen pixels at ``size_mm`` on paper."""
    painter.save()
    painter.translate(centre)
    painter.scale(size_mm / design_px, size_mm / design_px)
    paint(painter, QPointF(0, 0), design_px)
    painter.restore()


def _paint_incidents(painter, content, to_mm, s: float, k: float) -> None:
    """Padam meluas under posko, crews and pins: proposals dashed, confirmed solid on top."""
    shapes = [(p, False) for p in own_circles(content.incident_proposals)]
    shapes += [(i, True) for i in content.incidents]
    for shape, confirmed in shapes:
        centre = to_mm(scene_point(shape.lon, shape.lat))
        diameter = max(2 * float(shape.radius_m) * s, INCIDENT_MIN_MM * k)
        line = (0.45 if confirmed else 0.35) * k
        paint_incident_symbol(painter, centre, diameter, confirmed, line)


def _paint_crews(painter, crews, to_mm, k: float) -> None:
    placed = [c for c in crews if c.lon is not None and c.lat is not None]
    size = CREW_MM * k
    unit = size / style.CREW_SIZE_PX  # millimetres per design pixel of the fan layout
    anchors = [to_mm(scene_point(c.lon, c.lat)) / unit for c in placed]
    for crew, anchor, offset in zip(placed, anchors, fan_offsets(anchors), strict=True):
        centre = (anchor + offset) * unit
        px = style.CREW_SIZE_PX
        painter.save()
        painter.translate(centre)
        painter.scale(unit, unit)
        rect = QRectF(-px / 2, -px / 2, px, px)
        paint_crew_symbol(painter, rect, status_colour(crew.status), crew.vehicle)
        painter.restore()


def _paint_pins(painter, reports, rect, source, s, k) -> None:
    placed = sorted((r for r in reports if r.lon is not None and r.lat is not None), key=draw_rank)
    closed = [r for r in placed if r.stage in CLOSED_STAGES]
    ordered = closed + [r for r in placed if r.stage not in CLOSED_STAGES]
    if not ordered:
        return
    xs, ys = scene_xy([r.lon for r in ordered], [r.lat for r in ordered])
    design = style.PIN_DIAMETER_PX
    unit = PIN_MM * k / design
    for report, x, y in zip(ordered, xs.reshape(-1), ys.reshape(-1), strict=True):
        painter.save()
        painter.translate(
            rect.left() + (x - source.left()) * s, rect.top() + (y - source.top()) * s
        )
        painter.scale(unit, unit)
        diameter = design * (CLOSED_SHRINK if report.stage in CLOSED_STAGES else 1.0)
        paint_pin(
            painter, QPointF(0, 0), diameter, QColor(STAGE_COLOURS[report.stage]), report.age_class
        )
        painter.restore()


# --- scale bar, north arrow -------------------------------------------------------
def _paint_scale_bar(painter, rect: QRectF, mm_per_m: float, k: float) -> None:
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 215))
    painter.drawRoundedRect(rect, 1 * k, 1 * k)
    bar_left = rect.left() + 3 * k
    length_m = round_length_m((rect.width() - 8 * k) / mm_per_m)
    bar_mm = length_m * mm_per_m
    bar = QRectF(bar_left, rect.top() + rect.height() * 0.5, bar_mm, 1.6 * k)
    painter.setPen(QPen(INK, 0.2 * k))
    for i in range(4):
        piece = QRectF(bar.left() + i * bar_mm / 4, bar.top(), bar_mm / 4, bar.height())
        painter.setBrush(INK if i % 2 == 0 else QColor("#ffffff"))
        painter.drawRect(piece)
    label_box = QRectF(bar.left() - 5 * k, rect.top() + 0.8 * k, 10 * k, rect.height() * 0.45)
    for fraction, value in ((0, 0), (0.5, length_m / 2), (1, length_m)):
        box = label_box.translated(fraction * bar_mm, 0)
        label = f"{value / 1000:g} km" if fraction == 1 else f"{value / 1000:g}"
        text(painter, box, label, 2.2 * k, INK, align=Qt.AlignmentFlag.AlignHCenter)
    ratio = f"1 : {scale_denominator(mm_per_m):,}".replace(",", ".")
    below = QRectF(bar.left(), bar.bottom() + 0.3 * k, rect.width(), rect.bottom() - bar.bottom())
    text(painter, below, f"skala {ratio} (UTM 48S)", 1.9 * k, MUTED)
    painter.restore()


def _paint_north_arrow(painter, rect: QRectF, k: float) -> None:
    painter.save()
    cx = rect.center().x()
    top, bottom = rect.top() + 5 * k, rect.bottom() - 0.5 * k
    half = rect.width() * 0.32
    left = QPolygonF([QPointF(cx, top), QPointF(cx - half, bottom), QPointF(cx, bottom - 2.5 * k)])
    right = QPolygonF([QPointF(cx, top), QPointF(cx + half, bottom), QPointF(cx, bottom - 2.5 * k)])
    painter.setPen(QPen(INK, 0.25 * k))
    painter.setBrush(INK)
    painter.drawPolygon(left)
    painter.setBrush(QColor("#ffffff"))
    painter.drawPolygon(right)
    label = QRectF(rect.left(), rect.top(), rect.width(), 4.5 * k)
    text(painter, label, "U", 3.6 * k, INK, bold=True, align=Qt.AlignmentFlag.AlignHCenter)
    painter.restore()


# --- legend, tables ----------------------------------------------------------------
def _paint_legend(painter, rect: QRectF, counts: Counts, target_min: float, dpi: float) -> None:
    sprites = PinSprites()
    probe = QPicture()
    measuring = QPainter(probe)
    needed = paint_legend(measuring, QRectF(0, 0, LEGEND_WIDTH, 2000), sprites, counts, target_min)
    measuring.end()
    unit = min(rect.width() / LEGEND_WIDTH, rect.height() / needed)  # mm per legend unit
    painter.save()
    painter.translate(rect.topLeft())
    painter.scale(unit, unit)
    box = QRectF(0, 0, rect.width() / unit, rect.height() / unit)
    sprite_dpr = max(1.0, dpi / MM_PER_INCH * unit)
    paint_legend(painter, box, sprites, counts, target_min, sprite_dpr)
    painter.restore()
    # The frame goes last: the legend's background fill would cover its right edge.
    painter.setPen(QPen(RULE, 0.2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(0.1, 0.1, -0.1, -0.1))  # the line stays inside
