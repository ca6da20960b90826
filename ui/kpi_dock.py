"""Today's response and recovery time per ULP against target (pyqtgraph)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from comcen_desktop.i18n import tr

GOOD, BAD, NO_DATA = "#1b998b", "#d7263d", "#bdc3c7"
BAR_WIDTH = 0.6


class QtKpiChart(pg.PlotWidget):
    """Bars of one KPI per ULP with each ULP's target as a dashed tick."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent, background="w")
        self.setTitle(title, color="#2c3e50", size="10pt")
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().showGrid(y=True, alpha=0.25)
        self.setMinimumHeight(150)
        self._bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH)
        self._targets = pg.PlotDataItem(
            pen=pg.mkPen("#2c3e50", width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
            connect="pairs",
        )
        self.addItem(self._bars)
        self.addItem(self._targets)
        self._labels: list[pg.TextItem] = []

    # Behind a bar's figure, so a target tick or grid line never crosses the digits.
    LABEL_FILL = (255, 255, 255, 210)

    def show_values(
        self, names: list[str], values: list[float | None], targets: list[float | None]
    ) -> None:
        xs = list(range(len(names)))
        heights = [v or 0.0 for v in values]
        brushes = [_brush(v, t) for v, t in zip(values, targets, strict=True)]
        self._bars.setOpts(
            x=xs,
            height=heights,
            width=BAR_WIDTH,
            brushes=brushes,
            pens=[pg.mkPen(None)] * len(xs),
        )
        self._draw_targets(xs, targets)
        self._draw_labels(xs, values, targets)
        self.getAxis("bottom").setTicks([list(zip(xs, names, strict=True))])
        top = max([h for h in heights] + [t or 0 for t in targets] + [1.0])
        self.setYRange(0, top * 1.25, padding=0)
        self.setXRange(-0.6, len(xs) - 0.4, padding=0)

    def _draw_targets(self, xs, targets) -> None:
        tx, ty = [], []
        for x, target in zip(xs, targets, strict=True):
            if target is not None:
                tx += [x - 0.4, x + 0.4]
                ty += [target, target]
        self._targets.setData(tx, ty)

    def _draw_labels(self, xs, values, targets) -> None:
        for label in self._labels:
            self.removeItem(label)
        self._labels = []
        for x, value, target in zip(xs, values, targets, strict=True):
            text = "–" if value is None else f"{value:.0f}"
            # Above both the bar and the dashed target tick, so neither crosses the digits.
            label = pg.TextItem(
                text, color="#2c3e50", anchor=(0.5, 1.0), fill=pg.mkBrush(self.LABEL_FILL)
            )
            label.setPos(x, max(value or 0, target or 0))
            self.addItem(label)
            self._labels.append(label)


def _brush(value: float | None, target: float | None):
    if value is None:
        return pg.mkBrush(NO_DATA)
    if target is not None and value > target:
        return pg.mkBrush(BAD)
    return pg.mkBrush(GOOD)


class QtKpiDock(QDockWidget):
    def __init__(self, parent=None):
        super().__init__(tr("KPI hari ini"), parent)
        self.setObjectName("kpiDock")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.rpt_chart = QtKpiChart(tr("RPT rata-rata (menit)"))
        self.rct_chart = QtKpiChart(tr("RCT rata-rata (menit)"))
        layout = QVBoxLayout()
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.rpt_chart)
        layout.addWidget(self.rct_chart)
        box = QWidget()
        box.setLayout(layout)
        self.setWidget(box)

    def set_kpis(self, kpis: list, overall) -> None:
        names = [k.ulp for k in kpis]
        self.rpt_chart.show_values(
            names, [k.rpt_mean_min for k in kpis], [k.rpt_target_min for k in kpis]
        )
        self.rct_chart.show_values(
            names, [k.rct_mean_min for k in kpis], [k.rct_target_min for k in kpis]
        )
        self.summary.setText(_summary_text(overall))


NBSP = "\u00a0"


def _summary_text(overall) -> str:
    if overall is None:
        return ""

    def fmt(value, unit=""):
        return "–" if value is None else f"{value:.1f}{unit}"

    # No-break spaces: "31.2 %)" must not wrap apart in a narrow dock.
    def kpi(name: str, mean, achieved) -> str:
        mean_text, achieved_text = fmt(mean, NBSP + "mnt"), fmt(achieved, NBSP + "%")
        return f"{name}{NBSP}{mean_text} ({tr('capaian')}{NBSP}{achieved_text})"

    rpt = kpi("RPT", overall.rpt_mean_min, overall.rpt_achievement_pct)
    rct = kpi("RCT", overall.rct_mean_min, overall.rct_achievement_pct)
    return (
        tr("Hari ini (WIB): <b>{n}</b> laporan, <b>{o}</b> terbuka").format(
            n=overall.reports, o=overall.open_reports
        )
        + f" · {rpt} · {rct}"
    )
