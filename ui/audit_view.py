"""The audit view: who did what and when, with before and after, filtered, exportable.

Read-only by construction: it only queries (services.audit) and writes files; the
database refuses any change to the log (migration 0004). The query runs on a worker
thread so a long search never freezes the console.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QDateTime, QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import WIB, to_wib, utc_now
from services import audit, authz, event_words

log = logging.getLogger(__name__)

SHOWN_COLUMNS = ["Waktu (WIB)", "Pengguna", "Konsol", "Jenis", "Objek", "Uraian"]
ERROR_STYLE = "color: white; background: #c0392b; padding: 2px 6px;"


class _AuditWorker(QObject):
    """Runs one query at a time in its own thread; results come back as signals."""

    done = Signal(object)  # list[AuditRow]
    failed = Signal(str)

    def __init__(self, database):
        super().__init__()
        self.database = database

    @Slot(object)
    def run(self, wanted: audit.AuditFilter) -> None:
        try:
            with self.database.read() as session:
                rows = audit.query(session, wanted)
        except audit.AuditError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a failed search must not take the console down
            log.warning("Audit query failed: %s", exc)
            self.failed.emit(f"{tr('Pencarian audit gagal')}: {exc}")
            return
        self.done.emit(rows)


class QtAuditDialog(QDialog):
    searchRequested = Signal(object)  # AuditFilter, to the worker
    rowsShown = Signal(int)  # after the table is filled (tests wait on it)

    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Audit"))
        self.resize(1100, 650)
        self.rows: list[audit.AuditRow] = []
        self._build_filters()
        self._build_table()
        self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(self.buttons)
        self._start_worker(database)

    # --- building --------------------------------------------------------------

    def _build_filters(self) -> None:
        self.report_edit, self.crew_edit = QLineEdit(), QLineEdit()
        self.actor_edit, self.console_edit = QLineEdit(), QLineEdit()
        self.kind_edit = _kind_combo()
        self.report_edit.setPlaceholderText("LP…")
        now = QDateTime(to_wib(utc_now()).replace(tzinfo=None))
        self.use_from, self.use_to = QCheckBox(tr("Dari (WIB)")), QCheckBox(tr("Sampai (WIB)"))
        self.from_edit, self.to_edit = QDateTimeEdit(now.addDays(-1)), QDateTimeEdit(now)
        for edit in (self.from_edit, self.to_edit):
            edit.setDisplayFormat("dd-MM-yyyy HH:mm")
            edit.setCalendarPopup(True)
        grid = self.filters = QGridLayout()
        for column, (label, widget) in enumerate([
            (tr("Laporan"), self.report_edit), (tr("Regu"), self.crew_edit),
            (tr("Pengguna"), self.actor_edit), (tr("Konsol"), self.console_edit),
            (tr("Jenis"), self.kind_edit),
        ]):  # fmt: skip
            grid.addWidget(QLabel(label), 0, column)
            grid.addWidget(widget, 1, column)
        grid.addWidget(self.use_from, 2, 0)
        grid.addWidget(self.from_edit, 2, 1)
        grid.addWidget(self.use_to, 2, 2)
        grid.addWidget(self.to_edit, 2, 3)
        for edit in (self.report_edit, self.crew_edit, self.actor_edit, self.console_edit):
            edit.returnPressed.connect(self.search)

    def _build_table(self) -> None:
        self.table = QTableWidget(0, len(SHOWN_COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in SHOWN_COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda row, *_: self.show_detail(row))
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.message = QLabel()
        self.message.setWordWrap(True)

    def _build_buttons(self) -> None:
        self.search_button = QPushButton(tr("Cari"))
        self.search_button.clicked.connect(self.search)
        self.export_button = QPushButton(tr("Ekspor CSV/XLSX…"))
        self.export_button.clicked.connect(self.export_with_dialog)
        why = authz.refusal_now("audit.export")
        self.export_button.setEnabled(why is None)
        self.export_button.setToolTip(why or "")
        close = QPushButton(tr("Tutup"))
        close.clicked.connect(self.reject)
        self.buttons = QHBoxLayout()
        for button in (self.search_button, self.export_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(close)

    def _start_worker(self, database) -> None:
        self._thread = QThread()
        self._thread.setObjectName("audit")
        self.worker = _AuditWorker(database)
        self.worker.moveToThread(self._thread)
        self.searchRequested.connect(self.worker.run)
        self.worker.done.connect(self.show_rows)
        self.worker.failed.connect(self.show_error)
        self._thread.start()

    # --- searching -------------------------------------------------------------

    def current_filter(self) -> audit.AuditFilter:
        return audit.AuditFilter(
            report=self.report_edit.text(),
            crew=self.crew_edit.text(),
            actor=self.actor_edit.text(),
            console=self.console_edit.text(),
            kind=self.kind_edit.currentData() or "",
            start=_wib(self.from_edit) if self.use_from.isChecked() else None,
            end=_wib(self.to_edit) if self.use_to.isChecked() else None,
        )

    def search(self) -> None:
        self.message.setText(tr("mencari…"))
        self.message.setStyleSheet("")
        self.search_button.setEnabled(False)
        self.searchRequested.emit(self.current_filter())

    def show_rows(self, rows: list) -> None:
        self.rows = rows
        self.search_button.setEnabled(True)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = [row.at_wib, row.actor, row.console or "", row.kind_label, row.subject,
                     row.description]  # fmt: skip
            for column, value in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(value))
            kind = self.table.item(index, SHOWN_COLUMNS.index("Jenis"))
            kind.setData(Qt.ItemDataRole.UserRole, row.kind)  # the code stays as data
            kind.setToolTip(row.kind)
            self.table.item(index, SHOWN_COLUMNS.index("Uraian")).setToolTip(row.description)
        self.table.resizeColumnsToContents()
        limit = audit.DEFAULT_LIMIT
        more = f" ({tr('dibatasi')} {limit})" if len(rows) >= limit else ""
        self.message.setText(f"{len(rows)} {tr('kejadian')}{more}")
        self.detail.clear()
        self.rowsShown.emit(len(rows))

    def show_error(self, text: str) -> None:
        self.search_button.setEnabled(True)
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE)
        self.rowsShown.emit(-1)

    def show_detail(self, index: int) -> None:
        if not 0 <= index < len(self.rows):
            self.detail.clear()
            return
        row = self.rows[index]
        lines = [f"#{row.seq} {row.at_wib} · {row.actor} · {row.console or '-'}",
                 f"{row.kind_label} ({row.kind}) · {row.subject}: {row.description}",
                 ""]  # fmt: skip
        lines += [f"{name}: {_text(old)} → {_text(new)}" for name, old, new in row.changes]
        self.detail.setPlainText("\n".join(lines))

    # --- export ----------------------------------------------------------------

    def export_with_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Ekspor audit"), "audit.xlsx", "XLSX (*.xlsx);;CSV (*.csv)"
        )
        if path:
            self.export_to(path)

    def export_to(self, path) -> int | None:
        why = authz.refusal_now("audit.export")
        if why:
            self.show_error(why)
            return None
        try:
            count = audit.export(self.rows, path)
        except (OSError, ValueError) as exc:
            self.show_error(str(exc))
            return None
        self.message.setText(f"{count} {tr('kejadian diekspor ke')} {path}")
        self.message.setStyleSheet("")
        return count

    def done(self, result: int) -> None:
        self._thread.quit()
        self._thread.wait(5000)
        super().done(result)


def _wib(edit: QDateTimeEdit) -> datetime:
    return edit.dateTime().toPython().replace(tzinfo=WIB)


def _text(value) -> str:
    return "-" if value is None else str(value)


def _kind_combo() -> QComboBox:
    """Kinds by their Indonesian label; the code is the item's data and tooltip."""
    combo = QComboBox()
    combo.addItem(tr("(semua jenis)"), "")
    for code, label in sorted(event_words.KIND_LABELS.items(), key=lambda item: item[1]):
        combo.addItem(label, code)
        combo.setItemData(combo.count() - 1, code, Qt.ItemDataRole.ToolTipRole)
    return combo


def install(window) -> QAction:
    """An "Audit…" entry in the window's File menu; refused roles see it disabled."""
    action = QAction(tr("Audit…"), window)
    action.triggered.connect(lambda: open_audit(window))
    for menu_action in window.menuBar().actions():
        if menu_action.menu() is not None and menu_action.text() == tr("Berkas"):
            _add_above_quit(menu_action.menu(), action)
            break
    window.actions["audit"] = action
    return action


def _add_above_quit(menu, action: QAction) -> None:
    # "Keluar" stays the last entry, with the separator above it.
    entries = menu.actions()
    quits = [i for i, entry in enumerate(entries) if entry.text() == tr("Keluar")]
    if not quits:
        menu.addAction(action)
        return
    at = quits[0]
    if at > 0 and entries[at - 1].isSeparator():
        at -= 1
    menu.insertAction(entries[at], action)


def open_audit(window) -> QtAuditDialog | None:
    why = authz.refusal_now("audit.view")
    if why:
        window.show_message(why, error=True)
        return None
    dialog = QtAuditDialog(window.database, window)
    dialog.show()
    dialog.search()
    window.audit_dialog = dialog
    return dialog
