"""The dispatch half of the main window: drops, the keyboard path, proposals, undo and
the local API. Wiring only; the rules live in services.dispatch and services.proposals.

A mixin of QtMainWindow, kept apart so the window stays readable: it uses the
window's database, follower, docks, map view, state dictionaries and show_message().
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QToolBar
from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop import settings_schema
from comcen_desktop.i18n import tr
from maps.layers.crews import PROPOSED_RING
from services import authz, dispatch, events, http_api, proposals
from ui.assign_dialog import QtAssignDialog
from ui.proposals_dock import QtProposalsDock

API_RETRY_MS = 10_000
API_AWAY_TIP = "Port dipakai program lain (mis. konsol lain di PC ini); dicoba lagi tiap 10 detik."
API_AWAY_STYLE = "color: #8a5a00; background: #fff3cd; padding: 0 4px;"

log = logging.getLogger(__name__)


class DispatchMixin:
    # --- dispatch --------------------------------------------------------------

    def check_drop(self, report_ids: list[int], crew_id: int) -> str | None:
        if why_not := authz.refusal_now("dispatch.assign"):
            return why_not  # a wall or a refused role: the drop target says who may
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
        # An own QInputDialog: the static getText shows English "OK/Cancel".
        dialog = QInputDialog(self)
        dialog.setWindowTitle(tr("Batalkan penugasan"))
        dialog.setLabelText(tr("Alasan:"))
        dialog.setTextValue(tr("Dibatalkan operator"))
        dialog.setOkButtonText(tr("Simpan"))
        dialog.setCancelButtonText(tr("Batal"))
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        reason = dialog.textValue()
        if ok and reason.strip():
            self.unassign(report_ids, reason.strip())

    def _auto_assigned(self, text: str, error: bool) -> None:
        self.show_message(text, error=error)
        self.follower.refresh()

    def _start_api(self) -> None:
        """Serve the local API (PLN Mobile, crew positions) or, when another console on
        this PC holds the port, say so for as long as it lasts and try again every
        API_RETRY_MS: when that console closes, this one takes the feed over."""
        if getattr(self, "api_label", None) is None:
            self.api_label = QLabel()
            self.statusBar().addPermanentWidget(self.api_label)
            self._api_retry = QTimer(self)
            self._api_retry.setInterval(API_RETRY_MS)
            self._api_retry.timeout.connect(self._try_api)
            self._api_failed_before = False
        self._try_api()

    def _try_api(self) -> None:
        bind = port = None
        try:
            bind, port = http_api.configured_address(self.database)
            self.api_server = http_api.ApiServer(self.database, bind, port).start()
        except (OSError, SQLAlchemyError) as exc:
            log.info("Local API not started: %s", exc)
            self._show_api(False, bind, port)
            if not self._api_failed_before:  # the full reason once, then the status
                self.show_message(settings_schema.api_start_message(bind, port, exc), error=True)
            self._api_failed_before = True
            self._api_retry.start()
            return
        self._api_retry.stop()
        self._show_api(True, bind, port)
        if self._api_failed_before:
            log.warning("Local API taken over on %s:%s", bind, port)
            self.show_message(tr("API lokal sekarang aktif di konsol ini") + f" ({bind}:{port})")

    def _show_api(self, running: bool, bind, port) -> None:
        where = f"{bind}:{port}" if port else "–"
        if running:
            self.api_label.setText(f"API {where}")
            self.api_label.setStyleSheet("")
            self.api_label.setToolTip(
                tr("API lokal (PLN Mobile, posisi regu) dilayani konsol ini.")
            )
        else:
            self.api_label.setText(f"API {where}: {tr('tidak di konsol ini')}")
            self.api_label.setStyleSheet(API_AWAY_STYLE)
            self.api_label.setToolTip(tr(API_AWAY_TIP))

    def _stop_dispatch(self) -> None:
        if getattr(self, "_api_retry", None) is not None:
            self._api_retry.stop()
        self.proposals_dock.shutdown()
        if self.api_server is not None:
            self.api_server.stop()
            self.api_server = None
