"""Stage moves from the console: a menu of only the valid next stages (queue rows and
map pins), keyboard shortcuts, Batal with a reason, and the doors to the time
correction and the history view.

Moves to Penugasan and back to Lapor are dispatch (a crew is chosen or taken back),
so they go through the window's dispatch path; every other move goes through
services.lifecycle in a transaction of its own.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMenu,
    QToolBar,
    QVBoxLayout,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop.domain import ALLOWED_MOVES, STAGE_LABELS, STAGE_ORDER, Stage
from comcen_desktop.i18n import tr
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import utc_now
from services import events, lifecycle

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c0392b;"
# Alt+1..7 move the selected report to the n-th stage of STAGE_ORDER; Alt+X is Batal.
STAGE_SHORTCUTS = {stage: f"Alt+{i}" for i, stage in enumerate(STAGE_ORDER, start=1)}
STAGE_SHORTCUTS[Stage.BATAL] = "Alt+X"


def next_stages(stage: Stage) -> list[Stage]:
    """The stages a report in ``stage`` may move to, in the order of the work."""
    allowed = ALLOWED_MOVES[Stage(stage)]
    return [s for s in [*STAGE_ORDER, Stage.BATAL] if s in allowed]


def move_report(
    database,
    report_id: int,
    target: Stage,
    actor: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> str | None:
    """Move one report in a transaction of its own: None when stored, else the
    refusal in words (a rule, a lost race, a busy database) — never an exception."""
    try:
        with database.transaction() as session:
            report = session.get(Report, report_id)
            if report is None:
                return tr("Laporan {n} sudah ditutup atau tidak ada.").format(n=report_id)
            if expected_version is not None and report.version != expected_version:
                return _changed(report)
            if target is Stage.BATAL:
                lifecycle.cancel(session, report, reason or "", utc_now(), actor)
            else:
                lifecycle.advance(session, report, target, utc_now(), actor)
    except ValueError as exc:  # lifecycle.StageError, authz.PermissionRefused: in words
        return str(exc)
    except StaleDataError:
        return tr("Laporan baru saja diubah di konsol lain.")
    except OperationalError as exc:
        log.warning("Stage move: database busy (%s)", exc.orig)
        return tr("Database sibuk atau tidak terjangkau; perubahan belum tersimpan, coba lagi.")
    except SQLAlchemyError as exc:
        log.exception("Stage move failed")
        first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
        return tr("Database menolak perubahan: {e}").format(e=first_line)
    return None


def _changed(report: Report) -> str:
    return tr("Laporan {n} baru saja diubah di konsol lain ('{stage}').").format(
        n=report.number, stage=STAGE_LABELS[Stage(report.stage)]
    )


class QtCancelDialog(QDialog):
    """Batal needs a reason: the dialog will not close on an empty one. ``submit``
    stores it and returns a refusal to show here (or None)."""

    def __init__(self, number: str, submit=None, parent=None):
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(tr("Batalkan laporan"))
        self.reason_edit = QLineEdit(placeholderText=tr("Alasan pembatalan (wajib)"))
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.reason_edit.returnPressed.connect(self.accept)
        self.reason_edit.textChanged.connect(lambda _t: self.error_label.hide())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Batalkan laporan"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Kembali"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{tr('Laporan')} {number} → {STAGE_LABELS[Stage.BATAL]}"))
        layout.addWidget(QLabel(tr("Alasan:")))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(420, 160)

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def accept(self) -> None:
        if not self.reason():
            self.show_error(tr("Batal butuh alasan."))
            return
        problem = self._submit(self.reason()) if self._submit is not None else None
        if problem:
            self.show_error(problem)
            return
        super().accept()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.reason_edit.setFocus()


def build_stage_menu(menu: QMenu, report, actions) -> None:
    """Add the stage moves valid for ``report`` (a ReportView) and the report's other
    actions to ``menu``; ``actions`` is the window's QtReportActions."""
    stage_menu = menu.addMenu(tr("Pindah tahap"))
    for target in next_stages(report.stage):
        text = STAGE_LABELS[target] + ("…" if target is Stage.BATAL else "")
        action = stage_menu.addAction(text, lambda t=target: actions.move(report.id, t))
        action.setShortcut(STAGE_SHORTCUTS[target])
        action.setData(target.value)
    stage_menu.setEnabled(bool(stage_menu.actions()))
    menu.addAction(tr("Koreksi waktu…"), lambda: actions.correct_time(report.id))
    if getattr(report, "placement_flag", None):
        menu.addAction(tr("Tempatkan…"), lambda: actions.place(report.id))
    # Enter and double-click on a queue row open the history too.
    menu.addAction(tr("Riwayat"), lambda: actions.open_history(report.id))


def stage_actions_of(menu: QMenu) -> dict[str, object]:
    """The stage moves a menu offers, by stage value (for tests and the keyboard)."""
    found = {}
    for action in menu.actions():
        sub = action.menu()
        if sub is not None:
            found.update({a.data(): a for a in sub.actions() if a.data()})
    return found


class QtReportActions(QObject):
    """The report actions of the main window: "Laporan baru" (F2), the row and pin
    menus, stage shortcuts, Batal, time correction, placing a flagged report and the
    history. Dialogs open without blocking (open()/show()), so the console keeps
    following the database while one is up."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.call_form = self.cancel_dialog = self.time_dialog = None
        self.history_dialog = self.place_dialog = None
        self._select_when_loaded: int | None = None
        self._add_actions()
        window.queue_dock.menu_extender = self.extend_menu
        window.queue_dock.historyRequested.connect(self.open_history)
        window.map_view.reportMenuRequested.connect(self._pin_menu)
        window.stateApplied.connect(self._state_applied)

    def _add_actions(self) -> None:
        window = self.window
        new = QAction(tr("Laporan baru"), window)
        new.setShortcut("F2")
        new.setToolTip(f"{tr('Laporan baru')} (F2)")
        new.triggered.connect(self.open_call_form)
        bar = window.findChild(QToolBar, "mainToolbar")
        bar.insertAction(bar.actions()[0] if bar.actions() else None, new)
        window.actions["new_report"] = new
        for target, keys in STAGE_SHORTCUTS.items():
            action = QAction(STAGE_LABELS[target], window)
            action.setShortcut(keys)
            action.triggered.connect(lambda _=False, t=target: self._move_selected(t))
            window.addAction(action)
            window.actions[f"stage_{target.value}"] = action
        correct = QAction(tr("Koreksi waktu…"), window)
        correct.setShortcut("Ctrl+K")
        correct.triggered.connect(lambda: self._with_selected(self.correct_time))
        window.addAction(correct)
        window.actions["correct_time"] = correct

    # --- menus -------------------------------------------------------------------

    def extend_menu(self, menu: QMenu, ids: list[int]) -> None:
        report = self.window._reports.get(ids[0]) if len(ids) == 1 else None
        if report is None:
            menu.addAction(tr("Pindah tahap: pilih satu laporan")).setEnabled(False)
            return
        build_stage_menu(menu, report, self)

    def _pin_menu(self, ids: list[int], global_pos) -> None:
        self.window._map_selected(ids)
        menu = QMenu(self.window)
        self.extend_menu(menu, ids)
        menu.exec(global_pos)
        menu.deleteLater()

    def _with_selected(self, run) -> None:
        ids = self.window.queue_dock.selected_ids() or self.window.map_view.selected_reports()
        if len(ids) != 1:
            self.window.show_message(tr("Pilih satu laporan dulu."), error=True)
            return
        run(ids[0])

    def _move_selected(self, target: Stage) -> None:
        self._with_selected(lambda report_id: self.move(report_id, target))

    # --- stage moves -------------------------------------------------------------

    def move(self, report_id: int, target: Stage) -> None:
        """Dispatch moves go to the dispatch path; Batal asks for the reason first."""
        window = self.window
        report = window._reports.get(report_id)
        if target is Stage.PENUGASAN:
            window.assign_with_dialog([report_id])
        elif target is Stage.LAPOR and report is not None and report.stage is Stage.PENUGASAN:
            window.unassign_with_prompt([report_id])
        elif target is Stage.BATAL:
            number = report.number if report is not None else str(report_id)
            submit = lambda reason: self._store_move(report_id, target, reason)  # noqa: E731
            self.cancel_dialog = QtCancelDialog(number, submit, window)
            self.cancel_dialog.open()
        else:
            problem = self._store_move(report_id, target)
            if problem:
                window.show_message(problem, error=True)

    def _store_move(self, report_id: int, target: Stage, reason: str | None = None):
        report = self.window._reports.get(report_id)
        problem = move_report(
            self.window.database,
            report_id,
            target,
            events.current_actor(),
            reason=reason,
            expected_version=report.version if report is not None else None,
        )
        self.window.follower.refresh()
        if problem is None:
            number = report.number if report is not None else str(report_id)
            self.window.show_message(f"{number} → {STAGE_LABELS[target]}")
        return problem

    # --- dialogs -----------------------------------------------------------------

    def correct_time(self, report_id: int) -> None:
        from ui.time_correction import QtTimeCorrectionDialog

        self.time_dialog = QtTimeCorrectionDialog(self.window.database, report_id, self.window)
        self.time_dialog.accepted.connect(self._time_corrected)
        self.time_dialog.open()

    def _time_corrected(self) -> None:
        self.window.follower.refresh()
        self.window.show_message(tr("Waktu tahap dikoreksi."))

    def open_history(self, report_id: int) -> None:
        from ui.report_history import QtReportHistoryDialog

        if self.history_dialog is not None:
            self.history_dialog.close()
        self.history_dialog = QtReportHistoryDialog(self.window.database, report_id, self.window)
        self.history_dialog.show()

    def place(self, report_id: int) -> None:
        from ui.time_correction import QtPlaceDialog

        self.place_dialog = QtPlaceDialog(
            self.window.database, report_id, self.window.map_view, self.window
        )
        self.place_dialog.accepted.connect(self.window.follower.refresh)
        self.place_dialog.show()

    def open_call_form(self) -> None:
        from ui.call_form import QtCallForm

        if self.call_form is not None and self.call_form.isVisible():
            self.call_form.raise_()
            self.call_form.activateWindow()
            return
        self.call_form = QtCallForm(self.window.database, self.window, self.window.map_view)
        self.call_form.reportSaved.connect(self._report_saved)
        self.call_form.openReportRequested.connect(self._open_earlier)
        self.call_form.show()
        # The operator is on the phone: typing must land in IDPEL at once, also where
        # the window manager would leave the focus on the main window.
        self.call_form.raise_()
        self.call_form.activateWindow()

    def _report_saved(self, report_id: int) -> None:
        self._select_when_loaded = report_id
        self.window.show_message(self.call_form.saved_message)
        self.window.follower.refresh()

    def _open_earlier(self, report_id: int) -> None:
        self.window._map_selected([report_id])
        self.open_history(report_id)

    def _state_applied(self, _state) -> None:
        """Select a report saved by the call form once the queue shows it."""
        wanted = self._select_when_loaded
        if wanted is not None and wanted in self.window._reports:
            self._select_when_loaded = None
            self.window._map_selected([wanted])
            # The next step for a new report is its crew: show the proposals at once.
            propose = getattr(self.window, "_propose_for", None)
            if propose is not None:
                propose([wanted])
