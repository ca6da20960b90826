"""Header and legend of a map snapshot: what the colours, rings and symbols mean."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from comcen_desktop.domain import (
    AGE_LATE,
    AGE_OK,
    AGE_WARN,
    CLOSED_STAGES,
    CREW_STATUS_LABELS,
    STAGE_LABELS,
    STAGE_ORDER,
    Stage,
)
from maps import style
from maps.layers.crews import paint_crew_symbol, status_colour
from maps.layers.incidents import ACTIVE_COLOUR, PROPOSED_COLOUR
from maps.layers.posko import paint_posko_symbol
from maps.layers.sprites import PinSprites, sprite_index

LEGEND_WIDTH = 300
ROW = 21.0
INK = QColor("#1f2d3a")
MUTED = QColor("#5d6d7e")


@dataclass
class Counts:
    total: int = 0  # open reports
    placed: int = 0
    late: int = 0
    by_stage: Counter = field(default_factory=Counter)
    recently_closed: int = 0
    closed_hours: float = 0.0
    incidents: int = 0  # confirmed padam meluas
    proposals: int = 0  # proposed ones with a circle of their own (not joiners)

    @classmethod
    def of(cls, reports, closed_hours: float = 0.0, incidents=(), proposals=()) -> Counts:
        open_reports = [r for r in reports if r.stage not in CLOSED_STAGES]
        return cls(
            total=len(open_reports),
            placed=sum(1 for r in open_reports if r.lon is not None and r.lat is not None),
            late=sum(1 for r in open_reports if r.age_class == AGE_LATE),
            by_stage=Counter(r.stage for r in open_reports),
            recently_closed=len(reports) - len(open_reports),
            closed_hours=closed_hours,
            incidents=len(incidents),
            proposals=len(own_circles(proposals)),
        )


def own_circles(proposals) -> list:
    """Proposals drawn as a circle: a joiner shows as its incident's circle instead."""
    return [p for p in proposals if p.incident_id is None]


def paint_incident_symbol(
    painter: QPainter, centre: QPointF, diameter: float, confirmed: bool, line: float
) -> None:
    """A padam meluas circle: solid when confirmed, dashed for a proposal."""
    colour = ACTIVE_COLOUR if confirmed else PROPOSED_COLOUR
    pen = QPen(colour, line)
    pen.setStyle(Qt.PenStyle.SolidLine if confirmed else Qt.PenStyle.DashLine)
    fill = QColor(colour)
    fill.setAlpha(40 if confirmed else 18)
    painter.save()
    painter.setPen(pen)
    painter.setBrush(fill)
    painter.drawEllipse(centre, diameter / 2, diameter / 2)
    painter.restore()


def _font(pixels: float, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(round(pixels))
    font.setBold(bold)
    return font


def paint_header(painter: QPainter, rect: QRectF, title: str, stamp: str, counts: Counts):
    painter.save()
    painter.fillRect(rect, QColor("#1f3a5f"))
    inner = rect.adjusted(18, 0, -18, 0)
    painter.setPen(QColor("#ffffff"))
    painter.setFont(_font(rect.height() * 0.42, bold=True))
    painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
    painter.setFont(_font(rect.height() * 0.27))
    summary = f"{counts.total} laporan terbuka · {counts.late} lewat target\n{stamp}"
    painter.drawText(
        inner, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), summary
    )
    painter.restore()


class _Cursor:
    """Writes legend rows top to bottom inside a rectangle."""

    def __init__(self, painter: QPainter, rect: QRectF):
        self.painter = painter
        self.left = rect.left() + 16
        self.right = rect.right() - 14
        self.y = rect.top() + 16

    def heading(self, text: str) -> None:
        self.y += 6
        self._text(self.left, text, _font(14, bold=True), INK)
        self.y += ROW + 2

    def note(self, text: str) -> None:
        self._text(self.left, text, _font(11), MUTED)
        self.y += ROW - 4

    def row(self, label: str, count: int | None = None) -> QPointF:
        """Write a label and return the centre where its symbol goes."""
        self._text(self.left + 30, label, _font(12.5), INK)
        if count is not None:
            self._text(self.left, str(count), _font(12.5, bold=True), INK, right=True)
        centre = QPointF(self.left + 11, self.y + ROW / 2)
        self.y += ROW
        return centre

    def _text(self, x: float, text: str, font: QFont, colour: QColor, right=False) -> None:
        self.painter.setFont(font)
        self.painter.setPen(colour)
        box = QRectF(x, self.y, self.right - x, ROW)
        align = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
        self.painter.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter), text)


def paint_legend(
    painter: QPainter,
    rect: QRectF,
    sprites: PinSprites,
    counts: Counts,
    target_min: float,
    sprite_dpr: float = 1.0,
) -> float:
    """Paint the legend; return the height its rows took (print scales it to fit)."""
    painter.save()
    painter.fillRect(rect, QColor("#fbfcfc"))
    painter.setPen(QPen(QColor("#c8d0d8"), 1))
    painter.drawLine(rect.topLeft(), rect.bottomLeft())
    pins = sprites.for_device(sprite_dpr)
    cursor = _Cursor(painter, rect)

    cursor.heading(f"Laporan terbuka: {counts.total}")
    if counts.placed != counts.total:
        cursor.note(f"{counts.total - counts.placed} tanpa lokasi (tidak di peta)")
    for stage in [s for s in STAGE_ORDER if s not in CLOSED_STAGES]:
        centre = cursor.row(STAGE_LABELS[stage], counts.by_stage.get(stage, 0))
        _blit(painter, pins, centre, sprite_index(stage, AGE_OK))
    if counts.closed_hours:
        label = f"Selesai/Batal ≤ {counts.closed_hours:g} jam"
        centre = cursor.row(label, counts.recently_closed)
        _blit(painter, pins, centre, sprite_index(Stage.SELESAI, AGE_OK))

    cursor.heading("Umur (cincin)")
    cursor.note(f"terhadap target respons {target_min:.0f} mnt")
    for age, label in (
        (AGE_OK, "< ½ target"),
        (AGE_WARN, "½ target – target"),
        (AGE_LATE, "lewat target"),
    ):
        centre = cursor.row(label, counts.late if age == AGE_LATE else None)
        _blit(painter, pins, centre, sprite_index(Stage.PENGERJAAN, age))

    if counts.incidents or counts.proposals:
        cursor.heading("Padam meluas")
        for confirmed, label, count in (
            (True, "Padam meluas (dikonfirmasi)", counts.incidents),
            (False, "Usulan padam meluas", counts.proposals),
        ):
            centre = cursor.row(label, count)
            paint_incident_symbol(painter, centre, 17, confirmed, 2.0)

    cursor.heading("Posko dan regu")
    paint_posko_symbol(painter, cursor.row("Posko Yantek"), style.POSKO_SIZE_PX)
    for vehicle, label in (("mobil", "Regu (mobil)"), ("motor", "Regu (motor)")):
        centre = cursor.row(label)
        paint_crew_symbol(painter, _square(centre, 18), QColor("#1b998b"), vehicle)
    cursor.note("warna regu = status:")
    for status, label in CREW_STATUS_LABELS.items():
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(status_colour(status))
        painter.drawRoundedRect(_square(cursor.row(label), 13), 3, 3)
    painter.restore()
    return cursor.y - rect.top() + 10


def _blit(painter: QPainter, pins, centre: QPointF, index: int) -> None:
    half = pins.half(False)
    painter.drawPixmap(QPointF(centre.x() - half, centre.y() - half), pins.pixmaps[index])


def _square(centre: QPointF, size: float) -> QRectF:
    return QRectF(centre.x() - size / 2, centre.y() - size / 2, size, size)
