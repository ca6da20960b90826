"""Follows the event log in a worker thread and hands fresh state to the GUI.

Only the worker touches the database; only the GUI thread touches widgets. The
two talk through queued signals carrying frozen dataclasses.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Signal, Slot

from services import console
from ui.worker import QtTimedWorker

log = logging.getLogger(__name__)

# Ages and countdowns move even when nothing is logged; reload at least this often.
FORCED_RELOAD_S = 30.0
TREND_RELOAD_S = 300.0


class QtStateFollower(QtTimedWorker):
    stateLoaded = Signal(object)  # services.console.ConsoleState
    loadFailed = Signal(str)
    _refreshRequested = Signal()

    def __init__(self, database, poll_ms: int = 1000):
        super().__init__("comcen-sync", poll_ms)
        self._database = database
        self._seq = -1
        self._last_load = 0.0
        self._last_trend = -TREND_RELOAD_S
        self._failing = False
        self._refreshRequested.connect(self._reload)

    def refresh(self) -> None:
        """Ask for a reload now (after this console's own change); returns at once."""
        self._refreshRequested.emit()

    def started_in_thread(self) -> None:
        self._reload()

    @Slot()
    def tick(self) -> None:
        try:
            seq = console.last_seq(self._database)
        except Exception as exc:  # a lost server must not kill the thread
            self._report_failure(exc)
            return
        stale = time.monotonic() - self._last_load > FORCED_RELOAD_S
        if seq != self._seq or stale or self._failing:
            self._reload()

    @Slot()
    def _reload(self) -> None:
        started = time.perf_counter()
        try:
            with_trend = time.monotonic() - self._last_trend >= TREND_RELOAD_S
            state = console.load_state(self._database, with_trend=with_trend)
        except Exception as exc:
            self._report_failure(exc)
            return
        self._failing = False
        self._seq = state.seq
        if state.trend is not None:
            self._last_trend = time.monotonic()
        self._last_load = time.monotonic()
        log.debug(
            "State at seq %d loaded in %.0f ms",
            state.seq,
            (time.perf_counter() - started) * 1000,
        )
        self.stateLoaded.emit(state)

    def _report_failure(self, exc: Exception) -> None:
        if not self._failing:
            log.warning("Database read failed: %s", exc)
        self._failing = True
        self.loadFailed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
