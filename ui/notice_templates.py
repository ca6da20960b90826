"""Editing the customer-notice templates, with a live preview from an example report.

All four templates are checked before any is stored (services.notices.check_template),
so a typo in one never leaves the set half saved.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from comcen_desktop import settings
from comcen_desktop.i18n import tr
from services import notices

log = logging.getLogger(__name__)


class QtNoticeTemplatesDialog(QDialog):
    def __init__(self, database, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("Template notifikasi pelanggan"))
        self._database = database
        self.saved_changes = 0
        self.editors: dict[str, QPlainTextEdit] = {}
        self.previews: dict[str, QLabel] = {}
        with database.read() as session:
            texts = {kind: notices.template(session, kind) for kind in notices.KINDS}
        self.tabs = QTabWidget()
        for kind in notices.KINDS:
            self.tabs.addTab(self._page(kind, texts[kind]), tr(notices.KIND_LABELS[kind]))
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Simpan"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Batal"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(720, 460)

    def _page(self, kind: str, text: str) -> QWidget:
        editor = QPlainTextEdit(text)
        preview = QLabel(wordWrap=True)
        preview.setStyleSheet("background: #f4f6f7; padding: 6px;")
        self.editors[kind], self.previews[kind] = editor, preview
        editor.textChanged.connect(lambda kind=kind: self.update_preview(kind))
        reset = QPushButton(tr("Kembalikan ke bawaan"))
        reset.clicked.connect(lambda _=False, kind=kind: self.reset(kind))
        fields = ", ".join(
            f"{{{name}}} {meaning}" for name, meaning in notices.PLACEHOLDERS.items()
        )
        help_label = QLabel(tr("Isian yang bisa dipakai:") + " " + fields, wordWrap=True)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(editor)
        layout.addWidget(help_label)
        layout.addWidget(QLabel(tr("Pratinjau (laporan contoh):")))
        layout.addWidget(preview)
        layout.addWidget(reset)
        self.update_preview(kind)
        return page

    def update_preview(self, kind: str) -> None:
        text = self.editors[kind].toPlainText()
        try:
            notices.check_template(kind, text)
        except notices.TemplateError as exc:
            self.previews[kind].setText(str(exc))
            self.previews[kind].setStyleSheet("background: #fdecea; padding: 6px;")
            return
        self.previews[kind].setText(notices.render(text, notices.example_values()))
        self.previews[kind].setStyleSheet("background: #f4f6f7; padding: 6px;")

    def reset(self, kind: str) -> None:
        self.editors[kind].setPlainText(settings.DEFAULTS[notices.template_key(kind)])

    def save(self) -> bool:
        texts = {kind: editor.toPlainText() for kind, editor in self.editors.items()}
        try:
            for kind, text in texts.items():
                notices.check_template(kind, text)
            with self._database.transaction() as session:
                self.saved_changes = sum(
                    notices.save_template(session, kind, text) for kind, text in texts.items()
                )
        except (ValueError, SQLAlchemyError) as exc:
            # TemplateError and a refused role are ValueErrors in the operator's words.
            self.error_label.setText(str(getattr(exc, "orig", None) or exc).splitlines()[0])
            return False
        log.info("Notice templates saved: %d changed", self.saved_changes)
        self.accept()
        return True
