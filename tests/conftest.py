"""Shared fixtures: real SQLite files, a real PostgreSQL server, real Qt widgets."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("COMCEN_USER", "tester")

pytest_plugins = ["tests.pg_cluster"]


@pytest.fixture(autouse=True)
def _forget_sign_in():
    """A test that signs in (services.events.set_actor) must not pass its role on."""
    yield
    from services import events

    events.set_actor(None)


@pytest.fixture(scope="session")
def seeded_sqlite_template(tmp_path_factory) -> Path:
    """One seeded database file, copied per test: seeding once keeps the suite quick."""
    from services.database import open_database

    path = tmp_path_factory.mktemp("template") / "seeded.db"
    database = open_database(f"sqlite:///{path}")
    database.dispose()
    return path


@pytest.fixture
def sqlite_url(seeded_sqlite_template, tmp_path) -> str:
    path = tmp_path / "comcen.db"
    shutil.copy(seeded_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def window(qtbot, database):
    """The console's main window on a real SQLite file; not following the log, so a
    test applies state itself (tests.test_main_window.load)."""
    from ui.main_window import QtMainWindow

    win = QtMainWindow(database)
    qtbot.addWidget(win)
    yield win
    win.shutdown()


@pytest.fixture
def database(sqlite_url):
    from services.database import open_database

    db = open_database(sqlite_url)
    yield db
    db.dispose()


def _stop_on_sigterm(_signum, _frame) -> None:
    # As Ctrl+C does: pytest unwinds and the session fixtures stop what they started
    # (the PostgreSQL test cluster), instead of leaving a server behind.
    raise KeyboardInterrupt


def pytest_configure(config) -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
