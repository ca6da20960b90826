"""The console's main window: the map in the centre, queue, crew board and KPIs docked."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QToolBar

from comcen_desktop import STARTED_AT
from comcen_desktop.i18n import tr
from comcen_desktop.storage.engine import describe
from comcen_desktop.timeutil import format_wib
from maps.qt_map_view import QtMapView
from services import console
from services.console import ConsoleState
from ui import audit_view
from ui.connection_banner import QtConnectionBanner
from ui.crew_board import QtCrewBoardDock
from ui.handover_dialog import QtHandoverDialog, ShiftWatch, build_recap, save_recap
from ui.kpi_dock import QtKpiDock
from ui.kpi_panels import QtLateListDock, QtStageCountsDock, QtTrendDock
from ui.notice_outbox import QtNoticeOutbox
from ui.queue_dock import QtReportQueueDock
from ui.settings_dialog import QtSettingsDialog
from ui.stage_menu import QtReportActions
from ui.sync import QtStateFollower
from ui.window_dispatch import DispatchMixin

log = logging.getLogger(__name__)

TITLE = "Comcen UP3 Bangka"
ERROR_STYLE = "color: white; background: #c0392b; padding: 2px 6px;"
INFO_STYLE = "color: white; background: #1b998b; padding: 2px 6px;"
MESSAGE_INFO_MS, MESSAGE_ERROR_MS = 10_000, 30_000
SHIFT_CHECK_MS = 60_000


class QtMainWindow(DispatchMixin, QMainWindow):
    stateApplied = Signal(object)  # ConsoleState, after every dock and the map took it
    messageShown = Signal(str, bool)  # text, is_error

    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.database = database
        self.state: ConsoleState | None = None
        self._reports = {}
        self._crews = {}
        self.live_simulation = None
        self._first_paint_logged = False
        self.resize(1600, 950)

        self.map_view = QtMapView()
        self.setCentralWidget(self.map_view)
        self.queue_dock = QtReportQueueDock(self)
        self.crew_dock = QtCrewBoardDock(self.check_drop, self)
        self.kpi_dock = QtKpiDock(self)
        # Queue over KPIs on the left, the crew board full height on the right: cards
        # are drop targets and need room; the charts need width for five ULP names.
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.queue_dock)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.kpi_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.crew_dock)
        self.resizeDocks([self.queue_dock, self.crew_dock], [640, 340], Qt.Orientation.Horizontal)
        self.resizeDocks([self.queue_dock, self.kpi_dock], [560, 420], Qt.Orientation.Vertical)
        self._add_kpi_panels()
        self._build_toolbar()
        self._build_status_bar()
        self._connect()
        self._build_dispatch()
        audit_view.install(self)  # Berkas → Audit…, for roles with audit.view
        self.report_actions = QtReportActions(self)  # F2 call form, stage menu, history
        self.notice_outbox = QtNoticeOutbox(self)  # customer notices: outbox, indicator
        self._add_incidents_dock()
        self._update_title()

        self.map_view.set_static(*_static_parts(console.load_static(database)))
        self._shift_watch = ShiftWatch()
        self._shift_timer = QTimer(self)
        self._shift_timer.setInterval(SHIFT_CHECK_MS)
        self._shift_timer.timeout.connect(self._check_shift_change)
        self._shift_timer.start()
        self.follower = QtStateFollower(database)
        self.follower.stateLoaded.connect(self.apply_state)
        self.follower.loadFailed.connect(self._sync_failed)
        self.connection_banner = QtConnectionBanner.install(self, self.follower)

    # --- building --------------------------------------------------------------

    def _add_kpi_panels(self) -> None:
        """Trend and stage counts share the KPI area as tabs; the late list sits under
        the crew board, where the operator looks when choosing who goes next."""
        self.trend_dock = QtTrendDock(self)
        self.stage_dock = QtStageCountsDock(self)
        self.late_dock = QtLateListDock(self)
        self.tabifyDockWidget(self.kpi_dock, self.trend_dock)
        self.tabifyDockWidget(self.trend_dock, self.stage_dock)
        self.kpi_dock.raise_()
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.late_dock)
        self.resizeDocks([self.crew_dock, self.late_dock], [640, 300], Qt.Orientation.Vertical)
        self.late_dock.reportActivated.connect(lambda i: self._map_selected([i]))

    def _add_incidents_dock(self) -> None:
        """Padam meluas proposals and incidents, tabbed with the crew board's late list."""
        from ui.incidents_dock import QtIncidentsDock

        self.incidents_dock = QtIncidentsDock(self.database, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.incidents_dock)
        self.tabifyDockWidget(self.late_dock, self.incidents_dock)
        self.late_dock.raise_()
        # The follower is made later in __init__: look it up when the signal comes.
        self.incidents_dock.changed.connect(lambda: self.follower.refresh())
        self.incidents_dock.messageShown.connect(self.show_message)
        self.incidents_dock.reportsActivated.connect(self._map_selected)
        self.view_menu.insertAction(self.actions["wall"], self.incidents_dock.toggleViewAction())

    def _build_toolbar(self) -> None:
        bar = QToolBar(tr("Peta"))
        bar.setObjectName("mainToolbar")
        self.addToolBar(bar)
        self.actions = {}
        specs = [
            (
                "zoom_in",
                tr("Perbesar"),
                QKeySequence.StandardKey.ZoomIn,
                self.map_view.zoom_in,
            ),
            (
                "zoom_out",
                tr("Perkecil"),
                QKeySequence.StandardKey.ZoomOut,
                self.map_view.zoom_out,
            ),
            ("fit", tr("Seluruh pulau"), "Ctrl+0", self.map_view.fit_island),
            ("assign", tr("Tugaskan ke…"), None, self.assign_selected),
            ("save_map", tr("Simpan peta"), QKeySequence.StandardKey.Save, self.save_map),
            ("settings", tr("Pengaturan"), None, self.open_settings),
        ]
        for key, text, shortcut, slot in specs:
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            bar.addAction(action)
            self.actions[key] = action
        self.actions["assign"].setToolTip("Ctrl+T")
        simulate = QAction(tr("Simulasi langsung"), self, checkable=True)
        simulate.toggled.connect(self.set_live_simulation)
        bar.addSeparator()
        bar.addAction(simulate)
        self.actions["simulate"] = simulate
        file_menu = self.menuBar().addMenu(tr("Berkas"))
        file_menu.addAction(self.actions["save_map"])
        self._add_print_export_actions(file_menu)
        file_menu.addAction(self.actions["settings"])
        recap = QAction(tr("Rekap serah terima…"), self)
        recap.setShortcut("Ctrl+H")
        recap.triggered.connect(self.open_handover)
        file_menu.addAction(recap)
        self.actions["handover"] = recap
        history = QAction(tr("Impor riwayat…"), self)
        history.triggered.connect(self.open_import)
        file_menu.addAction(history)
        self.actions["import"] = history
        file_menu.addSeparator()
        quit_action = QAction(tr("Keluar"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = view_menu = self.menuBar().addMenu(tr("Tampilan"))
        docks = (self.queue_dock, self.crew_dock, self.kpi_dock, self.trend_dock,
                 self.stage_dock, self.late_dock)  # fmt: skip
        for dock in docks:
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        legend = QAction(tr("Legenda"), self, checkable=True, checked=True)
        legend.toggled.connect(self.map_view.set_legend_visible)
        view_menu.addAction(legend)
        self.actions["legend"] = legend
        wall = QAction(tr("Buka layar dinding"), self)
        wall.triggered.connect(self.open_wall)
        view_menu.addAction(wall)
        self.actions["wall"] = wall

    def _build_status_bar(self) -> None:
        self._message_timer = QTimer(self, singleShot=True)
        self._message_timer.timeout.connect(self._clear_message)
        self.message_label = QLabel()
        self.sync_label = QLabel()
        self.statusBar().addWidget(self.message_label, 1)
        self.statusBar().addPermanentWidget(self.sync_label)

    def _connect(self) -> None:
        self.queue_dock.reportsSelected.connect(self._queue_selected)
        self.queue_dock.assignRequested.connect(self.assign_with_dialog)
        self.map_view.reportsSelected.connect(self._map_selected)
        self.map_view.set_drop_checker(self.check_drop)
        self.map_view.reportsDroppedOnCrew.connect(self.assign)
        self.map_view.dropRefused.connect(lambda text: self.show_message(text, error=True))
        self.crew_dock.reportsDroppedOnCrew.connect(self.assign)
        self.crew_dock.dropRefused.connect(lambda text: self.show_message(text, error=True))

    def start(self) -> None:
        """Begin following the database; separate from __init__ so tests control it."""
        self.follower.start()
        self._start_api()
        self._start_drop_folder()
        self.notice_outbox.start()

    def _start_drop_folder(self) -> None:
        # Report files are read on a plain thread that touches no widget; the reports
        # reach the queue and map through the event log like any other change.
        from sqlalchemy.exc import SQLAlchemyError

        from services import drop_folder

        try:
            folder = drop_folder.configured_folder(self.database)
            self.drop_watcher = drop_folder.DropFolder(self.database, folder).start()
        except (OSError, SQLAlchemyError) as exc:
            log.warning("Drop folder not watched: %s", exc)
            self.show_message(f"{tr('Folder laporan tidak dipantau')}: {exc}", error=True)

    # --- state -----------------------------------------------------------------

    def apply_state(self, state: ConsoleState) -> None:
        self.state = state
        self._reports = {r.id: r for r in state.reports}
        self._crews = {c.id: c for c in state.crews}
        self.map_view.set_reports(state.map_reports)
        self.map_view.set_crews(state.crews)
        self.queue_dock.set_reports(state.reports)
        self.crew_dock.set_crews(state.crews)
        self.kpi_dock.set_kpis(state.kpis, state.overall)
        self.stage_dock.set_reports(state.reports)
        self.late_dock.set_reports(state.reports, state.rpt_target_min)
        self.incidents_dock.set_state(state)
        self.map_view.set_incidents(state.incidents, state.incident_proposals)
        if state.trend is not None:
            self.trend_dock.set_trend(state.trend)
        self.sync_label.setText(
            f"{describe(self.database.url)} · {format_wib(state.loaded_at, with_date=False)} WIB"
        )
        self.sync_label.setStyleSheet("")
        self._update_title()
        if not self._first_paint_logged:
            self._log_first_paint()
        self.stateApplied.emit(state)

    def _log_first_paint(self) -> None:
        self._first_paint_logged = True
        if not self.isVisible():
            return
        self.map_view.viewport().repaint()
        log.info(
            "Console ready: map with %d pins painted %.2f s after start",
            self.map_view.pin_count(),
            time.perf_counter() - STARTED_AT,
        )

    def _sync_failed(self, reason: str) -> None:
        self.sync_label.setText(f"{tr('Database tidak terjangkau:')} {reason}")
        self.sync_label.setStyleSheet(ERROR_STYLE)

    def _update_title(self) -> None:
        parts = [TITLE]
        if self.live_simulation is not None:
            parts.append("SIMULASI")
        elif any(r.simulated for r in self._reports.values()):
            parts.append("DATA SIMULASI")
        self.setWindowTitle(" — ".join(parts))

    # --- selection -------------------------------------------------------------

    def _queue_selected(self, ids: list[int]) -> None:
        self.map_view.select_reports(set(ids))

    def _map_selected(self, ids: list[int]) -> None:
        self.queue_dock.select_ids(ids)
        self.map_view.select_reports(set(ids))

    # --- other actions ---------------------------------------------------------

    def show_message(self, text: str, error: bool = False) -> None:
        if error:
            log.info("Refused: %s", text)
        self.message_label.setText(text)
        self.message_label.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.message_label.setToolTip(text)
        # A message is news, not a state: it fades after a while (errors stay longer).
        self._message_timer.start(MESSAGE_ERROR_MS if error else MESSAGE_INFO_MS)
        self.messageShown.emit(text, error)

    def _clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.setStyleSheet("")

    def save_map(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Simpan peta"), "peta-comcen.png", "PNG (*.png);;PDF (*.pdf)"
        )
        if not path:
            return
        from maps.snapshot import render_snapshot

        try:
            out = render_snapshot(self.database, Path(path))
        except (OSError, ValueError) as exc:
            self.show_message(str(exc), error=True)
            return
        self.show_message(f"{tr('Peta disimpan ke')} {out}")

    def _add_print_export_actions(self, menu) -> None:
        from ui import print_export

        for key, text, run in (
            ("print_preview", tr("Pratinjau cetak…"), print_export.print_preview),
            ("export_html", tr("Ekspor HTML…"), print_export.export_html_dialog),
            ("export_table", tr("Ekspor CSV/XLSX…"), print_export.export_table_dialog),
        ):
            action = QAction(text, self)
            action.triggered.connect(lambda _=False, run=run: self._run_export(run))
            menu.addAction(action)
            self.actions[key] = action

    def _run_export(self, run) -> None:
        try:
            message = run(self, self.database)
        except (OSError, ValueError) as exc:
            self.show_message(str(exc), error=True)
            return
        if message:
            self.show_message(message)

    def open_wall(self) -> None:
        """The read-only video wall, on the second screen when there is one."""
        from ui.wall import open_beside

        if getattr(self, "wall_window", None) is not None and self.wall_window.isVisible():
            self.wall_window.raise_()
            return
        self.wall_window = open_beside(self.database, self)

    def open_settings(self) -> None:
        dialog = QtSettingsDialog(self.database, self)
        if dialog.exec():
            self.map_view.set_static(*_static_parts(console.load_static(self.database)))
            self.follower.refresh()
            self.show_message(f"{tr('Tersimpan')}: {dialog.saved_changes} perubahan")

    def set_live_simulation(self, on: bool) -> None:
        if on and self.live_simulation is None:
            from ui.live_sim import QtLiveSimulation

            self.live_simulation = QtLiveSimulation(self.database)
            self.live_simulation.failed.connect(self._live_simulation_failed)
            self.live_simulation.stepped.connect(self.follower.refresh)
            self.live_simulation.start()
        elif not on and self.live_simulation is not None:
            self.live_simulation.stop()
            self.live_simulation = None
        if self.actions["simulate"].isChecked() != on:
            self.actions["simulate"].setChecked(on)
        self._update_title()

    # --- shift handover ------------------------------------------------------------

    def open_import(self) -> None:
        """History import (APKT export or a mapped table); the log brings the result in."""
        from ui.import_dialog import QtImportDialog

        QtImportDialog(self.database, self).exec()

    def open_handover(self) -> None:
        """The recap of the shift running now, as it stands (finished ones are on file)."""
        QtHandoverDialog(self.database, self).exec()

    def _check_shift_change(self) -> None:
        finished = self._shift_watch.newly_finished()
        if finished is None:
            return
        try:
            text, _pdf = save_recap(build_recap(self.database, *finished))
        except Exception as exc:  # a recap must never take the console down
            log.warning("Shift recap not written: %s", exc)
            self.show_message(f"{tr('Rekap shift gagal')}: {exc}", error=True)
            return
        self.show_message(f"{tr('Rekap shift tersimpan')}: {text.with_suffix('')}.txt/.pdf")

    def _live_simulation_failed(self, reason: str) -> None:
        self.set_live_simulation(False)
        self.show_message(f"{tr('Simulasi berhenti')}: {reason}", error=True)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.set_live_simulation(False)
        if getattr(self, "wall_window", None) is not None:
            self.wall_window.close()
        self.follower.stop()
        if getattr(self, "drop_watcher", None) is not None:
            self.drop_watcher.stop()
            self.drop_watcher = None
        self.notice_outbox.stop()
        self._stop_dispatch()


def _static_parts(static: console.StaticMap):
    return static.areas, static.villages, static.posko
