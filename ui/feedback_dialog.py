"""The customer's answer to the closing question, typed in by the operator:
"sudah selesai? ya/tidak", a 1–5 rating and a comment. "Tidak" reopens the job as a
new Lapor report (services.feedback); the dialog says which number it got.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import utc_now
from services import events, feedback

log = logging.getLogger(__name__)

NO_RATING = 0


class QtFeedbackDialog(QDialog):
    def __init__(self, database, report_id: int, report_number: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Umpan balik pelanggan") + f" — {report_number}")
        self._database = database
        self._report_id = report_id
        self.reopened_number: str | None = None
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet("color: #c0392b;")

        self.yes = QRadioButton(tr("Ya, sudah selesai"))
        self.no = QRadioButton(tr("Tidak, belum selesai (buka laporan baru)"))
        self.answer_group = QButtonGroup(self)
        for button in (self.yes, self.no):
            self.answer_group.addButton(button)
        self.rating_group = QButtonGroup(self)
        rating_row = self._rating_row()
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setPlaceholderText(tr("Komentar pelanggan (boleh kosong)"))
        self.comment_edit.setMaximumHeight(90)

        form = QFormLayout()
        form.addRow(QLabel(tr("Sudah selesai?")), _row(self.yes, self.no))
        form.addRow(QLabel(tr("Nilai (1–5):")), rating_row)
        form.addRow(QLabel(tr("Komentar:")), self.comment_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Simpan"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _rating_row(self) -> QWidget:
        self.rating_buttons = {}
        choices = [(NO_RATING, tr("tanpa nilai"))] + [(n, str(n)) for n in range(1, 6)]
        for value, text in choices:
            button = QRadioButton(text)
            self.rating_group.addButton(button, value)
            self.rating_buttons[value] = button
        self.rating_buttons[NO_RATING].setChecked(True)
        return _row(*self.rating_buttons.values())

    def rating(self) -> int | None:
        value = self.rating_group.checkedId()
        return None if value <= NO_RATING else value

    def save(self) -> bool:
        if not (self.yes.isChecked() or self.no.isChecked()):
            self.error_label.setText(tr("Pilih jawaban: ya atau tidak."))
            return False
        try:
            self.reopened_number = feedback.feedback_now(
                self._database,
                self._report_id,
                resolved=self.yes.isChecked(),
                rating=self.rating(),
                comment=self.comment_edit.toPlainText(),
                actor=events.current_actor(),
                now=utc_now(),
            )
        except (ValueError, SQLAlchemyError) as exc:
            # StageError and a refused role are ValueErrors with the operator's words.
            log.info("Feedback not stored: %s", exc)
            self.error_label.setText(str(getattr(exc, "orig", None) or exc).splitlines()[0])
            return False
        self.accept()
        return True

    def result_message(self) -> str:
        if self.reopened_number:
            return tr("Umpan balik tersimpan; laporan dibuka kembali sebagai {n}").format(
                n=self.reopened_number
            )
        return tr("Umpan balik tersimpan")


def _row(*widgets) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return box
