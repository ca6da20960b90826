"""Pengaturan → Lainnya: every shared setting in one table, edited in place.

The values are checked by comcen_desktop.settings_schema (the same checks as
`comcen setting set`) when the dialog saves; a bad cell names its key and why, and
the dialog's single transaction stores nothing. Only a role with settings.edit may
type here; the others see the values read-only.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop import settings
from comcen_desktop.commands.settings_cli import store_changes
from comcen_desktop.i18n import tr
from comcen_desktop.settings_schema import DETOUR_PREFIX, Spec, parse, show, spec, specs
from services import authz

log = logging.getLogger(__name__)

COLUMNS = ("Pengaturan", "Keterangan", "Bawaan", "Nilai")
KEY_COLUMN, DEFAULT_COLUMN, VALUE_COLUMN = 0, 2, 3
DEFAULT_WIDTH, VALUE_WIDTH = 150, 220
RESTART_MARK = "perlu mulai ulang konsol"
NOTE = (
    "Nilai ditulis seperti di `comcen setting set`: angka, true/false, teks, atau JSON "
    "untuk daftar dan objek. Pengaturan bertanda 'perlu mulai ulang konsol' berlaku "
    "setelah konsol dibuka lagi."
)


class QtOtherSettingsTab(QWidget):
    def __init__(self, database, parent=None):
        super().__init__(parent)
        self._specs, values = self._load(database)
        self._shown: list[str] = []
        self.refusal = authz.refusal_now("settings.edit")
        self.table = self._table(values)
        note = QLabel(tr(NOTE) if self.refusal is None else self.refusal)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)

    @staticmethod
    def _load(database) -> tuple[list[Spec], dict[str, Any]]:
        with database.read() as session:
            stored = {row.key: row.value for row in settings.all_rows(session)}
        # Per-ULP detours exist only once the unit stored one; show those as well.
        extra = [spec(key) for key in sorted(stored) if key.startswith(DETOUR_PREFIX)]
        items = specs() + extra
        return items, {item.key: stored.get(item.key, item.default) for item in items}

    def _table(self, values: dict[str, Any]) -> QTableWidget:
        table = QTableWidget(len(self._specs), len(COLUMNS))
        table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        for row, item in enumerate(self._specs):
            description = item.description + (f" ({tr(RESTART_MARK)})" if item.restart else "")
            texts = (item.key, description, show(item.default), show(values[item.key]))
            for column, text in enumerate(texts):
                table.setItem(row, column, self._cell(text, column == VALUE_COLUMN))
            self._shown.append(texts[VALUE_COLUMN])
        # The key fits its content; the description takes what is left; a long JSON
        # default (dispatch.remaining_min) must not push the value column off screen:
        # default and value get fixed widths, the whole text is in the tooltip.
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(KEY_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(DEFAULT_COLUMN, DEFAULT_WIDTH)
        table.setColumnWidth(VALUE_COLUMN, VALUE_WIDTH)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        return table

    def _cell(self, text: str, editable: bool) -> QTableWidgetItem:
        cell = QTableWidgetItem(text)
        cell.setToolTip(text)
        if not editable or self.refusal is not None:
            cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
        return cell

    def row_of(self, key: str) -> int:
        return next(row for row, item in enumerate(self._specs) if item.key == key)

    def changes(self) -> dict[str, Any]:
        """The edited values, checked; SettingValueError (a ValueError) naming the
        key and why for the first bad cell. An untouched cell is no change."""
        edited = {}
        for row, item in enumerate(self._specs):
            cell = self.table.item(row, VALUE_COLUMN)
            text = cell.text() if cell else ""
            if text.strip() != self._shown[row].strip():
                edited[item.key] = parse(item.key, text)
        return edited

    def store(self, session, changes: dict[str, Any], actor: str) -> int:
        """Store in the dialog's transaction, one event per changed setting."""
        if not changes:
            return 0
        log.info("Storing %d edited settings", len(changes))
        return store_changes(session, changes, actor)
