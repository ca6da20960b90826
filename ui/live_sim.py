"""Runs the simulator live in a worker thread, so the console can be watched working."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Signal, Slot

from comcen_desktop import settings
from comcen_desktop.timeutil import utc_now
from ui.worker import QtTimedWorker

log = logging.getLogger(__name__)


class QtLiveSimulation(QtTimedWorker):
    stepped = Signal(int)  # changes written in the last step
    failed = Signal(str)

    def __init__(self, database, seed: int | None = None, interval_ms: int = 1000):
        super().__init__("comcen-simulation", interval_ms)
        from services.simulation import LiveSimulator

        # Live runs at the wall clock's pace, so stage times and ages stay real; a
        # busier day than the fast-forward default keeps the map worth watching.
        with database.read() as session:
            per_day = float(settings.get(session, "sim.live_reports_per_day"))
        seed = seed if seed is not None else int(time.time()) % 1_000_000
        log.info("Live simulation: seed %d, %.0f reports per day", seed, per_day)
        self._simulator = LiveSimulator(database, seed=seed, reports_per_day=per_day)

    @Slot()
    def tick(self) -> None:
        try:
            changes = self._simulator.step(utc_now())
        except Exception as exc:
            # Stop rather than fail every second; the window says why and unticks it.
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            log.warning("Live simulation stopped: %s", reason)
            log.debug("Live simulation failure", exc_info=True)
            self.stop_ticking()
            self.failed.emit(reason)
            return
        if changes:
            self.stepped.emit(changes)
