"""The red line across the top while the database is away.

It tells the operator three things: the link is down, the console keeps trying (and
how often), and what was typed but not yet saved is still in its form. It hides by
itself when the follower reaches the database again (ui/sync.py).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QToolBar

from comcen_desktop.i18n import tr

log = logging.getLogger(__name__)

STYLE = "color: white; background: #c0392b; padding: 6px 10px; font-weight: bold;"


def banner_text(retry_s: int) -> str:
    return tr(
        "Koneksi ke database terputus — mencoba lagi tiap {n} detik; "
        "perubahan belum tersimpan tetap di formulir"
    ).format(n=retry_s)


class QtConnectionBanner(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setStyleSheet(STYLE)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lost = False
        self._holder = self  # what shows and hides: the label, or its toolbar row
        self.hide()

    @classmethod
    def install(cls, window: QMainWindow, follower) -> QtConnectionBanner:
        """A banner on its own row under the main window's toolbar, following ``follower``."""
        banner = cls()
        row = QToolBar(tr("Koneksi database"), window)
        row.setObjectName("connectionBar")
        row.setMovable(False)
        row.setFloatable(False)
        row.toggleViewAction().setVisible(False)
        row.addWidget(banner)
        banner.show()
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, row)
        banner._holder = row
        row.hide()
        banner.follow(follower)
        return banner

    def follow(self, follower) -> None:
        follower.connectionLost.connect(self.show_lost)
        follower.connectionRestored.connect(self.show_restored)

    @property
    def shown(self) -> bool:
        return self.lost and not self._holder.isHidden()

    def show_lost(self, reason: str, retry_s: int) -> None:
        if not self.lost:
            log.info("Banner shown: database away (%s)", reason)
        self.lost = True
        self.setText(banner_text(retry_s))
        self.setToolTip(reason)
        self._holder.show()

    def show_restored(self) -> None:
        if self.lost:
            log.info("Banner hidden: database back")
        self.lost = False
        self._holder.hide()
