"""A report's history: every field, each stage with its WIB time, who and the note,
every time correction (original, new, who, when, why), the event log rows in words,
and links to the repeat, reopened and incident reports it is tied to.

The data comes from services.report_history (one report: a quick read); this module
only lays it out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
)

from comcen_desktop.domain import STAGE_LABELS
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import format_wib
from services.report_history import ReportHistory, load_history

STAGE_COLUMNS = (
    "Tahap",
    "Waktu (WIB)",
    "Oleh",
    "Catatan",
    "Waktu asli",
    "Dikoreksi oleh",
    "Dikoreksi pada",
    "Alasan koreksi",
)
EVENT_COLUMNS = ("Waktu (WIB)", "Oleh", "Konsol", "Kejadian", "Perubahan")
LINK_PREFIX = "laporan:"


class QtReportHistoryDialog(QDialog):
    reportOpened = Signal(int)  # the report now shown (after following a link too)

    def __init__(self, database, report_id: int, parent=None):
        super().__init__(parent)
        self.database = database
        self.history: ReportHistory | None = None
        self.title_label = QLabel()
        self.links_label = QLabel(wordWrap=True)
        self.links_label.setTextFormat(Qt.TextFormat.RichText)
        self.links_label.linkActivated.connect(self._follow)
        self.fields_table = _table(("Data", "Isi"))
        self.stages_table = _table(STAGE_COLUMNS)
        self.events_table = _table(EVENT_COLUMNS)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.fields_table, tr("Data laporan"))
        self.tabs.addTab(self.stages_table, tr("Tahap dan koreksi"))
        self.tabs.addTab(self.events_table, tr("Log kejadian"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Tutup"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.links_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(980, 560)
        self.show_report(report_id)

    def show_report(self, report_id: int) -> None:
        with self.database.read() as session:
            history = load_history(session, report_id)
        self.history = history
        if history is None:
            self.title_label.setText(
                tr("Laporan {n} sudah ditutup atau tidak ada.").format(n=report_id)
            )
            return
        self.setWindowTitle(f"{tr('Riwayat')} {history.number}")
        self.title_label.setText(f"<b>{history.number}</b> · {STAGE_LABELS[history.stage]}")
        self._show_links(history)
        _fill(self.fields_table, [(tr(f.label), f.value) for f in history.fields])
        _fill(self.stages_table, [_stage_row(s) for s in history.stages])
        _fill(self.events_table, [_event_row(e) for e in history.events])
        self.reportOpened.emit(report_id)

    def _show_links(self, history: ReportHistory) -> None:
        parts = [
            f'{tr(link.relation)}: <a href="{LINK_PREFIX}{link.report_id}">{link.number}</a>'
            f" ({STAGE_LABELS[link.stage]})"
            for link in history.links
        ]
        if history.incident is not None:
            parts.append(
                f"{tr('Padam meluas')}: {history.incident.number} ({history.incident.status})"
            )
        self.links_label.setText(" · ".join(parts))
        self.links_label.setVisible(bool(parts))

    def _follow(self, href: str) -> None:
        if href.startswith(LINK_PREFIX):
            self.show_report(int(href[len(LINK_PREFIX) :]))

    def cell(self, table: QTableWidget, row: int, column: str) -> str:
        """The text of a cell by column title (tests and copy-paste)."""
        columns = [table.horizontalHeaderItem(c).data(Qt.ItemDataRole.UserRole)
                   for c in range(table.columnCount())]  # fmt: skip
        item = table.item(row, columns.index(column))
        return item.text() if item is not None else ""


def _table(columns) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    for index, title in enumerate(columns):
        item = QTableWidgetItem(tr(title))
        item.setData(Qt.ItemDataRole.UserRole, title)
        table.setHorizontalHeaderItem(index, item)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def _fill(table: QTableWidget, rows: list[tuple]) -> None:
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
    table.resizeColumnsToContents()


def _stage_row(entry) -> tuple[str, ...]:
    return (
        entry.label,
        format_wib(entry.at),
        entry.actor,
        entry.note or "",
        format_wib(entry.original_at) if entry.corrected else "",
        entry.corrected_by or "",
        format_wib(entry.corrected_at) if entry.corrected_at else "",
        entry.correction_reason or "",
    )


def _event_row(line) -> tuple[str, ...]:
    return (
        format_wib(line.at),
        line.actor,
        line.console or "",
        tr(line.title),
        line.text,
    )
