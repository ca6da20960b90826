"""The console map's legend: a small, semi-transparent key in the bottom-left corner.

It explains what the live map draws (stage colours, age rings, posko, crew tiles by
status, grey closed pins, padam meluas circles). The key is painted once into a
cached pixmap and blitted in the view's drawForeground, so it costs one drawPixmap
per frame. The bottom-left corner is sea at the default window size: Bangka lies
from north-west to south-east, so the island's south-western coast leaves it free.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsView

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
from comcen_desktop.i18n import tr
from maps import style
from maps.layers.crews import paint_crew_symbol, status_colour
from maps.layers.incidents import ACTIVE_COLOUR, PROPOSED_COLOUR
from maps.layers.posko import paint_posko_symbol
from maps.layers.sprites import PinSprites, sprite_index

log = logging.getLogger(__name__)

MARGIN_PX = 10  # from the view's corner
ROW_PX = 16
COLUMN_PX = 158
PAD_PX = 8
BACKGROUND = QColor(255, 255, 255, 205)  # semi-transparent: the sea shows through
INK = QColor("#1f2d3a")


def _font(pixels: int, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


class ConsoleLegend:
    """Owns the cached key and paints it for a view; ``visible`` toggles it."""

    def __init__(self, sprites: PinSprites | None = None):
        self.sprites = sprites or PinSprites()
        self.visible = True
        self._pixmap: QPixmap | None = None
        self._dpr = 0.0

    def pixmap(self, dpr: float = 1.0) -> QPixmap:
        """The key at this device pixel ratio, drawn once and then reused."""
        if self._pixmap is None or self._dpr != dpr:
            self._pixmap = self._render(dpr)
            self._dpr = dpr
        return self._pixmap

    def rect_in(self, view: QGraphicsView) -> QRectF:
        """Where the key sits in the view's viewport (device-independent pixels)."""
        pixmap = self.pixmap(view.devicePixelRatioF())
        size = pixmap.deviceIndependentSize()
        bottom = view.viewport().height() - MARGIN_PX
        return QRectF(MARGIN_PX, bottom - size.height(), size.width(), size.height())

    def paint(self, painter: QPainter, view: QGraphicsView) -> None:
        """Call from drawForeground: paints in viewport pixels, whatever the zoom."""
        if not self.visible:
            return
        rect = self.rect_in(view)
        painter.save()
        painter.resetTransform()
        painter.drawPixmap(rect.topLeft(), self.pixmap(view.devicePixelRatioF()))
        painter.restore()

    # --- drawing the key ---------------------------------------------------------
    def _render(self, dpr: float) -> QPixmap:
        left, right = self._left_rows(), self._right_rows()
        rows = max(len(left), len(right))
        width, height = 2 * COLUMN_PX + 2 * PAD_PX, rows * ROW_PX + 2 * PAD_PX
        pixmap = QPixmap(round(width * dpr), round(height * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#aab7c4"), 1))
        painter.setBrush(BACKGROUND)
        painter.drawRoundedRect(QRectF(0.5, 0.5, width - 1, height - 1), 5, 5)
        for column, entries in enumerate((left, right)):
            x = PAD_PX + column * COLUMN_PX
            for row, (symbol, text, bold) in enumerate(entries):
                y = PAD_PX + row * ROW_PX
                self._row(painter, QPointF(x, y), symbol, text, bold, dpr)
        painter.end()
        return pixmap

    def _row(self, painter, at: QPointF, symbol, text: str, bold: bool, dpr: float) -> None:
        if symbol is not None:
            symbol(painter, QPointF(at.x() + 8, at.y() + ROW_PX / 2), dpr)
        painter.setFont(_font(10 if bold else 11, bold))
        painter.setPen(INK)
        indent = 0 if symbol is None else 20
        box = QRectF(at.x() + indent, at.y(), COLUMN_PX - indent, ROW_PX)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    def _left_rows(self) -> list:
        rows = [(None, tr("Tahap laporan (warna)"), True)]
        for stage in [s for s in STAGE_ORDER if s not in CLOSED_STAGES]:
            rows.append((self._pin(stage, AGE_OK), STAGE_LABELS[stage], False))
        rows.append((self._pin(Stage.SELESAI, AGE_OK), tr("Selesai/Batal (abu-abu)"), False))
        rows.append((None, tr("Umur (cincin)"), True))
        for age, label in ((AGE_OK, "< ½ target"), (AGE_WARN, "½ target – target")):
            rows.append((self._pin(Stage.PENGERJAAN, age), label, False))
        rows.append((self._pin(Stage.PENGERJAAN, AGE_LATE), tr("lewat target"), False))
        return rows

    def _right_rows(self) -> list:
        rows = [(None, tr("Posko dan regu"), True), (_posko, tr("Posko Yantek"), False)]
        for status, label in CREW_STATUS_LABELS.items():
            rows.append((_crew(status_colour(status)), tr(label), False))
        rows.append((None, tr("Padam meluas"), True))
        rows.append((_circle(PROPOSED_COLOUR, dashed=True), tr("usulan (putus-putus)"), False))
        rows.append((_circle(ACTIVE_COLOUR, dashed=False), tr("dikonfirmasi"), False))
        return rows

    def _pin(self, stage: Stage, age: str):
        def draw(painter: QPainter, centre: QPointF, dpr: float) -> None:
            pins = self.sprites.for_device(dpr)
            half = pins.half(False)
            corner = QPointF(centre.x() - half, centre.y() - half)
            painter.drawPixmap(corner, pins.pixmaps[sprite_index(stage, age)])

        return draw


def _posko(painter: QPainter, centre: QPointF, dpr: float) -> None:
    paint_posko_symbol(painter, centre, style.POSKO_SIZE_PX * 0.8)


def _crew(colour: QColor):
    def draw(painter: QPainter, centre: QPointF, dpr: float) -> None:
        size = 13.0
        rect = QRectF(centre.x() - size / 2, centre.y() - size / 2, size, size)
        paint_crew_symbol(painter, rect, colour, "mobil")

    return draw


def _circle(colour: QColor, dashed: bool):
    def draw(painter: QPainter, centre: QPointF, dpr: float) -> None:
        painter.save()
        pen = QPen(colour, 2.0, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
        fill = QColor(colour)
        fill.setAlpha(18 if dashed else 40)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawEllipse(centre, 6.5, 6.5)
        painter.restore()

    return draw
