"""The console's worker threads use pyproj and the database while the GUI draws.

Run in a child process: the bug this guards against (pyproj building a transformer
inside a QThread) killed the whole process with a segmentation fault.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from comcen_desktop import settings
    from services.database import open_database
    from ui.main_window import QtMainWindow
    database = open_database(sys.argv[1])
    with database.transaction() as session:
        settings.put(session, "sim.live_reports_per_day", 200_000)  # ~2 reports a second
    window = QtMainWindow(database)
    window.start()
    window.set_live_simulation(True)
    end = time.monotonic() + 4
    while time.monotonic() < end:
        app.processEvents()
        window.map_view.viewport().repaint()
        time.sleep(0.01)
    window.shutdown()
    from sqlalchemy import func, select
    from comcen_desktop.storage.models import Report
    with database.read() as session:
        print("reports", session.scalar(select(func.count()).select_from(Report)))
    """
)


def test_live_simulation_thread_projects_while_the_map_draws(sqlite_url, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COMCEN_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", SCRIPT, sqlite_url],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-2000:]
    created = int(result.stdout.split("reports")[-1])
    assert created > 0
    assert "Timers cannot be stopped from another thread" not in result.stderr
