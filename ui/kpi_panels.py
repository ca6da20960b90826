"""Live KPI side panels beside today's bars: 30-day trend, reports about to be late,
counts by stage. Each is its own dock, so it can be detached and enlarged.
"""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

from comcen_desktop.domain import (
    RESPONDED_STAGES,
    STAGE_COLOURS,
    STAGE_LABELS,
    STAGE_ORDER,
    Stage,
)
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import WIB, utc_now
from services.queries import ReportView

# pyqtgraph wants the offset in seconds WEST of UTC: WIB (UTC+7) is -7 h.
WIB_OFFSET_FOR_PYQTGRAPH = -7 * 3600
# Reports this close to the response target (or past it) are listed.
WARN_MINUTES = 10.0
MAX_LISTED = 50  # the worst fifty; the title still counts them all
RPT_COLOUR, RCT_COLOUR = "#2e86ab", "#8e44ad"


MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


class QtWibDateAxis(pg.DateAxisItem):
    """Ticks where pyqtgraph puts them (midnight WIB), labels in Indonesian."""

    def tickStrings(self, values, scale, spacing):
        moments = [datetime.fromtimestamp(value, WIB) for value in values]
        if spacing >= 24 * 3600:
            return [f"{m.day} {MONTHS_ID[m.month - 1]}" for m in moments]
        return [m.strftime("%H:%M") for m in moments]


class QtTrendDock(QDockWidget):
    """Daily mean RPT and RCT over the last 30 WIB days, each with its target line."""

    def __init__(self, parent=None):
        super().__init__(tr("Tren 30 hari"), parent)
        self.setObjectName("trendDock")
        axis = QtWibDateAxis(orientation="bottom", utcOffset=WIB_OFFSET_FOR_PYQTGRAPH)
        self.plot = pg.PlotWidget(background="w", axisItems={"bottom": axis})
        self.plot.setLabel("left", tr("menit"))
        self.plot.addLegend(offset=(5, 5))
        self.plot.showGrid(y=True, alpha=0.25)
        self.rpt = self.plot.plot(pen=pg.mkPen(RPT_COLOUR, width=2), symbol="o", symbolSize=5,
                                  symbolBrush=RPT_COLOUR, name="RPT")  # fmt: skip
        self.rct = self.plot.plot(pen=pg.mkPen(RCT_COLOUR, width=2), symbol="o", symbolSize=5,
                                  symbolBrush=RCT_COLOUR, name="RCT")  # fmt: skip
        dash = pg.QtCore.Qt.PenStyle.DashLine
        self.rpt_target = self.plot.plot(
            pen=pg.mkPen(RPT_COLOUR, width=1, style=dash), name=tr("Target RPT")
        )
        self.rct_target = self.plot.plot(
            pen=pg.mkPen(RCT_COLOUR, width=1, style=dash), name=tr("Target RCT")
        )
        self.setWidget(self.plot)

    def set_trend(self, days: list) -> None:
        """``days``: objects with ``day`` (date, WIB), ``rpt_mean_min``, ``rct_mean_min``,
        ``rpt_target_min``, ``rct_target_min``; a day without data has None."""
        xs = [_noon_wib(d.day) for d in days]
        self.rpt.setData(*_present(xs, [d.rpt_mean_min for d in days]))
        self.rct.setData(*_present(xs, [d.rct_mean_min for d in days]))
        self.rpt_target.setData(*_present(xs, [d.rpt_target_min for d in days]))
        self.rct_target.setData(*_present(xs, [d.rct_target_min for d in days]))
        # From zero: a y axis starting near the target makes a small change look large.
        values = [v for d in days for v in (d.rpt_mean_min, d.rct_mean_min,
                                            d.rpt_target_min, d.rct_target_min) if v]  # fmt: skip
        self.plot.setYRange(0, max([*values, 10.0]) * 1.15, padding=0)


def _noon_wib(day) -> float:
    # Noon WIB marks the day, so the point sits in the middle of its date on the axis.
    return datetime(day.year, day.month, day.day, 12, tzinfo=WIB).timestamp()


def _present(xs, ys):
    pairs = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


class QtLateListDock(QDockWidget):
    """Open reports near or past the response target, with a live countdown."""

    reportActivated = Signal(int)

    COLUMNS = ("Sisa", "Nomor", "ULP", "Desa", "Tahap")

    def __init__(self, parent=None):
        super().__init__(tr("Hampir lewat target"), parent)
        self.setObjectName("lateDock")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Resize-to-contents re-measures every column on every setItem: with a few
        # hundred late reports that froze the window for seconds. Size once per rebuild.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._shown_ids: list[int] = []
        self.table.cellDoubleClicked.connect(self._activated)
        self.setWidget(self.table)
        self._watch: list[ReportView] = []
        self._target_min = 0.0
        # The countdown runs on the GUI clock: no database read per tick.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._refresh)
        self._ticker.start()

    def set_reports(self, reports: list[ReportView], target_min: float) -> None:
        self._target_min = target_min
        self._watch = [r for r in reports if r.stage not in RESPONDED_STAGES]
        self._refresh()

    def minutes_left(self, report: ReportView, now: datetime | None = None) -> float:
        now = now or utc_now()
        age = (now - report.reported_at).total_seconds() / 60
        return self._target_min - age

    def _refresh(self) -> None:
        now = utc_now()
        rows = sorted(((self.minutes_left(r, now), r) for r in self._watch), key=lambda p: p[0])
        rows = [(left, r) for left, r in rows if left <= WARN_MINUTES]
        self.setWindowTitle(f"{tr('Hampir lewat target')} ({len(rows)})")
        rows = rows[:MAX_LISTED]
        ids = [r.id for _left, r in rows]
        if ids == self._shown_ids:
            # The usual tick: same reports, only the countdowns move.
            for row, (left, _report) in enumerate(rows):
                self._countdown_cell(row, left)
            return
        self._rebuild(rows)
        self._shown_ids = ids

    def _rebuild(self, rows) -> None:
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(rows))
        for row, (left, report) in enumerate(rows):
            values = (report.number, report.ulp, report.village, STAGE_LABELS[report.stage])
            for column, value in enumerate(values, start=1):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, report.id)
                self.table.setItem(row, column, item)
            self._countdown_cell(row, left, report.id)
        self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)

    def _countdown_cell(self, row: int, left: float, report_id: int | None = None) -> None:
        item = self.table.item(row, 0)
        if report_id is not None:  # a rebuilt row: a new report may sit here now
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, report_id)
            self.table.setItem(row, 0, item)
        item.setText(_countdown(left))
        item.setForeground(QBrush(QColor("#c0392b" if left < 0 else "#d35400")))

    def _activated(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.reportActivated.emit(item.data(Qt.ItemDataRole.UserRole))


def _countdown(minutes_left: float) -> str:
    """'9 mnt 39 dtk' left, or '+1 j 17 mnt lewat': units spelled out, since '+1:17'
    reads as an hour to some and as a minute to others."""
    seconds = int(abs(minutes_left) * 60)
    if seconds >= 3600:
        text = f"{seconds // 3600} j {seconds % 3600 // 60:02d} mnt"
    else:
        text = f"{seconds // 60} mnt {seconds % 60:02d} dtk"
    return f"+{text} {tr('lewat')}" if minutes_left < 0 else text


class QtStageCountsDock(QDockWidget):
    """How many open reports sit in each stage (and how many closed today)."""

    def __init__(self, parent=None):
        super().__init__(tr("Jumlah per tahap"), parent)
        self.setObjectName("stageDock")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.getPlotItem().invertY(True)
        # Stage names are the labels; the numbers sit at the bar ends, so no x axis.
        self.plot.getAxis("left").setWidth(130)
        self.plot.hideAxis("bottom")
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.plot.addItem(self.bars)
        self._labels: list[pg.TextItem] = []
        self.counts: dict[Stage, int] = {}
        self.setWidget(self.plot)

    def set_reports(self, reports: list[ReportView]) -> None:
        open_stages = [s for s in STAGE_ORDER if s is not Stage.SELESAI]
        self.counts = {stage: 0 for stage in open_stages}
        for report in reports:
            if report.stage in self.counts:
                self.counts[report.stage] += 1
        ys = list(range(len(open_stages)))
        widths = [self.counts[s] for s in open_stages]
        brushes = [pg.mkBrush(STAGE_COLOURS[s]) for s in open_stages]
        self.bars.setOpts(x0=[0] * len(ys), y=ys, height=0.7, width=widths, brushes=brushes)
        self.plot.getAxis("left").setTicks([[(y, STAGE_LABELS[s]) for y, s in
                                             zip(ys, open_stages, strict=True)]])  # fmt: skip
        self._label_bars(ys, widths)
        self.plot.setXRange(0, max([*widths, 1]) * 1.2, padding=0)
        self.plot.setYRange(-0.6, len(ys) - 0.4, padding=0)

    def _label_bars(self, ys, widths) -> None:
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels = []
        for y, width in zip(ys, widths, strict=True):
            label = pg.TextItem(str(width), color="#2c3e50", anchor=(0, 0.5))
            label.setPos(width, y)
            self.plot.addItem(label)
            self._labels.append(label)
