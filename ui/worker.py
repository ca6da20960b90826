"""A QObject that lives in its own thread and does one job on a timer.

The sync follower and the live simulation both need exactly this: database work
off the GUI thread, results back through queued signals, a clean stop.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Slot


class QtTimedWorker(QObject):
    def __init__(self, name: str, interval_ms: int):
        super().__init__()
        self._interval_ms = interval_ms
        self._thread = QThread()
        self._thread.setObjectName(name)
        self.moveToThread(self._thread)
        self._timer: QTimer | None = None
        self._thread.started.connect(self._start_timer)
        # Stopped in its own thread as that thread ends: a timer still running when
        # the GUI thread later destroys it makes Qt warn (and can crash on exit).
        self._thread.finished.connect(self.stop_ticking, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.quit()
        self._thread.wait(5000)

    def stop_ticking(self) -> None:
        """From inside a tick: no more ticks, the thread stays for a clean stop()."""
        if self._timer is not None:
            self._timer.stop()

    @Slot()
    def _start_timer(self) -> None:
        # Created here, in the worker thread, so its timeouts are delivered there.
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.started_in_thread()

    def started_in_thread(self) -> None:
        """Hook: runs once in the worker thread before the first tick."""

    def tick(self) -> None:
        raise NotImplementedError
