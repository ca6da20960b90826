"""Panels of the video wall: big KPI numbers, per-ULP bars and the board of late jobs.

Everything here is read from far away and by anyone in the room, so the text is built
only from fields that carry no customer data (number, ULP, village, stage, age, crew);
``scrub`` removes the rest before a report reaches any wall widget.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from comcen_desktop.domain import RESPONDED_STAGES, RESTORED_STAGES, STAGE_LABELS
from comcen_desktop.i18n import tr
from services.queries import ReportView
from ui.kpi_dock import QtKpiChart

BACKGROUND = "#0b1220"
PANEL = "#16213a"
TEXT = "#f5f7fa"
MUTED = "#aab4c8"
LATE_RED = "#ff5c5c"
GOOD_GREEN = "#3ddc97"
# Sizes at 1080 lines; the wall scales them with its screen's height.
BODY_PX, HEADLINE_PX, SMALL_PX = 30, 64, 28
PERSONAL_FIELDS = ("idpel", "name", "phone", "address", "description")
# The five ULP names do not fit under narrow bars at wall size; these stay readable.
SHORT_ULP = {"Pangkalpinang": "P.Pinang", "Sungailiat": "S.Liat"}


@dataclass(frozen=True)
class WallFonts:
    body: int
    headline: int
    small: int

    @classmethod
    def for_height(cls, height_px: int) -> WallFonts:
        factor = max(height_px, 480) / 1080
        return cls(round(BODY_PX * factor), round(HEADLINE_PX * factor), round(SMALL_PX * factor))


def scrub(report: ReportView) -> ReportView:
    """The report without the fields that identify a customer."""
    return dataclasses.replace(report, **dict.fromkeys(PERSONAL_FIELDS))


@dataclass(frozen=True)
class LateJob:
    number: str
    ulp: str
    village: str
    stage: str
    minutes_late: float
    crew: str | None


def late_jobs(reports: list[ReportView], rpt_target: float, rct_target: float) -> list[LateJob]:
    """Open jobs past their target, worst first: the response target until a crew is
    on site, the recovery target after that until power is back."""
    jobs = []
    for report in reports:
        if report.stage in RESTORED_STAGES:
            continue
        target = rct_target if report.stage in RESPONDED_STAGES else rpt_target
        late = report.response_min - target
        if late > 0:
            stage = STAGE_LABELS[report.stage]
            village = report.village or "–"
            jobs.append(LateJob(report.number, report.ulp, village, stage, late, report.crew))
    return sorted(jobs, key=lambda job: -job.minutes_late)


def short_ulp(name: str) -> str:
    return SHORT_ULP.get(name, name if len(name) <= 8 else name[:7] + ".")


def _fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:.1f}{unit}"


class QtBigNumber(QFrame):
    """A caption over a large figure, with an optional line under it."""

    def __init__(self, caption: str, parent=None):
        super().__init__(parent)
        self.setObjectName("tile")
        self.name = caption
        self.caption = QLabel(caption)
        self.caption.setObjectName("caption")
        self.value = QLabel("–")
        self.value.setObjectName("headline")
        self.note = QLabel("")
        self.note.setObjectName("caption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(0)
        for label in (self.caption, self.value, self.note):
            layout.addWidget(label)

    def show_value(self, text: str, colour: str = TEXT, note: str = "") -> None:
        self.value.setText(text)
        self.value.setStyleSheet(f"color: {colour};")
        self.note.setText(note)
        self.note.setVisible(bool(note))


class QtWallNumbers(QWidget):
    """Today's figures for the whole UP3: reports, open, late, RPT and RCT."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.reports = QtBigNumber(tr("Hari ini"))
        self.open = QtBigNumber(tr("Terbuka"))
        self.late = QtBigNumber(tr("Lewat target"))
        self.outages = QtBigNumber(tr("Padam meluas"))
        self.rpt = QtBigNumber("RPT")
        self.rct = QtBigNumber("RCT")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        # Four counts on top, the two times below them, half a row each.
        for column, tile in enumerate((self.reports, self.open, self.late, self.outages)):
            grid.addWidget(tile, 0, column, 1, 1)
        grid.addWidget(self.rpt, 1, 0, 1, 2)
        grid.addWidget(self.rct, 1, 2, 1, 2)
        for column in range(4):
            grid.setColumnStretch(column, 1)

    def set_figures(self, overall, open_count: int, late_count: int, incidents=()) -> None:
        if overall is None:
            return
        # A wider outage is the room's first concern in a storm: its own tile, counted
        # once per incident, with the reports it holds under it.
        members = sum(len(i.member_ids) for i in incidents)
        note = f"{members} {tr('laporan')}" if incidents else ""
        self.outages.show_value(str(len(incidents)), LATE_RED if incidents else TEXT, note)
        self.reports.show_value(str(overall.reports))
        # Everything open now, whatever day it came in: the same set as the late count.
        self.open.show_value(str(open_count))
        self.late.show_value(str(late_count), LATE_RED if late_count else GOOD_GREEN)
        for tile, mean, target, achieved in (
            (self.rpt, overall.rpt_mean_min, overall.rpt_target_min, overall.rpt_achievement_pct),
            (self.rct, overall.rct_mean_min, overall.rct_target_min, overall.rct_achievement_pct),
        ):
            colour = TEXT if mean is None else (GOOD_GREEN if mean <= target else LATE_RED)
            achieved_text = "–" if achieved is None else f"{achieved:.0f} %"
            tile.caption.setText(f"{tile.name} · target {target:.0f} mnt")
            tile.show_value(_fmt(mean, " mnt"), colour, f"{tr('capaian')} {achieved_text}")


class QtWallKpiChart(QtKpiChart):
    """The console's per-ULP bars, light on dark and in wall-sized type."""

    LABEL_FILL = (11, 18, 32, 200)  # BACKGROUND, a little see-through

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self._title = title
        self.setBackground(BACKGROUND)
        self.setMinimumHeight(120)
        self._targets.setPen(pg.mkPen(TEXT, width=3, style=Qt.PenStyle.DashLine))
        self._font = QFont()
        self.apply_fonts(WallFonts.for_height(1080))

    def apply_fonts(self, fonts: WallFonts) -> None:
        self._font = QFont()
        self._font.setPixelSize(fonts.small)
        self.setTitle(self._title, color=TEXT, size=f"{fonts.body}px")
        for side in ("bottom", "left"):
            axis = self.getAxis(side)
            axis.setStyle(tickFont=self._font)
            axis.setTextPen(pg.mkPen(TEXT))
            axis.setPen(pg.mkPen(MUTED))
        self.getAxis("left").setWidth(fonts.small * 3)
        for label in self._labels:
            label.setFont(self._font)

    def show_values(self, names, values, targets) -> None:
        super().show_values([short_ulp(n) for n in names], values, targets)
        # Room above the tallest bar for its wall-sized value label.
        top = max([v or 0.0 for v in values] + [t or 0.0 for t in targets] + [1.0])
        self.setYRange(0, top * 1.6, padding=0)

    def _draw_labels(self, xs, values, targets) -> None:
        super()._draw_labels(xs, values, targets)
        for label in self._labels:
            label.setColor(TEXT)
            label.setFont(self._font)


class QtLateBoard(QFrame):
    """The worst late jobs, two lines each: how late, where; number, stage, crew."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("board")
        self.title = QLabel(tr("Pekerjaan lewat target"))
        self.title.setObjectName("boardTitle")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.title)
        self.rows: list[QLabel] = []
        self._body_px = BODY_PX
        self._jobs: list[LateJob] = []
        self._layout.addStretch(1)

    def apply_fonts(self, fonts: WallFonts) -> None:
        self._body_px = fonts.body
        self._rebuild()

    def set_jobs(self, jobs: list[LateJob]) -> None:
        self._jobs = jobs
        self._rebuild()

    def capacity(self) -> int:
        """How many two-line rows fit the board's height now."""
        row_px = self._body_px * 2.9
        free = self.height() - self.title.sizeHint().height() - 24
        return max(1, int(free // row_px))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if len(self.rows) != min(len(self._jobs), self.capacity()):
            self._rebuild()

    def _rebuild(self) -> None:
        for label in self.rows:
            self._layout.removeWidget(label)
            label.deleteLater()
        shown = self._jobs[: self.capacity()]
        self.rows = [self._row(job) for job in shown]
        for index, label in enumerate(self.rows):
            self._layout.insertWidget(1 + index, label)
        hidden = len(self._jobs) - len(shown)
        title = f"{tr('Pekerjaan lewat target')}: {len(self._jobs)}"
        # Short enough for the board's width at wall type size: which ones are shown.
        self.title.setText(title + (f" · {len(shown)} {tr('terburuk')}" if hidden else ""))
        if not self._jobs:
            self.title.setText(f"{tr('Pekerjaan lewat target')}: 0 ✓")

    def _row(self, job: LateJob) -> QLabel:
        late = f"+{job.minutes_late:.0f} mnt"
        crew = job.crew or tr("belum ada regu")
        label = QLabel(
            f"<span style='color:{LATE_RED}; font-weight:700'>{late}</span>&nbsp;&nbsp;"
            f"<b>{_esc(job.ulp)}</b> · {_esc(job.village)}<br>"
            f"<span style='color:{MUTED}'>{_esc(job.number)} · {_esc(job.stage)} · "
            f"{_esc(crew)}</span>"
        )
        label.setObjectName("lateRow")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return label


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
