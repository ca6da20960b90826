"""Follows the event log in a worker thread and hands fresh state to the GUI.

Only the worker touches the database; only the GUI thread touches widgets. The
two talk through queued signals carrying frozen dataclasses.

The worker polls the log by sequence number (services.event_listener.EventCursor,
which does not skip an event that commits after a later one) every few hundred ms on
SQLite; on PostgreSQL a LISTEN thread wakes it at each commit and the poll is only
the fallback. When the database goes away it says so once (connectionLost), tries
again with a growing pause, and on success says so (connectionRestored) and reloads:
the state then holds everything logged meanwhile.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Signal, Slot

from services import console
from services.event_listener import EventCursor, EventListener
from ui.worker import QtTimedWorker

log = logging.getLogger(__name__)

# Ages and countdowns move even when nothing is logged; reload at least this often.
FORCED_RELOAD_S = 30.0
TREND_RELOAD_S = 300.0
# The poll is a primary-key range scan of a few rows: cheap enough to run often where
# nothing wakes the console (SQLite); on PostgreSQL NOTIFY wakes it and this is the
# fallback.
SQLITE_POLL_MS = 250
POSTGRES_POLL_MS = 1000
RETRY_S = (1, 2, 4, 5)  # pause before each new try while the database is away


class QtStateFollower(QtTimedWorker):
    stateLoaded = Signal(object)  # services.console.ConsoleState
    loadFailed = Signal(str)
    eventsSeen = Signal(list)  # seqs new since the last state, after stateLoaded
    connectionLost = Signal(str, int)  # reason, seconds until the next try
    connectionRestored = Signal()
    _refreshRequested = Signal()
    _wakeRequested = Signal()

    def __init__(self, database, poll_ms: int | None = None, listen: bool = True):
        default_ms = SQLITE_POLL_MS if database.is_sqlite else POSTGRES_POLL_MS
        super().__init__("comcen-sync", min(poll_ms or default_ms, default_ms))
        self._database = database
        self._cursor = EventCursor()
        self._seq = -1
        self._last_load = 0.0
        self._last_trend = -TREND_RELOAD_S
        self._failing = False
        self._failures = 0
        self._wake_pending = False
        self._unshown: list[int] = []
        self._listener = None
        if listen and database.engine.dialect.name == "postgresql":
            self._listener = EventListener(database.url, self._wake)
        self._refreshRequested.connect(self._forced_tick)
        self._wakeRequested.connect(self.tick)

    @property
    def failing(self) -> bool:
        return self._failing

    def refresh(self) -> None:
        """Ask for a reload now (after this console's own change); returns at once."""
        self._refreshRequested.emit()

    def started_in_thread(self) -> None:
        if self._listener is not None:
            self._listener.start()
        self._forced_tick()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        super().stop()

    def _wake(self) -> None:
        # The listener's thread: ask the worker's thread to look; a burst of
        # notifications while a look is queued makes one look, not one each.
        if not self._wake_pending:
            self._wake_pending = True
            self._wakeRequested.emit()

    @Slot()
    def _forced_tick(self) -> None:
        self._look(force=True)

    @Slot()
    def tick(self) -> None:
        self._look(force=False)

    def _look(self, force: bool) -> None:
        self._wake_pending = False
        try:
            with self._database.read() as session:
                fresh = self._cursor.poll(session)
        except Exception as exc:  # a lost server must not kill the thread
            self._report_failure(exc)
            return
        # Kept until a state holding them is loaded: the server may go away between
        # the poll and the load, and the cursor has already moved past them.
        self._unshown += fresh
        stale = time.monotonic() - self._last_load > FORCED_RELOAD_S
        if self._unshown or force or stale or self._failing:
            self._reload()

    def _reload(self) -> None:
        started = time.perf_counter()
        try:
            with_trend = time.monotonic() - self._last_trend >= TREND_RELOAD_S
            state = console.load_state(self._database, with_trend=with_trend)
        except Exception as exc:
            self._report_failure(exc)
            return
        fresh, self._unshown = self._unshown, []
        self._recovered()
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
        if fresh:
            self.eventsSeen.emit(fresh)

    def _recovered(self) -> None:
        if not self._failing:
            return
        log.info("Database reachable again after %d failed tries", self._failures)
        self._failing = False
        self._failures = 0
        self._set_interval(self._interval_ms)
        self.connectionRestored.emit()

    def _report_failure(self, exc: Exception) -> None:
        if not self._failing:
            log.warning("Database read failed: %s", exc)
        self._failing = True
        pause = RETRY_S[min(self._failures, len(RETRY_S) - 1)]
        self._failures += 1
        self._set_interval(pause * 1000)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self.loadFailed.emit(reason)
        self.connectionLost.emit(reason, pause)

    def _set_interval(self, ms: int) -> None:
        # Called in the worker's thread, where the timer lives.
        if self._timer is not None and self._timer.interval() != ms:
            self._timer.setInterval(ms)
