"""Keyboard path for dispatch: select reports, Ctrl+T, type part of a crew name, Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from comcen_desktop.domain import CREW_STATUS_LABELS, CrewStatus
from comcen_desktop.i18n import tr
from services.queries import CrewView


class QtAssignDialog(QDialog):
    def __init__(self, numbers: list[str], crews: list[CrewView], checker, ids, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Pilih regu"))
        self.chosen_crew_id: int | None = None
        self.filter_edit = QLineEdit(placeholderText=tr("Ketik nama regu, posko atau ULP…"))
        self.list = QListWidget()
        for crew in crews:
            self.list.addItem(self._item(crew, checker(ids, crew.id)))
        self.filter_edit.textChanged.connect(self._filter)
        self.filter_edit.returnPressed.connect(self.accept)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Tugaskan"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{tr('Laporan')}: {', '.join(numbers)}"))
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self._select_first_visible()
        self.resize(640, 460)  # room for "Regu … — posko (ULP) · status, antrean"

    def _item(self, crew: CrewView, refusal: str | None) -> QListWidgetItem:
        status = CREW_STATUS_LABELS[CrewStatus(crew.status)]
        queue = f", {len(crew.queue)} tugas" if crew.queue else ""
        item = QListWidgetItem(f"{crew.name} — {crew.posko} ({crew.ulp}) · {status}{queue}")
        item.setData(Qt.ItemDataRole.UserRole, crew.id)
        if refusal:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(refusal)
        return item

    def _filter(self, text: str) -> None:
        needle = text.casefold()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(needle not in item.text().casefold())
        self._select_first_visible()

    def _select_first_visible(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if not item.isHidden() and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentItem(item)
                return

    def accept(self) -> None:
        item = self.list.currentItem()
        if item is None or item.isHidden() or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        self.chosen_crew_id = item.data(Qt.ItemDataRole.UserRole)
        super().accept()
