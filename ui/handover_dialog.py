"""Shift handover in the console: the recap on demand, and by itself at shift end.

The text goes to the clipboard for the team's group chat; the PDF is the one-page
recap for the supervisor. At each shift change the console also writes both to
the user's data folder, so the recap exists even when nobody asked for it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from comcen_desktop import paths
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import shift_of, to_wib, utc_now
from services.kpi_engine import handover
from ui.handover_pdf import render_pdf

log = logging.getLogger(__name__)


def build_recap(database, day: date, shift: str) -> handover.HandoverRecap:
    with database.read() as session:
        return handover.build(session, day, shift)


def save_recap(recap: handover.HandoverRecap, folder: Path | None = None) -> tuple[Path, Path]:
    """Write ``<day>-<shift>.txt`` and ``.pdf`` into the data folder's handover/."""
    folder = folder or paths.user_data_dir() / "handover"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{recap.day:%Y-%m-%d}-{recap.shift.lower()}"
    text = stem.with_suffix(".txt")
    text.write_text(handover.to_text(recap), encoding="utf-8")
    pdf = render_pdf(recap, stem.with_suffix(".pdf"))
    return text, pdf


class ShiftWatch:
    """Notices a shift change; the first look only remembers where we are."""

    def __init__(self):
        self._last = handover.last_finished_shift(utc_now())

    def newly_finished(self, now=None) -> tuple[date, str] | None:
        latest = handover.last_finished_shift(now or utc_now())
        if latest == self._last:
            return None
        self._last = latest
        return latest


def recent_shifts(now, count: int = 6) -> list[tuple[date, str, bool]]:
    """The running shift first, then the ones before it: (day, shift, running)."""
    shifts = []
    moment = now
    for _ in range(count):
        day, shift = running_shift(moment)
        shifts.append((day, shift, not shifts))
        start, _end = handover.shift_bounds(day, shift)
        moment = start - timedelta(minutes=1)
    return shifts


def running_shift(now) -> tuple[date, str]:
    local = to_wib(now)
    shift = shift_of(now).lower()
    day = local.date() - timedelta(days=1) if shift == "malam" and local.hour < 7 else local.date()
    return day, shift


class QtHandoverDialog(QDialog):
    """Pick a shift (the running one first); read, copy or save its recap."""

    def __init__(self, database, parent=None, now=None):
        super().__init__(parent)
        self._database = database
        self.shifts = recent_shifts(now or utc_now())
        self.picker = QComboBox()
        for day, shift, running in self.shifts:
            suffix = f" ({tr('masih berjalan')})" if running else ""
            self.picker.addItem(f"{shift.capitalize()} {day:%d-%m-%Y}{suffix}")
        self.picker.currentIndexChanged.connect(self._load)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFont("DejaVu Sans Mono", 10))
        copy = QPushButton(tr("Salin untuk grup"))
        copy.clicked.connect(self.copy_text)
        save = QPushButton(tr("Simpan PDF…"))
        save.clicked.connect(self._save_pdf)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Tutup"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(520, 640)
        self._load(0)

    def _load(self, index: int) -> None:
        day, shift, running = self.shifts[index]
        self.recap = build_recap(self._database, day, shift)
        text = handover.to_text(self.recap)
        if running:
            # A recap of a running shift is a snapshot; say so before it is pasted.
            text = f"({tr('shift masih berjalan; angka sementara')})\n{text}"
        self.text.setPlainText(text)
        self.setWindowTitle(f"{tr('Rekap serah terima')} — {self.picker.currentText()}")

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def _save_pdf(self) -> None:
        name = f"rekap-{self.recap.day:%Y-%m-%d}-{self.recap.shift.lower()}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, tr("Simpan PDF…"), name, "PDF (*.pdf)")
        if path:
            render_pdf(self.recap, Path(path))
