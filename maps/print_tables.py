"""The page's side tables: open reports per ULP by stage, and the oldest open reports.

Privacy: with ``privacy`` the oldest-reports list leaves out the customer's name,
phone, IDPEL and address (the only place the page names a customer).
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen

from comcen_desktop.domain import CLOSED_STAGES, STAGE_ORDER, Stage
from comcen_desktop.timeutil import format_age
from maps.print_text import FIT_SLACK, INK, MUTED, RULE, text, text_width

OPEN_STAGES = [s for s in STAGE_ORDER if s not in CLOSED_STAGES]
SHORT_STAGE = {
    Stage.LAPOR: "Lapor",
    Stage.PENUGASAN: "Tugas",
    Stage.PERJALANAN: "Jalan",
    Stage.PENGERJAAN: "Kerja",
    Stage.NYALA_SEMENTARA: "N.Smt",
    Stage.NYALA: "Nyala",
}


def table_rows(content) -> list[tuple[str, Counter, int]]:
    """Open reports per ULP: (ULP, counts by stage, late count); the total row last."""
    names = [a.name for a in content.areas if a.kind == "ulp"]
    open_reports = [r for r in content.reports if r.stage not in CLOSED_STAGES]
    names += sorted({r.ulp for r in open_reports} - set(names))
    rows = []
    for name in names:
        mine = [r for r in open_reports if r.ulp == name]
        late = sum(1 for r in mine if r.age_class == "late")
        rows.append((name, Counter(r.stage for r in mine), late))
    total = Counter(r.stage for r in open_reports)
    rows.append(("Jumlah", total, sum(1 for r in open_reports if r.age_class == "late")))
    return rows


def paint_table(painter, rect: QRectF, content, k: float) -> None:
    painter.save()
    rows = table_rows(content)
    heading = QRectF(rect.left(), rect.top(), rect.width(), 5 * k)
    text(painter, heading, "Laporan terbuka per ULP", 3.0 * k, INK, bold=True)
    headers = ["ULP", *[SHORT_STAGE[s] for s in OPEN_STAGES], "Jml", "Lewat"]
    first = rect.width() * 0.22
    other = (rect.width() - first) / (len(headers) - 1)
    row_h = min(4.4 * k, (rect.height() - heading.height()) / (len(rows) + 1))
    lines = [headers, *[_cells(row) for row in rows]]
    widths = [first, *[other] * (len(headers) - 1)]
    size = _table_size(lines, widths, min(2.3 * k, row_h * 0.6), 1.2 * k)
    y = heading.bottom()
    for index, cells in enumerate(lines):
        is_head, is_total = index == 0, index == len(rows)
        if is_head or is_total:
            painter.fillRect(QRectF(rect.left(), y, rect.width(), row_h), QColor("#e8edf2"))
        x = rect.left()
        for column, value in enumerate(cells):
            width = first if column == 0 else other
            align = Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight
            box = QRectF(x + 0.6 * k, y, width - 1.2 * k, row_h)
            cell_size = size * 0.8 if is_head else size
            text(painter, box, value, cell_size, INK, bold=is_head or is_total, align=align)
            x += width
        y += row_h
    painter.setPen(QPen(RULE, 0.15 * k))
    painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
    painter.restore()


def _table_size(lines, widths, size: float, pad: float) -> float:
    """The largest text size up to ``size`` at which every cell fits its column."""
    for column, width in enumerate(widths):
        # The header row is drawn at 0.8 of the size; measure each row as it is drawn.
        widest = max(
            text_width(cells[column], size * (0.8 if row == 0 else 1.0), bold=True)
            for row, cells in enumerate(lines)
        )
        if widest > (width - pad) * FIT_SLACK:
            size *= (width - pad) * FIT_SLACK / widest
    return size


def _cells(row) -> list[str]:
    name, by_stage, late = row
    values = [by_stage.get(s, 0) for s in OPEN_STAGES]
    return [name, *map(str, values), str(sum(values)), str(late)]


def oldest_lines(content, privacy: bool, limit: int = 8) -> list[tuple[str, str, str]]:
    """The oldest open reports as (first line, age, customer line) texts."""
    open_reports = [r for r in content.reports if r.stage not in CLOSED_STAGES]
    open_reports.sort(key=lambda r: r.age_min, reverse=True)
    lines = []
    for r in open_reports[:limit]:
        first = f"{r.number} · {r.ulp} · {r.village or '–'}"
        if privacy:
            second = "data pelanggan disembunyikan"
        else:
            parts = [r.name, r.phone, r.idpel and f"IDPEL {r.idpel}", r.address]
            second = " · ".join(p for p in parts if p) or "–"
        lines.append((first, format_age(r.age_min), second))
    return lines


def paint_oldest(painter, rect: QRectF, content, privacy: bool, k: float) -> None:
    heading = QRectF(rect.left(), rect.top(), rect.width(), 5 * k)
    text(painter, heading, "Laporan terbuka terlama", 3.0 * k, INK, bold=True)
    line_h = 3.4 * k
    fits = max(0, int((rect.bottom() - heading.bottom()) // (2 * line_h)))
    y = heading.bottom()
    size = 2.3 * k
    for first, age, second in oldest_lines(content, privacy, fits):
        # The age is what the list is about: it keeps its place, the village is elided.
        age_w = min(rect.width() / 3, text_width(age, size, bold=True) / FIT_SLACK)
        line = QRectF(rect.left(), y, rect.width(), line_h)
        right = Qt.AlignmentFlag.AlignRight
        text(painter, line, age, size, INK, bold=True, align=right)
        text(painter, line.adjusted(0, 0, -age_w - 1.5 * k, 0), first, size, INK, bold=True)
        box = QRectF(rect.left() + 2 * k, y + line_h, rect.width() - 2 * k, line_h)
        text(painter, box, second, 2.2 * k, MUTED)
        y += 2 * line_h
