"""Padam meluas: proposals to confirm or turn down, and active incidents to move.

The dock shows what the console state carries (services.console: proposals and
active incidents); each button is one short transaction through services.incidents,
after which ``changed`` asks the window to reload. Every refusal is a message, never
an exception.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop.domain import ALLOWED_MOVES, STAGE_LABELS, Stage
from comcen_desktop.i18n import tr
from comcen_desktop.storage.models import Crew, Incident
from comcen_desktop.timeutil import format_wib, utc_now
from services import dispatch, events, incidents

log = logging.getLogger(__name__)

# Every move an incident can make besides Penugasan (the assign button) and back to
# Lapor, at fixed places: a button row that reshapes itself on selection made clicks
# land on the wrong button ("Batal" where "Tugaskan ke…" had just been).
STAGE_BUTTON_PLACES = {
    Stage.PERJALANAN: (0, 1),
    Stage.PENGERJAAN: (0, 2),
    Stage.BATAL: (0, 3),
    Stage.NYALA_SEMENTARA: (1, 1),
    Stage.NYALA: (1, 2),
    Stage.SELESAI: (1, 3),
}
PROPOSAL_COLUMNS = ["Laporan", "Radius (m)", "Lapor pertama", "ULP", "Gabung ke"]
INCIDENT_COLUMNS = ["Nomor", "Tahap", "Laporan", "Pelanggan", "Mulai"]


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([tr(c) for c in columns])
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _cell(text) -> QTableWidgetItem:
    return QTableWidgetItem("–" if text is None else str(text))


class QtIncidentsDock(QDockWidget):
    changed = Signal()  # something was written: reload the state
    messageShown = Signal(str, bool)  # text, is_error
    reportsActivated = Signal(list)  # member ids, to select on the map and queue

    def __init__(self, database, parent=None):
        super().__init__(tr("Padam meluas"), parent)
        self.setObjectName("incidentsDock")
        self.database = database
        self.proposals: list[incidents.IncidentProposal] = []
        self.incidents: list[incidents.IncidentView] = []
        self._reports: dict = {}
        self._crews: list = []

        self.proposal_table = _table(PROPOSAL_COLUMNS)
        self.incident_table = _table(INCIDENT_COLUMNS)
        self.confirm_button = QPushButton(tr("Konfirmasi"))
        self.dismiss_button = QPushButton(tr("Tolak"))
        self.confirm_button.clicked.connect(lambda: self.confirm_selected())
        self.dismiss_button.clicked.connect(lambda: self.dismiss_selected())
        self.stage_row = QGridLayout()
        self.assign_button = QPushButton(tr("Tugaskan ke…"))
        self.assign_button.clicked.connect(lambda: self.assign_selected())
        self.stage_buttons: dict[Stage, QPushButton] = {}
        for target in STAGE_BUTTON_PLACES:
            button = QPushButton(STAGE_LABELS[target])
            button.clicked.connect(lambda _=False, t=target: self.advance_selected(t))
            self.stage_buttons[target] = button
        self.proposal_table.itemSelectionChanged.connect(self._proposal_selected)
        self.incident_table.itemSelectionChanged.connect(self._incident_selected)
        self.setWidget(self._layout())
        self._update_buttons()

    def _layout(self) -> QWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(QLabel(tr("Usulan padam meluas")))
        layout.addWidget(self.proposal_table)
        proposal_buttons = QHBoxLayout()
        proposal_buttons.addWidget(self.confirm_button)
        proposal_buttons.addWidget(self.dismiss_button)
        proposal_buttons.addStretch(1)
        layout.addLayout(proposal_buttons)
        layout.addWidget(QLabel(tr("Padam meluas aktif")))
        layout.addWidget(self.incident_table)
        self.stage_row.addWidget(self.assign_button, 0, 0)
        for target, (row, column) in STAGE_BUTTON_PLACES.items():
            self.stage_row.addWidget(self.stage_buttons[target], row, column)
        layout.addLayout(self.stage_row)
        return body

    # --- state -------------------------------------------------------------------

    def set_state(self, state) -> None:
        self._reports = {r.id: r for r in state.reports}
        self._crews = list(state.crews)
        self.proposals = list(state.incident_proposals)
        self.incidents = list(state.incidents)
        self._fill_proposals()
        self._fill_incidents()
        self._update_buttons()

    def _fill_proposals(self) -> None:
        keep = self._selected(self.proposal_table, self.proposals)
        self.proposal_table.setRowCount(len(self.proposals))
        for row, proposal in enumerate(self.proposals):
            ulp = next(
                (self._reports[i].ulp for i in proposal.member_ids if i in self._reports), ""
            )
            values = [
                len(proposal.member_ids),
                f"{proposal.radius_m:.0f}",
                format_wib(proposal.first_at),
                ulp,
                proposal.incident_number or "",
            ]
            for column, value in enumerate(values):
                item = _cell(value)
                item.setToolTip(", ".join(proposal.numbers))
                self.proposal_table.setItem(row, column, item)
            if keep is not None and proposal.member_ids == keep.member_ids:
                self.proposal_table.selectRow(row)

    def _fill_incidents(self) -> None:
        keep = self._selected(self.incident_table, self.incidents)
        self.incident_table.setRowCount(len(self.incidents))
        for row, incident in enumerate(self.incidents):
            values = [
                incident.number,
                STAGE_LABELS[Stage(incident.stage)],
                len(incident.member_ids),
                incident.customers,
                format_wib(incident.started_at),
            ]
            for column, value in enumerate(values):
                self.incident_table.setItem(row, column, _cell(value))
            if keep is not None and incident.id == keep.id:
                self.incident_table.selectRow(row)

    @staticmethod
    def _selected(table: QTableWidget, rows: list):
        index = table.currentRow()
        selected = table.selectionModel().hasSelection()
        return rows[index] if selected and 0 <= index < len(rows) else None

    def selected_proposal(self) -> incidents.IncidentProposal | None:
        return self._selected(self.proposal_table, self.proposals)

    def selected_incident(self) -> incidents.IncidentView | None:
        return self._selected(self.incident_table, self.incidents)

    def _proposal_selected(self) -> None:
        proposal = self.selected_proposal()
        if proposal is not None:
            self.reportsActivated.emit(list(proposal.member_ids))
        self._update_buttons()

    def _incident_selected(self) -> None:
        incident = self.selected_incident()
        if incident is not None:
            self.reportsActivated.emit(list(incident.member_ids))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_proposal = self.selected_proposal() is not None
        why_proposal = "" if has_proposal else tr("Pilih usulan dulu.")
        for button in (self.confirm_button, self.dismiss_button):
            button.setEnabled(has_proposal)
            button.setToolTip(why_proposal)
        self._enable_stage_buttons(self.selected_incident())

    def _enable_stage_buttons(self, incident) -> None:
        """Enable the moves the incident's stage allows; the others say why not."""
        if incident is None:
            none = tr("Pilih padam meluas dulu.")
            for button in (self.assign_button, *self.stage_buttons.values()):
                button.setEnabled(False)
                button.setToolTip(none)
            return
        current = Stage(incident.stage)
        assignable = current in dispatch.ASSIGNABLE_STAGES
        self.assign_button.setEnabled(assignable)
        self.assign_button.setToolTip("" if assignable else _not_from(current))
        for target, button in self.stage_buttons.items():
            allowed = target in ALLOWED_MOVES[current]
            button.setEnabled(allowed)
            button.setToolTip("" if allowed else _not_from(current))

    def enabled_moves(self) -> set[Stage]:
        """The stage buttons that can be clicked now."""
        return {t for t, b in self.stage_buttons.items() if b.isEnabled()}

    # --- actions -----------------------------------------------------------------

    def confirm_selected(self, customers: int | None = None) -> bool:
        """Konfirmasi: asks the affected customers (the hint filled in) unless given."""
        proposal = self.selected_proposal()
        if proposal is None:
            return self._say(tr("Pilih usulan dulu."), error=True)
        if proposal.incident_id is not None:
            return self._join(proposal)
        if customers is None:
            customers = self._ask_customers(proposal.customers_hint)
            if customers is None:
                return False
        actor, ids = events.current_actor(), proposal.member_ids
        incident, error = incidents.write(
            self.database,
            lambda s: (
                incidents.confirm(s, ids, customers=customers, actor=actor, now=utc_now()).number
            ),
        )
        return self._done(error, f"{tr('Padam meluas dikonfirmasi')}: {incident}")

    def _join(self, proposal) -> bool:
        actor, ids = events.current_actor(), proposal.member_ids

        def join(session):
            incident = session.get(Incident, proposal.incident_id)
            incidents.join(session, incident, ids, actor, utc_now())

        _, error = incidents.write(self.database, join)
        return self._done(error, f"{tr('Laporan digabung ke')} {proposal.incident_number}")

    def dismiss_selected(self) -> bool:
        proposal = self.selected_proposal()
        if proposal is None:
            return self._say(tr("Pilih usulan dulu."), error=True)
        actor = events.current_actor()
        _, error = incidents.write(
            self.database,
            lambda s: incidents.dismiss(
                s, proposal.member_ids, actor, utc_now(), incident_id=proposal.incident_id
            ),
        )
        return self._done(error, tr("Usulan padam meluas ditolak."))

    def advance_selected(self, target: Stage, note: str | None = None) -> bool:
        incident = self.selected_incident()
        if incident is None:
            return self._say(tr("Pilih padam meluas dulu."), error=True)
        if target is Stage.BATAL and note is None:
            note = self._ask_reason()
            if note is None:
                return False
        actor = events.current_actor()

        def move(session):
            row = session.get(Incident, incident.id)
            return incidents.advance_incident(
                session, row, target, utc_now(), actor, note, expected_version=incident.version
            )

        _, error = incidents.write(self.database, move)
        return self._done(error, f"{incident.number} → {STAGE_LABELS[target]}")

    def assign_selected(self, crew_id: int | None = None) -> bool:
        """Tugaskan ke…: the console's crew dialog unless a crew is given."""
        incident = self.selected_incident()
        if incident is None:
            return self._say(tr("Pilih padam meluas dulu."), error=True)
        if crew_id is None:
            crew_id = self._ask_crew(incident)
            if crew_id is None:
                return False
        actor = events.current_actor()

        def assign(session):
            row, crew = session.get(Incident, incident.id), session.get(Crew, crew_id)
            if crew is None:
                raise incidents.IncidentError(tr("Regu tidak dikenal."))
            incidents.assign_incident(
                session, row, crew, actor, utc_now(), expected_version=incident.version
            )
            return crew.name

        crew_name, error = incidents.write(self.database, assign)
        return self._done(error, f"{tr('Ditugaskan')}: {incident.number} → {crew_name}")

    def _ask_customers(self, hint: int) -> int | None:
        dialog = _input_dialog(self, tr("Konfirmasi padam meluas"), tr("Jumlah pelanggan padam:"))
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(1, 10_000_000)
        dialog.setIntValue(hint)
        return dialog.intValue() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _ask_reason(self) -> str | None:
        dialog = _input_dialog(self, tr("Batal"), tr("Alasan batal:"))
        return dialog.textValue() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _ask_crew(self, incident) -> int | None:
        from ui.assign_dialog import QtAssignDialog

        members = [self._reports[i] for i in incident.member_ids if i in self._reports]
        waiting = [r for r in members if r.stage in dispatch.ASSIGNABLE_STAGES]

        def checker(_ids, crew_id):
            crew = next((c for c in self._crews if c.id == crew_id), None)
            if crew is None:
                return tr("Regu tidak dikenal.")
            reasons = (
                dispatch.refusal(r.stage, r.crew_id, crew.id, crew.status, r.number)
                for r in waiting
            )
            return next((why for why in reasons if why), None)

        dialog = QtAssignDialog([incident.number], self._crews, checker, incident.member_ids, self)
        return dialog.chosen_crew_id if dialog.exec() else None

    def _done(self, error: str | None, success: str) -> bool:
        if error:
            return self._say(error, error=True)
        self._say(success)
        self.changed.emit()
        return True

    def _say(self, text: str, error: bool = False) -> bool:
        self.messageShown.emit(text, error)
        return not error


def _not_from(current: Stage) -> str:
    return tr("Tidak bisa dari tahap {stage}.").format(stage=STAGE_LABELS[current])


def _input_dialog(parent, title: str, label: str) -> QInputDialog:
    """A QInputDialog with Indonesian buttons (the static helpers show "OK/Cancel")."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOkButtonText(tr("Simpan"))
    dialog.setCancelButtonText(tr("Batal"))
    return dialog
