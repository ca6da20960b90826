"""Starting the console: Qt application, database, main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from comcen_desktop.i18n import tr
from comcen_desktop.storage.engine import describe
from services.database import open_database

log = logging.getLogger(__name__)


def run(db_url: str | None = None, simulate_live: bool = False) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Comcen Desktop")
    app.setOrganizationName("PLN UP3 Bangka")
    try:
        database = open_database(db_url)
    except Exception as exc:
        log.exception("Cannot open the database")
        QMessageBox.critical(None, "Comcen", f"{tr('Database tidak bisa dibuka:')}\n{exc}")
        return 1

    from ui import sign_in
    from ui.main_window import QtMainWindow

    signed = sign_in.sign_in_console(database)
    if signed is None:  # the operator cancelled the sign-in
        database.dispose()
        return 1
    window = QtMainWindow(database)
    sign_in.apply_role(window, signed.username, signed.role)
    sign_in.show_share_warning(window, database.url)
    screen = app.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
    window.map_view.fit_island()
    window.start()
    if simulate_live:
        window.set_live_simulation(True)
    log.info("Console started on %s", describe(database.url))
    code = app.exec()
    database.dispose()
    return code
