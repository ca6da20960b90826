"""The console's main window: the map in the centre, queue, crew board and KPIs docked."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMainWindow, QToolBar
from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop import STARTED_AT
from comcen_desktop.i18n import tr
from comcen_desktop.storage.engine import describe
from comcen_desktop.timeutil import format_wib
from maps.layers.crews import PROPOSED_RING
from maps.qt_map_view import QtMapView
from services import console, dispatch, events, http_api, proposals
from services.console import ConsoleState
from ui.assign_dialog import QtAssignDialog
from ui.crew_board import QtCrewBoardDock
from ui.kpi_dock import QtKpiDock
from ui.kpi_panels import QtLateListDock, QtStageCountsDock, QtTrendDock
from ui.proposals_dock import QtProposalsDock
from ui.queue_dock import QtReportQueueDock
from ui.settings_dialog import QtSettingsDialog
from ui.sync import QtStateFollower

log = logging.getLogger(__name__)

TITLE = "Comcen UP3 Bangka"
ERROR_STYLE = "color: white; background: #c0392b; padding: 2px 6px;"
INFO_STYLE = "color: white; background: #1b998b; padding: 2px 6px;"
MESSAGE_INFO_MS, MESSAGE_ERROR_MS = 10_000, 30_000


class QtMainWindow(QMainWindow):
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
        self._update_title()

        self.map_view.set_static(*_static_parts(console.load_static(database)))
        self.follower = QtStateFollower(database)
        self.follower.stateLoaded.connect(self.apply_state)
        self.follower.loadFailed.connect(self._sync_failed)

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
        file_menu.addAction(self.actions["settings"])
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

    # --- dispatch --------------------------------------------------------------

    def check_drop(self, report_ids: list[int], crew_id: int) -> str | None:
        if not report_ids:
            return tr("Tidak ada laporan untuk ditugaskan.")
        crew = self._crews.get(crew_id)
        if crew is None:
            return tr("Regu tidak dikenal.")
        for report_id in report_ids:
            report = self._reports.get(report_id)
            if report is None:
                return tr("Laporan {n} sudah ditutup atau tidak ada.").format(n=report_id)
            reason = dispatch.refusal(
                report.stage, report.crew_id, crew.id, crew.status, report.number
            )
            if reason:
                return reason
        return None

    def assign(self, report_ids: list[int], crew_id: int) -> bool:
        reason = self.check_drop(report_ids, crew_id)
        if reason:
            self.show_message(reason, error=True)
            return False
        expected = {i: self._reports[i].version for i in report_ids if i in self._reports}
        result = dispatch.assign_now(
            self.database, report_ids, crew_id, events.current_actor(), expected
        )
        self.follower.refresh()
        if result.refused:
            self.show_message("; ".join(result.refused), error=True)
            return False
        crew = self._crews[crew_id].name
        self.show_message(f"{tr('Ditugaskan')}: {', '.join(result.assigned)} → {crew}")
        return True

    def assign_selected(self) -> None:
        self.assign_with_dialog(self.queue_dock.selected_ids())

    def assign_with_dialog(self, report_ids: list[int]) -> None:
        if not report_ids:
            self.show_message(tr("Pilih laporan dulu."), error=True)
            return
        numbers = [self._reports[i].number for i in report_ids if i in self._reports]
        dialog = QtAssignDialog(
            numbers, list(self._crews.values()), self.check_drop, report_ids, self
        )
        if dialog.exec() and dialog.chosen_crew_id is not None:
            self.assign(report_ids, dialog.chosen_crew_id)

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

    def _live_simulation_failed(self, reason: str) -> None:
        self.set_live_simulation(False)
        self.show_message(f"{tr('Simulasi berhenti')}: {reason}", error=True)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.set_live_simulation(False)
        self.follower.stop()
        self._stop_dispatch()

    # --- dispatch: proposals, undo, local API (wiring; the work is in services) ----

    def _build_dispatch(self) -> None:
        self.api_server = None
        self.proposals_dock = QtProposalsDock(self.database, self)
        self.splitDockWidget(self.queue_dock, self.proposals_dock, Qt.Orientation.Vertical)
        self.resizeDocks(
            [self.queue_dock, self.proposals_dock], [420, 220], Qt.Orientation.Vertical
        )
        self.view_menu.addAction(self.proposals_dock.toggleViewAction())
        bar = self.findChild(QToolBar, "mainToolbar")
        for key, text, shortcut, slot in (
            ("accept_proposal", tr("Terima usulan"), "F8", self.proposals_dock.accept_selected),
            ("unassign", tr("Batalkan penugasan"), "Ctrl+U", self.unassign_selected),
        ):
            action = QAction(text, self)
            action.setShortcut(shortcut)
            action.setToolTip(f"{text} ({shortcut})")
            action.triggered.connect(slot)
            bar.addAction(action)
            self.actions[key] = action
        self.proposals_dock.acceptRequested.connect(self.accept_proposal)
        self.proposals_dock.proposedCrew.connect(self._highlight_proposed_crew)
        self.proposals_dock.worker.autoAssigned.connect(self._auto_assigned)
        self.queue_dock.reportsSelected.connect(self._propose_for)
        self.map_view.reportsSelected.connect(self._propose_for)
        self.queue_dock.unassignRequested.connect(self.unassign_with_prompt)
        self.crew_dock.unassignRequested.connect(self.unassign_with_prompt)
        self.stateApplied.connect(self.proposals_dock.on_state)

    def _propose_for(self, ids: list[int]) -> None:
        self.proposals_dock.set_report(self._reports.get(ids[0]) if len(ids) == 1 else None)

    def _highlight_proposed_crew(self, crew_id) -> None:
        for marker_id, marker in self.map_view.crews.markers.items():
            marker.set_highlight(PROPOSED_RING if marker_id == crew_id else None)

    def accept_proposal(self, report_id: int, ranked: list, chosen) -> bool:
        report = self._reports.get(report_id)
        version = report.version if report is not None else None
        result = proposals.accept(
            self.database, report_id, ranked, chosen, events.current_actor(), version
        )
        self.follower.refresh()
        if result.refused:
            self.show_message("; ".join(result.refused), error=True)
            return False
        self.show_message(f"{tr('Ditugaskan')}: {', '.join(result.assigned)} → {chosen.crew.name}")
        return True

    def unassign(self, report_ids: list[int], reason: str) -> bool:
        expected = {i: self._reports[i].version for i in report_ids if i in self._reports}
        result = dispatch.unassign_now(
            self.database, report_ids, events.current_actor(), reason, expected
        )
        self.follower.refresh()
        if result.refused:
            self.show_message("; ".join(result.refused), error=True)
            return False
        self.show_message(f"{tr('Penugasan dibatalkan')}: {', '.join(result.assigned)}")
        return True

    def unassign_selected(self) -> None:
        self.unassign_with_prompt(self.queue_dock.selected_ids())

    def unassign_with_prompt(self, report_ids: list[int]) -> None:
        if not report_ids:
            self.show_message(tr("Pilih laporan dulu."), error=True)
            return
        reason, ok = QInputDialog.getText(
            self, tr("Batalkan penugasan"), tr("Alasan:"), text=tr("Dibatalkan operator")
        )
        if ok and reason.strip():
            self.unassign(report_ids, reason.strip())

    def _auto_assigned(self, text: str, error: bool) -> None:
        self.show_message(text, error=error)
        self.follower.refresh()

    def _start_api(self) -> None:
        try:
            bind, port = http_api.configured_address(self.database)
            self.api_server = http_api.ApiServer(self.database, bind, port).start()
        except (OSError, SQLAlchemyError) as exc:
            # Another console on this machine holds the port: this one runs without it.
            log.warning("Local API not started: %s", exc)
            self.show_message(f"{tr('API lokal tidak jalan')}: {exc}", error=True)

    def _stop_dispatch(self) -> None:
        self.proposals_dock.shutdown()
        if self.api_server is not None:
            self.api_server.stop()
            self.api_server = None


def _static_parts(static: console.StaticMap):
    return static.areas, static.villages, static.posko
