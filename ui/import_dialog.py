"""Berkas → Impor riwayat…: a file, an optional MAP.json, the file's time zone, a
progress bar, and at the end the summary with every rejected row (copyable).

The import runs in its own thread (database work never on the GUI thread) and its
whole file is one transaction: cancel rolls everything back. Only this dialog, on
the GUI thread, touches its widgets; the worker talks through queued signals.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop.i18n import tr
from services import events
from services.report_import import DEFAULT_ZONE, FileError, ImportCancelledError, import_file

log = logging.getLogger(__name__)

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")  # WIB, WITA, WIT
FILE_FILTER = "CSV / XLSX (*.csv *.txt *.xlsx *.xlsm);;Semua berkas (*)"


class QtImportWorker(QObject):
    """Runs one import at a time in its thread; never touches a widget."""

    progressed = Signal(int, int)  # rows done, rows expected (0: unknown)
    finished = Signal(object)  # services.report_import.ImportSummary
    failed = Signal(str)
    _runRequested = Signal(str, str, str)

    def __init__(self, database):
        super().__init__()
        self._database = database
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("comcen-import")
        self.moveToThread(self._thread)
        self._runRequested.connect(self._run)

    def start(self, path: str, mapping: str, zone: str) -> None:
        if not self._thread.isRunning():
            self._thread.start()
        self._cancel.clear()
        self._runRequested.emit(path, mapping, zone)

    def cancel(self) -> None:
        self._cancel.set()  # read by the import between rows, in the worker thread

    def stop(self) -> None:
        self._cancel.set()
        self._thread.quit()
        self._thread.wait(30_000)

    @Slot(str, str, str)
    def _run(self, path: str, mapping: str, zone: str) -> None:
        try:
            with self._database.transaction() as session:
                summary = import_file(
                    session,
                    Path(path),
                    actor=events.current_actor(),
                    mapping_path=Path(mapping) if mapping else None,
                    source_tz=zone,
                    progress=lambda done, total: self.progressed.emit(done, total or 0),
                    cancelled=self._cancel.is_set,
                )
        except (FileError, ImportCancelledError) as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a lost database must not kill the console
            log.exception("Import of %s failed", path)
            self.failed.emit(f"{tr('Impor gagal, tidak ada yang disimpan')}: {exc}")
            return
        self.finished.emit(summary)


class QtImportDialog(QDialog):
    importFinished = Signal(object)  # ImportSummary, after the widgets show it
    importFailed = Signal(str)

    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Impor riwayat laporan"))
        self.worker = QtImportWorker(database)
        self.worker.progressed.connect(self._progressed)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.running = False
        self._build()
        self.resize(640, 520)

    def _build(self) -> None:
        self.file_edit = QLineEdit()
        self.mapping_edit = QLineEdit()
        self.mapping_edit.setPlaceholderText(tr("kosong: ekspor APKT"))
        self.zone_box = QComboBox()
        self.zone_box.setEditable(True)
        self.zone_box.addItems(ZONES)
        self.zone_box.setCurrentText(DEFAULT_ZONE)
        form = QFormLayout()
        form.addRow(tr("Berkas (CSV/XLSX)"), self._with_browse(self.file_edit, FILE_FILTER))
        form.addRow(
            tr("Pemetaan (MAP.json)"), self._with_browse(self.mapping_edit, "JSON (*.json)")
        )
        form.addRow(tr("Zona waktu berkas"), self.zone_box)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status_label = QLabel()
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setFont(QFont("DejaVu Sans Mono", 9))

        self.start_button = QPushButton(tr("Impor"))
        self.start_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton(tr("Hentikan"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_import)
        copy = QPushButton(tr("Salin hasil"))
        copy.clicked.connect(self.copy_result)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Tutup"))
        for button in (self.start_button, self.cancel_button, copy):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result)
        layout.addWidget(buttons)

    def _with_browse(self, edit: QLineEdit, pattern: str) -> QWidget:
        button = QPushButton(tr("Pilih…"))
        button.clicked.connect(lambda: self._browse(edit, pattern))
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(edit)
        box.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit, pattern: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Pilih berkas"), edit.text(), pattern)
        if path:
            edit.setText(path)

    # --- the import ------------------------------------------------------------------

    def start_import(self) -> None:
        path = self.file_edit.text().strip()
        if not path:
            self._failed(tr("Pilih berkas yang akan diimpor dulu."))
            return
        self._set_running(True)
        self.progress.setValue(0)
        self.result.clear()
        self.status_label.setText(tr("Mengimpor…"))
        self.worker.start(path, self.mapping_edit.text().strip(), self.zone_box.currentText())

    def cancel_import(self) -> None:
        if self.running:
            self.status_label.setText(tr("Menghentikan…"))
            self.worker.cancel()

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setValue(min(100, done * 100 // total))
        self.status_label.setText(f"{done} {tr('baris dibaca')}")

    def _finished(self, summary) -> None:
        self.worker.stop()  # one thread per import: none is left running behind the dialog
        self._set_running(False)
        self.progress.setValue(100)
        self.status_label.setText(summary.describe())
        self.result.setPlainText(summary.as_text())
        self.importFinished.emit(summary)

    def _failed(self, message: str) -> None:
        self.worker.stop()
        self._set_running(False)
        self.status_label.setText(message)
        self.result.setPlainText(message)
        self.importFailed.emit(message)

    def copy_result(self) -> None:
        QGuiApplication.clipboard().setText(self.result.toPlainText())

    def done(self, result: int) -> None:
        # Closing while importing cancels: the transaction rolls back, nothing is half in.
        self.worker.stop()
        super().done(result)
