"""Corrections by the operator, each refused in the dialog with the reason:

- the time of a stage already reached: pick the stage, type the right WIB time and
  say why; the original time, the new one, who and why are kept
  (services.lifecycle.correct_stage_time);
- the place of a report whose point could not be trusted (report.placement_flag):
  the likely fix in one click, or a click on the map (services.intake.place_report).
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop.domain import STAGE_LABELS, STAGE_ORDER, Stage
from comcen_desktop.i18n import tr
from comcen_desktop.storage.models import Report, ReportStage
from comcen_desktop.timeutil import WIB, format_wib, to_wib
from services import events, intake, lifecycle

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c0392b;"
WIB_FORMAT = "dd-MM-yyyy HH:mm"


def wib_to_qt(moment: datetime) -> QDateTime:
    """A QDateTime showing the WIB wall-clock time of ``moment``."""
    local = to_wib(moment).replace(tzinfo=None, second=0, microsecond=0)
    return QDateTime(local)


def qt_to_utc(value: QDateTime) -> datetime:
    """The WIB wall-clock time in the editor as an aware datetime."""
    return value.toPython().replace(tzinfo=WIB, second=0, microsecond=0)


class QtTimeCorrectionDialog(QDialog):
    def __init__(self, database, report_id: int, parent=None, stage: Stage | None = None):
        super().__init__(parent)
        self.database = database
        self.report_id = report_id
        self.setWindowTitle(tr("Koreksi waktu tahap"))
        self._times: dict[Stage, datetime] = {}
        self.number = self._load()

        self.stage_combo = QComboBox()
        for reached in self._times:
            self.stage_combo.addItem(STAGE_LABELS[reached], reached.value)
        self.time_edit = QDateTimeEdit(displayFormat=WIB_FORMAT, calendarPopup=True)
        self.current_label = QLabel()
        self.reason_edit = QLineEdit(placeholderText=tr("Alasan koreksi (wajib)"))
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.stage_combo.currentIndexChanged.connect(self._stage_chosen)
        self.reason_edit.returnPressed.connect(self.accept)
        # An error is about the values as they were: it goes once the operator edits.
        self.time_edit.dateTimeChanged.connect(self._clear_error)
        self.reason_edit.textEdited.connect(self._clear_error)
        self._build()
        if stage is not None and stage in self._times:
            self.stage_combo.setCurrentIndex(list(self._times).index(stage))
        self._stage_chosen()

    def _load(self) -> str:
        with self.database.read() as session:
            report = session.get(Report, self.report_id)
            if report is None:
                return str(self.report_id)
            rows = session.execute(
                select(ReportStage.stage, ReportStage.at).where(
                    ReportStage.report_id == self.report_id
                )
            ).all()
            number = report.number
        order = [*STAGE_ORDER, Stage.BATAL]
        reached = sorted(((Stage(s), at) for s, at in rows), key=lambda r: order.index(r[0]))
        self._times = dict(reached)
        return number

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow(tr("Tahap"), self.stage_combo)
        form.addRow(tr("Waktu tercatat"), self.current_label)
        form.addRow(tr("Waktu baru (WIB)"), self.time_edit)
        form.addRow(tr("Alasan"), self.reason_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Simpan"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{tr('Laporan')} {self.number}"))
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        if not self._times:
            self.show_error(tr("Laporan ini belum punya tahap yang bisa dikoreksi."))
        self.resize(440, 220)

    def chosen_stage(self) -> Stage | None:
        value = self.stage_combo.currentData()
        return Stage(value) if value else None

    def set_time(self, moment: datetime) -> None:
        self.time_edit.setDateTime(wib_to_qt(moment))

    def _stage_chosen(self, *_args) -> None:
        stage = self.chosen_stage()
        if stage is None:
            return
        self.current_label.setText(format_wib(self._times[stage]))
        self.set_time(self._times[stage])

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _clear_error(self, *_args) -> None:
        self.error_label.hide()

    def accept(self) -> None:
        stage = self.chosen_stage()
        if stage is None:
            return
        new_at = qt_to_utc(self.time_edit.dateTime())
        shown = self._times[stage].replace(second=0, microsecond=0)
        if new_at == shown:
            # The editor shows minutes: saving the time as shown would only drop the
            # recorded seconds, a change nobody asked for.
            self.show_error(tr("Waktu belum diubah; ketik waktu yang benar dulu."))
            return
        problem = self._save(stage, new_at, self.reason_edit.text())
        if problem:
            self.show_error(problem)
            return
        super().accept()

    def _save(self, stage: Stage, new_at: datetime, reason: str) -> str | None:
        try:
            with self.database.transaction() as session:
                report = session.get(Report, self.report_id)
                lifecycle.correct_stage_time(
                    session, report, stage, new_at, events.current_actor(), reason
                )
        except ValueError as exc:  # StageError, a refused role: the operator reads why
            return str(exc)
        except StaleDataError:
            return tr("Laporan baru saja diubah di konsol lain.")
        except SQLAlchemyError as exc:
            log.exception("Time correction failed")
            first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
            return tr("Database menolak perubahan: {e}").format(e=first_line)
        return None


class QtPlaceDialog(QDialog):
    """Place a flagged report: the likely fix, or a point picked on the map."""

    def __init__(self, database, report_id: int, map_view=None, parent=None):
        super().__init__(parent)
        self.database = database
        self.report_id = report_id
        self.map_view = map_view
        self._picking = False
        with database.read() as session:
            report = session.get(Report, report_id)
            self.number = report.number if report is not None else str(report_id)
            self.fix = dict(report.placement_fix or {}) if report is not None else {}
        self.setWindowTitle(f"{tr('Tempatkan')} {self.number}")
        self.fix_button = QPushButton(self._fix_text())
        self.fix_button.setEnabled(self._fix_point() is not None)
        self.fix_button.clicked.connect(lambda: self.place_at(*self._fix_point()))
        self.pick_button = QPushButton(tr("Pilih di peta"))
        self.pick_button.setEnabled(map_view is not None)
        self.pick_button.clicked.connect(self.start_pick)
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self._reason_text(), wordWrap=True))
        for widget in (self.fix_button, self.pick_button, self.error_label):
            layout.addWidget(widget)
        self.resize(460, 200)

    def _fix_point(self) -> tuple[float, float] | None:
        lon, lat = self.fix.get("lon"), self.fix.get("lat")
        return None if lon is None or lat is None else (float(lon), float(lat))

    def _fix_text(self) -> str:
        point = self._fix_point()
        if point is None:
            return tr("Tidak ada perbaikan yang diusulkan")
        return f"{tr('Pakai perbaikan')}: {point[1]:.5f}, {point[0]:.5f}"

    def _reason_text(self) -> str:
        given = self.fix.get("given") or {}
        told = f"{given.get('lat')}, {given.get('lon')}" if given else "–"
        return (f"{tr('Titik yang dikirim')}: {told}\n"
                f"{self.fix.get('reason') or tr('Lokasi perlu ditempatkan')}")  # fmt: skip

    def start_pick(self) -> None:
        if self.map_view is None or self._picking:
            return
        self._picking = True
        self.map_view.pointPicked.connect(self._picked)
        self.map_view.start_pick()

    def _stop_pick(self) -> None:
        if self._picking:
            self._picking = False
            self.map_view.pointPicked.disconnect(self._picked)
            self.map_view.stop_pick()

    def _picked(self, lon: float, lat: float) -> None:
        self._stop_pick()
        self.raise_()
        self.place_at(lon, lat)

    def place_at(self, lon: float, lat: float) -> bool:
        try:
            with self.database.transaction() as session:
                report = session.get(Report, self.report_id)
                intake.place_report(session, report, lon, lat, events.current_actor())
        except ValueError as exc:  # intake.PlacementError: outside every ULP
            self.error_label.setText(str(exc))
            self.error_label.show()
            return False
        except SQLAlchemyError as exc:
            log.exception("Placing a report failed")
            first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
            self.error_label.setText(tr("Database menolak perubahan: {e}").format(e=first_line))
            self.error_label.show()
            return False
        self.accept()
        return True

    def done(self, result: int) -> None:
        self._stop_pick()
        super().done(result)
