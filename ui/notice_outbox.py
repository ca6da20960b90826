"""The customer-notice outbox in the console: delivery off the GUI thread, a status-bar
indicator of the backlog, and a dialog listing the notices with "Kirim ulang".

The worker (a QtTimedWorker) runs services.notice_sender.deliver_due every few seconds
and reads the backlog; only the GUI thread touches the indicator and the dialog.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop import settings
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import format_wib
from services import events, feedback, notice_sender, notices
from services.notice_sender import Backlog
from ui.worker import QtTimedWorker

log = logging.getLogger(__name__)

DELIVERY_MS = 5000
AMBER_STYLE = "color: black; background: #f39c12; padding: 2px 6px;"
RED_STYLE = "color: white; background: #c0392b; padding: 2px 6px;"
COLUMNS = ("Laporan", "Jenis", "Penerima", "Status", "Percobaan", "Galat terakhir", "Dibuat")
STATUS_FILTERS = [
    ("Semua", None),
    ("Antre", [notices.ANTRE]),
    ("Gagal", [notices.GAGAL]),
    ("Terkirim", [notices.TERKIRIM]),
    ("Tanpa nomor", [notices.TANPA_NOMOR]),
]


class QtNoticeWorker(QtTimedWorker):
    """Sends due notices and reads the backlog, in its own thread."""

    backlogLoaded = Signal(object, object, int)  # Backlog, refusal text or None, warn at
    loadFailed = Signal(str)
    _roundRequested = Signal()

    def __init__(self, database, interval_ms: int = DELIVERY_MS):
        super().__init__("comcen-notices", interval_ms)
        self._database = database
        self._roundRequested.connect(self.tick)

    def request_round(self) -> None:
        """Run a round now (after "Kirim ulang"); returns at once."""
        self._roundRequested.emit()

    def started_in_thread(self) -> None:
        self.tick()

    @Slot()
    def tick(self) -> None:
        try:
            # Loaded each round, so a sender the unit sets in Pengaturan takes effect.
            sender = notice_sender.configured_sender(self._database)
            result = notice_sender.deliver_due(self._database, sender)
            with self._database.read() as session:
                counts = notice_sender.backlog(session)
                warn_at = int(settings.get(session, "notice.backlog_warn"))
        except Exception as exc:  # a lost database must not end delivery for good
            log.warning("Notice round failed: %s", exc)
            self.loadFailed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        self.backlogLoaded.emit(counts, result.refused, warn_at)


def indicator_text(counts: Backlog) -> str:
    return tr("Notifikasi: {n} antre, {m} gagal").format(n=counts.waiting, m=counts.failed)


def indicator_level(counts: Backlog, refused: str | None, warn_at: int = 20) -> str:
    """ "red" when something needs the operator (given up, no sender), "amber" when the
    queue is long or retrying, else "ok"."""
    if counts.failed or refused:
        return "red"
    if counts.waiting >= warn_at or counts.failing:
        return "amber"
    return "ok"


class QtNoticeIndicator(QLabel):
    """'Notifikasi: N antre, M gagal' in the status bar; a click opens the outbox."""

    clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(tr("Notifikasi: –"), parent)
        self.level = "ok"
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_backlog(self, counts: Backlog, refused: str | None, warn_at: int = 20) -> None:
        self.setText(indicator_text(counts))
        self.level = indicator_level(counts, refused, warn_at)
        styles = {"red": RED_STYLE, "amber": AMBER_STYLE, "ok": ""}
        self.setStyleSheet(styles[self.level])
        oldest = format_wib(counts.oldest_at) if counts.oldest_at else "–"
        tip = tr("Tertua menunggu sejak {t}; {k} sedang dicoba ulang").format(
            t=oldest, k=counts.failing
        )
        self.setToolTip(f"{refused}\n{tip}" if refused else tip)

    def set_failed(self, reason: str) -> None:
        self.setText(tr("Notifikasi: database tidak terjangkau"))
        self.level = "red"
        self.setStyleSheet(RED_STYLE)
        self.setToolTip(reason)

    def mousePressEvent(self, event) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class QtOutboxDialog(QDialog):
    """Every notice, newest first, filterable by status; failed ones can be resent,
    and the answer to a closing question can be recorded from here."""

    resent = Signal(int)

    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Kotak keluar notifikasi"))
        self._database = database
        self.rows: list[notices.NoticeRow] = []
        self.filter_combo = QComboBox()
        for label, value in STATUS_FILTERS:
            self.filter_combo.addItem(tr(label), value)
        self.filter_combo.currentIndexChanged.connect(self.reload)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.body_label = QLabel(wordWrap=True)
        self.resend_button = QPushButton(tr("Kirim ulang"))
        self.resend_button.clicked.connect(self.resend_selected)
        self.feedback_button = QPushButton(tr("Catat jawaban pelanggan…"))
        self.feedback_button.clicked.connect(self.feedback_selected)
        self._layout()
        self.reload()
        self.resize(1000, 520)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Status:")))
        top.addWidget(self.filter_combo)
        top.addStretch(1)
        top.addWidget(self.feedback_button)
        top.addWidget(self.resend_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.body_label)

    def reload(self) -> None:
        statuses = self.filter_combo.currentData()
        with self._database.read() as session:
            self.rows = notices.list_notices(session, statuses)
        self.table.setRowCount(len(self.rows))
        for row, notice in enumerate(self.rows):
            values = (
                notice.report_number,
                tr(notices.KIND_LABELS.get(notice.kind, notice.kind)),
                notice.recipient or "–",
                tr(notices.STATUS_LABELS.get(notice.status, notice.status)),
                str(notice.attempts),
                notice.last_error or "",
                format_wib(notice.created_at),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self._selection_changed()

    def selected_rows(self) -> list[notices.NoticeRow]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.rows[r] for r in rows if r < len(self.rows)]

    def _selection_changed(self) -> None:
        chosen = self.selected_rows()
        self.resend_button.setEnabled(any(r.status == notices.GAGAL for r in chosen))
        closing = [r for r in chosen if r.kind == notices.KONFIRMASI_SELESAI]
        self.feedback_button.setEnabled(len(chosen) == 1 and bool(closing))
        self.body_label.setText(chosen[0].body if len(chosen) == 1 else "")

    def resend_selected(self) -> int:
        ids = [r.id for r in self.selected_rows() if r.status == notices.GAGAL]
        try:
            count = notice_sender.resend(self._database, ids, events.current_actor())
        except (ValueError, SQLAlchemyError) as exc:
            QMessageBox.warning(self, tr("Tidak tersimpan"), str(exc).splitlines()[0])
            return 0
        self.reload()
        self.resent.emit(count)
        return count

    def feedback_selected(self) -> None:
        from ui.feedback_dialog import QtFeedbackDialog

        chosen = self.selected_rows()
        if len(chosen) != 1:
            return
        QtFeedbackDialog(self._database, chosen[0].report_id, chosen[0].report_number, self).exec()


class QtNoticeOutbox:
    """Wires the worker, the indicator and the dialog into a main window."""

    def __init__(self, window):
        self.window = window
        self.indicator = QtNoticeIndicator(window)
        window.statusBar().addPermanentWidget(self.indicator)
        self.worker = QtNoticeWorker(window.database)
        self.worker.backlogLoaded.connect(self.indicator.set_backlog)
        self.worker.loadFailed.connect(self.indicator.set_failed)
        self.indicator.clicked.connect(self.open_dialog)
        self.menu = window.menuBar().addMenu(tr("Notifikasi"))
        self.action = self.menu.addAction(tr("Kotak keluar notifikasi…"), self.open_dialog)
        self.templates_action = self.menu.addAction(tr("Template notifikasi…"), self.open_templates)
        self.feedback_action = self.menu.addAction(tr("Umpan balik pelanggan…"), self.open_feedback)

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def open_dialog(self) -> None:
        dialog = QtOutboxDialog(self.window.database, self.window)
        dialog.resent.connect(lambda _n: self.worker.request_round())
        dialog.exec()

    def open_feedback(self) -> None:
        """The answer to "sudah selesai?" for a Selesai report, chosen by its number
        (the selected report's number is offered)."""
        from ui.feedback_dialog import QtFeedbackDialog

        # An own QInputDialog: the static getText shows English "OK/Cancel".
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle(tr("Umpan balik pelanggan"))
        dialog.setLabelText(tr("Nomor laporan (Selesai):"))
        dialog.setTextValue(self._selected_number())
        dialog.setOkButtonText(tr("Lanjut"))
        dialog.setCancelButtonText(tr("Batal"))
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        number = dialog.textValue()
        if not ok or not number.strip():
            return
        found = feedback.find_report(self.window.database, number)
        if found is None:
            self.window.show_message(
                tr("Laporan {n} tidak ada.").format(n=number.strip()), error=True
            )
            return
        dialog = QtFeedbackDialog(self.window.database, found[0], found[1], self.window)
        if dialog.exec():
            self.window.show_message(dialog.result_message())
            self.window.follower.refresh()

    def _selected_number(self) -> str:
        ids = self.window.queue_dock.selected_ids()
        report = self.window._reports.get(ids[0]) if len(ids) == 1 else None
        return report.number if report is not None else ""

    def open_templates(self) -> None:
        from ui.notice_templates import QtNoticeTemplatesDialog

        QtNoticeTemplatesDialog(self.window.database, self.window).exec()
