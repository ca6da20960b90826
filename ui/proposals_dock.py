"""Usulan regu: the crews ranked for the selected report, and auto-dispatch.

Ranking reads the database, so it runs in a worker thread (``QtProposalWorker``);
the dock only shows what comes back. Auto-dispatch (setting ``dispatch.auto_assign``)
runs in the same worker, each assignment in a transaction of its own.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop.domain import Stage
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import format_wib
from services import events, proposals
from services.console import ConsoleState
from services.proposals import Proposal
from services.queries import ReportView

log = logging.getLogger(__name__)

COLUMNS = ["#", "Regu", "Tiba (WIB)", "Jarak km", "ULP", "Antrean", "Shift", "Sisa target"]
LATE_COLOUR = QColor("#c0392b")
CROSS_COLOUR = QColor("#8e44ad")
OFF_SHIFT_COLOUR = QColor("#95a5a6")


class QtProposalWorker(QObject):
    """Ranks and auto-assigns off the GUI thread; never touches a widget."""

    ranked = Signal(int, object)  # report id, list[Proposal]
    autoAssigned = Signal(str, bool)  # message, is_error
    _rankRequested = Signal(int)
    _autoRequested = Signal(list)

    def __init__(self, database):
        super().__init__()
        self._database = database
        self._logged: dict[int, tuple[str, ...]] = {}
        self._thread = QThread()
        self._thread.setObjectName("comcen-proposals")
        self.moveToThread(self._thread)
        self._rankRequested.connect(self._rank)
        self._autoRequested.connect(self._auto_assign)

    def request(self, report_id: int) -> None:
        self._ensure_started()
        self._rankRequested.emit(report_id)

    def auto_assign(self, report_ids: list[int]) -> None:
        self._ensure_started()
        self._autoRequested.emit(list(report_ids))

    def _ensure_started(self) -> None:
        if not self._thread.isRunning():
            self._thread.start()

    def stop(self) -> None:
        self._thread.quit()
        self._thread.wait(5000)

    @Slot(int)
    def _rank(self, report_id: int) -> None:
        try:
            with self._database.read() as session:
                ranked = proposals.rank_crews(session, report_id)
            self._log_once(report_id, ranked)
        except Exception:  # a lost server must not kill the worker
            log.exception("Ranking crews for report %s failed", report_id)
            ranked = []
        self.ranked.emit(report_id, ranked)

    def _log_once(self, report_id: int, ranked: list[Proposal]) -> None:
        # Logged when first shown and whenever the order at the top changes; a refresh
        # that shows the same proposal again adds nothing to the log.
        top = tuple(p.crew.code for p in ranked[:3])
        if ranked and self._logged.get(report_id) != top:
            proposals.record_shown(self._database, report_id, ranked, events.current_actor())
            self._logged[report_id] = top

    @Slot(list)
    def _auto_assign(self, report_ids: list[int]) -> None:
        try:
            if not proposals.auto_assign_enabled(self._database):
                return
            for report_id in report_ids:
                result = proposals.auto_assign(self._database, report_id)
                if result is None:
                    continue
                if result.ok:
                    self.autoAssigned.emit(f"Auto-dispatch: {', '.join(result.assigned)}", False)
                else:
                    # Another console got there first: news, not an error.
                    self.autoAssigned.emit("; ".join(result.refused), not result.lost_race)
        except Exception as exc:
            log.exception("Auto-dispatch failed")
            self.autoAssigned.emit(f"Auto-dispatch: {exc}", True)


class QtProposalsDock(QDockWidget):
    acceptRequested = Signal(int, object, object)  # report id, proposals, chosen Proposal
    proposedCrew = Signal(object)  # crew id of the top proposal, or None

    def __init__(self, database, parent=None):
        super().__init__(tr("Usulan regu"), parent)
        self.setObjectName("proposalsDock")
        self.report: ReportView | None = None
        self.proposals: list[Proposal] = []
        self._known: set[int] | None = None  # Lapor reports seen; None before the first state
        self.worker = QtProposalWorker(database)
        self.worker.ranked.connect(self.show_proposals)
        self.setWidget(self._build())

    def _build(self) -> QWidget:
        self.header = QLabel(tr("Pilih satu laporan untuk melihat usulan regu."))
        self.header.setWordWrap(True)
        self.accept_button = QPushButton(tr("Terima"))
        self.accept_button.setToolTip(tr("Terima usulan terpilih (Enter di tabel, atau F8)"))
        self.accept_button.clicked.connect(self.accept_selected)
        self.accept_button.setEnabled(False)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemActivated.connect(lambda _item: self.accept_selected())

        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.accept_button)
        layout = QVBoxLayout()
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        box = QWidget()
        box.setLayout(layout)
        return box

    # --- what to rank ----------------------------------------------------------------

    def set_report(self, report: ReportView | None) -> None:
        """Show proposals for this report (one selected, not yet on its way)."""
        changed = report is None or self.report is None or report.id != self.report.id
        self.report = report
        if changed:
            self.proposals = []
            self.table.setRowCount(0)
            self.accept_button.setEnabled(False)
            self.proposedCrew.emit(None)
        if report is None:
            self.header.setText(tr("Pilih satu laporan untuk melihat usulan regu."))
            return
        if report.stage is Stage.PENUGASAN:
            # Assigned: proposals stop here, so a stray F8 cannot move the job on.
            self._clear()
            self.header.setText(
                tr("{n}: sudah ditugaskan ke {crew}. Batalkan penugasan (Ctrl+U) atau seret "
                   "ke regu lain untuk menggantinya.").format(n=report.number, crew=report.crew)
            )  # fmt: skip
            return
        if report.stage is not Stage.LAPOR:
            self._clear()
            self.header.setText(
                tr("{n}: regu sudah berangkat; usulan hanya sebelum berangkat.").format(
                    n=report.number
                )
            )
            return
        self.header.setText(f"<b>{report.number}</b> · {report.village} · ULP {report.ulp}")
        self.worker.request(report.id)

    def _clear(self) -> None:
        self.proposals = []
        self.table.setRowCount(0)
        self.accept_button.setEnabled(False)
        self.proposedCrew.emit(None)

    def on_state(self, state: ConsoleState) -> None:
        """Re-rank the shown report (crews moved); auto-dispatch new Lapor reports."""
        reports = {r.id: r for r in state.reports}
        if self.report is not None:
            self.set_report(reports.get(self.report.id))
        lapor = {r.id for r in state.reports if r.stage is Stage.LAPOR}
        if self._known is None:
            # The backlog at start is the operators' to judge, not auto-dispatch's.
            self._known = lapor
            return
        new = sorted(lapor - self._known)
        self._known |= lapor
        if new:
            self.worker.auto_assign(new)

    # --- showing -------------------------------------------------------------------

    @Slot(int, object)
    def show_proposals(self, report_id: int, ranked: list[Proposal]) -> None:
        if self.report is None or report_id != self.report.id:
            return  # an answer for a report no longer selected
        chosen = self._chosen_crew()
        self.proposals = ranked
        self.table.setRowCount(len(ranked))
        for row, proposal in enumerate(ranked):
            for column, item in enumerate(self._row_items(proposal)):
                self.table.setItem(row, column, item)
        self.accept_button.setEnabled(bool(ranked))
        if ranked:
            rows = [i for i, p in enumerate(ranked) if p.crew.id == chosen]
            self.table.selectRow(rows[0] if rows else 0)
        self.proposedCrew.emit(ranked[0].crew.id if ranked else None)
        if not ranked:
            self.header.setText(
                f"{self.report.number}: {tr('tidak ada regu yang bisa ditugaskan')}"
            )

    def _row_items(self, p: Proposal) -> list[QTableWidgetItem]:
        ulp = p.crew.ulp + (" ⇄" if p.crosses_ulp else "")
        shift = (p.crew.shift or "24 jam").capitalize() + ("" if p.on_shift else " ✖")
        name = p.crew.name.removeprefix("Regu ")
        cells = [
            str(p.rank),
            name + (f" · {tr('tidak ada kabar')}" if p.crew.stale else ""),
            f"{format_wib(p.eta_at, with_date=False)} ({p.eta_min:.0f} mnt)",
            f"{p.distance_km:.1f}",
            ulp,
            str(p.queue_len) + (f" (+{p.queue_wait_min:.0f} mnt)" if p.queue_len else ""),
            shift,
            f"{p.target_left_min:+.0f} mnt",
        ]
        items = [QTableWidgetItem(text) for text in cells]
        for column in (0, 2, 3):
            items[column].setTextAlignment(
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            )
        items[1].setToolTip(_explain(p))
        if p.crosses_ulp:
            items[4].setForeground(CROSS_COLOUR)
            items[4].setToolTip(tr("Lintas ULP: regu dari ULP lain"))
        if not p.on_shift:
            items[6].setForeground(OFF_SHIFT_COLOUR)
        if p.target_left_min < 0:
            items[7].setForeground(LATE_COLOUR)
        for item in items:
            item.setData(Qt.ItemDataRole.UserRole, p.rank)
        return items

    def _chosen_crew(self) -> int | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.proposals):
            return self.proposals[row].crew.id
        return None

    # --- accepting -------------------------------------------------------------------

    def selected_proposal(self) -> Proposal | None:
        row = self.table.currentRow()
        if 0 <= row < len(self.proposals):
            return self.proposals[row]
        return self.proposals[0] if self.proposals else None

    def accept_selected(self) -> None:
        chosen = self.selected_proposal()
        if self.report is None or chosen is None:
            return
        self.acceptRequested.emit(self.report.id, list(self.proposals), chosen)

    def accept_top(self) -> None:
        if self.report is not None and self.proposals:
            self.acceptRequested.emit(self.report.id, list(self.proposals), self.proposals[0])

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_selected()
            return
        super().keyPressEvent(event)

    def shutdown(self) -> None:
        self.worker.stop()


def _explain(p: Proposal) -> str:
    return (
        f"{p.distance_km:.1f} km lurus × {p.detour:.2f} = {p.road_km:.1f} km jalan, "
        f"{p.speed_kmh:.0f} km/j → {p.travel_min:.0f} mnt; antrean {p.queue_wait_min:.0f} mnt"
    )
