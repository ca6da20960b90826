"""Settings: posko positions, crews, and the assumptions made where data was missing.

Edits are saved all at once in one transaction; a bad cell names its row and
field and nothing is stored, so a typo never leaves half the organisation saved.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop import settings
from comcen_desktop.domain import CREW_STATUS_LABELS, CrewStatus, Vehicle
from comcen_desktop.i18n import tr
from comcen_desktop.storage.models import Crew, Posko
from comcen_desktop.timeutil import WIB
from services import authz, events, targets
from services.organisation import (
    CrewEdit,
    OrganisationError,
    PoskoEdit,
    check_unique,
    save_crew,
    update_posko,
)
from ui.settings_other import QtOtherSettingsTab

log = logging.getLogger(__name__)

POSKO_COLUMNS = ("Nama", "Lintang", "Bujur", "Personel")
CREW_COLUMNS = ("Kode", "Nama", "Posko", "Kendaraan", "Anggota", "Status", "Shift")
SHIFT_CHOICES = [("Siaga 24 jam", None), ("Pagi", "pagi"), ("Sore", "sore"), ("Malam", "malam")]
ULP_COLUMNS = ("ULP", "Pelanggan", "Target RPT (mnt)", "Target RCT (mnt)")
ULP_NOTE = (
    "Jumlah pelanggan per ULP dipakai untuk SAIDI/SAIFI (kosong: tidak dihitung). "
    "Target berlaku untuk tahun {year}; capaian = (2 × target − aktual) / target."
)
POSKO_NOTE = (
    "Posisi posko bawaan adalah titik label kecamatan (placeholder); ganti dengan "
    "koordinat posko yang sebenarnya (derajat desimal, WGS84)."
)
ASSUMPTION_NOTE = (
    "Nilai berikut kami pilih karena data unit tidak menyebutkannya. "
    "Periksa dan ganti dengan angka unit."
)


class QtSettingsDialog(QDialog):
    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Pengaturan"))
        self._database = database
        self.saved_changes = 0
        tabs = QTabWidget()
        tabs.addTab(self._posko_tab(), tr("Posko"))
        tabs.addTab(self._crew_tab(), tr("Regu"))
        tabs.addTab(self._ulp_tab(), tr("ULP dan target"))
        tabs.addTab(self._assumption_tab(), tr("Asumsi"))
        self.other_tab = QtOtherSettingsTab(database)
        tabs.addTab(self.other_tab, tr("Lainnya"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Simpan"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal"))
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(900, 560)

    # --- posko -----------------------------------------------------------------

    def _posko_tab(self) -> QWidget:
        with self._database.read() as session:
            self._posko = list(session.scalars(select(Posko).order_by(Posko.name)))
        table = QTableWidget(len(self._posko), len(POSKO_COLUMNS))
        table.setHorizontalHeaderLabels([tr(c) for c in POSKO_COLUMNS])
        for row, station in enumerate(self._posko):
            values = (
                station.name,
                f"{station.lat:.6f}",
                f"{station.lon:.6f}",
                "" if station.personnel is None else str(station.personnel),
            )
            for column, value in enumerate(values):
                table.setItem(row, column, QTableWidgetItem(value))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.posko_table = table
        note = QLabel(tr(POSKO_NOTE))
        note.setWordWrap(True)
        return _page(note, table)

    # --- crews -----------------------------------------------------------------

    def _crew_tab(self) -> QWidget:
        with self._database.read() as session:
            self._crews = list(session.scalars(select(Crew).order_by(Crew.posko_id, Crew.code)))
        table = QTableWidget(0, len(CREW_COLUMNS))
        table.setHorizontalHeaderLabels([tr(c) for c in CREW_COLUMNS])
        self._crew_ids: list[int | None] = []
        for crew in self._crews:
            self._append_crew_row(
                table,
                crew.id,
                crew.code,
                crew.name,
                crew.posko_id,
                crew.vehicle,
                crew.members,
                crew.status,
                crew.shift,
            )
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.crew_table = table
        add = QPushButton(tr("Tambah regu"))
        add.clicked.connect(self._add_crew_row)
        return _page(table, add)

    def _append_crew_row(
        self, table, crew_id, code, name, posko_id, vehicle, members, status, shift=None
    ) -> None:
        row = table.rowCount()
        table.insertRow(row)
        self._crew_ids.append(crew_id)
        table.setItem(row, 0, QTableWidgetItem(code))
        table.setItem(row, 1, QTableWidgetItem(name))
        table.setCellWidget(row, 2, self._combo([(p.name, p.id) for p in self._posko], posko_id))
        table.setCellWidget(row, 3, self._combo([(v.value, v.value) for v in Vehicle], vehicle))
        table.setItem(row, 4, QTableWidgetItem(str(members)))
        statuses = [(CREW_STATUS_LABELS[s], s.value) for s in CrewStatus]
        table.setCellWidget(row, 5, self._combo(statuses, status))
        table.setCellWidget(row, 6, self._combo(SHIFT_CHOICES, shift))

    def _add_crew_row(self) -> None:
        first = self._posko[0].id if self._posko else 0
        self._append_crew_row(
            self.crew_table,
            None,
            "",
            "",
            first,
            Vehicle.MOBIL.value,
            2,
            CrewStatus.SIAGA.value,
        )
        self.crew_table.scrollToBottom()

    @staticmethod
    def _combo(choices, current) -> QComboBox:
        combo = QComboBox()
        for label, value in choices:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        return combo

    # --- ULP figures and targets -------------------------------------------------

    def _ulp_tab(self) -> QWidget:
        self._year = datetime.now(WIB).year
        with self._database.read() as session:
            self._ulps = targets.load(session, self._year)
        table = QTableWidget(len(self._ulps), len(ULP_COLUMNS))
        table.setHorizontalHeaderLabels([tr(c) for c in ULP_COLUMNS])
        for row, ulp in enumerate(self._ulps):
            name = QTableWidgetItem(ulp.name)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, 0, name)
            customers = "" if ulp.customers is None else str(ulp.customers)
            table.setItem(row, 1, QTableWidgetItem(customers))
            table.setItem(row, 2, QTableWidgetItem(f"{ulp.rpt_target_min:g}"))
            table.setItem(row, 3, QTableWidgetItem(f"{ulp.rct_target_min:g}"))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.ulp_table = table
        note = QLabel(tr(ULP_NOTE).format(year=self._year))
        note.setWordWrap(True)
        return _page(note, table)

    def _ulp_figures(self, row: int) -> targets.UlpFigures:
        label = f"ULP {self._ulps[row].name}"
        customers = self._text(self.ulp_table, row, 1)
        return targets.UlpFigures(
            ulp_id=self._ulps[row].ulp_id,
            name=self._ulps[row].name,
            customers=_whole(label, "Pelanggan", customers) if customers else None,
            rpt_target_min=_number(label, "Target RPT", self._text(self.ulp_table, row, 2)),
            rct_target_min=_number(label, "Target RCT", self._text(self.ulp_table, row, 3)),
        )

    # --- assumptions -----------------------------------------------------------

    def _assumption_tab(self) -> QWidget:
        with self._database.read() as session:
            rows = settings.assumptions(session)
        view = QTextBrowser()
        items = "".join(f"<li>{escape(r.note or r.key)}</li>" for r in rows)
        view.setHtml(f"<p>{tr(ASSUMPTION_NOTE)}</p><ul>{items}</ul>")
        return _page(view)

    # --- saving ----------------------------------------------------------------

    def _save(self) -> None:
        try:
            posko_edits = [self._posko_edit(row) for row in range(self.posko_table.rowCount())]
            crew_edits = [self._crew_edit(row) for row in range(self.crew_table.rowCount())]
            ulp_figures = [self._ulp_figures(row) for row in range(self.ulp_table.rowCount())]
            check_unique(tr("Posko"), tr("nama"), [e.name for e in posko_edits])
            check_unique(tr("Regu"), tr("kode"), [e.code for e in crew_edits])
            other = self.other_tab.changes()
            self.saved_changes = self._store(posko_edits, crew_edits, ulp_figures, other)
        except (OrganisationError, ValueError) as exc:
            QMessageBox.warning(self, tr("Tidak tersimpan"), str(exc))
            return
        except SQLAlchemyError as exc:
            # Another console may have taken a code meanwhile; nothing was stored.
            log.warning("Settings not saved: %s", exc)
            first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
            QMessageBox.warning(self, tr("Tidak tersimpan"), first_line)
            return
        log.info("Settings saved: %d changes", self.saved_changes)
        self.accept()

    def _store(self, posko_edits, crew_edits, ulp_figures, other=None) -> int:
        # A role without these rights never gets here (ui.sign_in disables the
        # action); checked again so nothing is stored if it does. Shown by _save.
        authz.require_current("crews.edit")
        authz.require_current("targets.edit")
        actor = events.current_actor()
        with self._database.transaction() as session:
            changed = sum(update_posko(session, edit, actor) for edit in posko_edits)
            changed += sum(save_crew(session, edit, actor) for edit in crew_edits)
            changed += sum(targets.save(session, f, self._year, actor) for f in ulp_figures)
            changed += self.other_tab.store(session, other or {}, actor)
        return changed

    def _posko_edit(self, row: int) -> PoskoEdit:
        name = self._text(self.posko_table, row, 0)
        label = f"Posko baris {row + 1} ({name})"
        personnel = self._text(self.posko_table, row, 3)
        return PoskoEdit(
            id=self._posko[row].id,
            name=name,
            lat=_number(label, "Lintang", self._text(self.posko_table, row, 1)),
            lon=_number(label, "Bujur", self._text(self.posko_table, row, 2)),
            personnel=_whole(label, "Personel", personnel) if personnel else None,
        )

    def _crew_edit(self, row: int) -> CrewEdit:
        table = self.crew_table
        label = f"Regu baris {row + 1}"
        return CrewEdit(
            id=self._crew_ids[row],
            code=self._text(table, row, 0),
            name=self._text(table, row, 1),
            posko_id=table.cellWidget(row, 2).currentData(),
            vehicle=table.cellWidget(row, 3).currentData(),
            members=_whole(label, "Anggota", self._text(table, row, 4)),
            status=table.cellWidget(row, 5).currentData(),
            shift=table.cellWidget(row, 6).currentData(),
        )

    @staticmethod
    def _text(table, row, column) -> str:
        item = table.item(row, column)
        return item.text().strip() if item else ""


def _number(label: str, field: str, text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise OrganisationError(f"{label}, kolom {field}: '{text}' bukan angka.")
    return value


def _whole(label: str, field: str, text: str) -> int:
    value = _number(label, field, text)
    if value != int(value) or abs(value) > 100_000:
        raise OrganisationError(f"{label}, kolom {field}: '{text}' bukan bilangan bulat.")
    return int(value)


def _page(*widgets) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    for widget in widgets:
        layout.addWidget(widget)
    return page
