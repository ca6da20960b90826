"""A plausible, not yet calibrated, simulation of a command-centre day.

Everything it does goes through the same services an operator uses (intake,
dispatch, lifecycle), so every simulated change lands in the event log and the
console cannot tell simulated work from real work except by ``Report.simulated``.

The world is planned in memory (crew positions, when each crew is free, the
stages still due) and written to the database as simulated time passes. Two
drivers share that plan: ``simulate`` fast-forwards a span of hours, and
``LiveSimulator`` follows the wall clock inside the console.

The figures below are assumptions chosen to look like the published Bangka
numbers (RPT about 20 min, RCT about 35 min); none was fitted to real data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop.domain import (
    STAGE_LABELS,
    Stage,
)
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import as_utc, format_wib, utc_now
from services.sim_world import ACTOR as ACTOR
from services.sim_world import World

log = logging.getLogger(__name__)

DEFAULT_REPORTS_PER_DAY = 120.0
SQLITE_WRITER_BREATH_S = 0.02


@dataclass
class SimSummary:
    reports_created: int
    closed: int
    open: int
    per_stage: dict[str, int]
    elapsed_s: float
    start: datetime
    end: datetime

    def describe(self) -> str:
        stages = ", ".join(
            f"{STAGE_LABELS[Stage(stage)]} {count}" for stage, count in self.per_stage.items()
        )
        return (
            f"{self.reports_created} laporan simulasi ({format_wib(self.start)} – "
            f"{format_wib(self.end)}): {self.closed} selesai/batal, {self.open} terbuka "
            f"[{stages}] dalam {self.elapsed_s:.1f} detik"
        )


# ---------------------------------------------------------------------------- drivers


def simulate(
    database,
    hours: float,
    seed: int,
    start: datetime | None = None,
    progress: Callable[[float], None] | None = None,
    *,
    reports_per_day: float = DEFAULT_REPORTS_PER_DAY,
    waiting: int = 0,
) -> SimSummary:
    """Fast-forward ``hours`` of command-centre work from ``start`` (default: so that
    it ends now). Jobs not finished by the end stay open where they are."""
    began = time.perf_counter()
    start = as_utc(start) if start is not None else utc_now() - timedelta(hours=hours)
    end = start + timedelta(hours=hours)
    with database.read() as session:
        world = World(session, seed, start, reports_per_day)
        world.adopt_open(session, start)

    # One transaction per simulated hour: a month stays a few hundred commits,
    # and a console following the log sees the hours land one by one.
    moment = start
    while moment < end:
        moment = min(moment + timedelta(hours=1), end)
        _run_hour(database, world, moment)
        if progress is not None:
            progress((moment - start) / (end - start))
    if waiting:
        with database.transaction() as session:
            world.leave_waiting(session, end, waiting)

    summary = _summarise(database, world.created, start, end, time.perf_counter() - began)
    log.info(
        "Simulated %.1f h (seed %d): %d reports, %d open, in %.2f s",
        hours,
        seed,
        summary.reports_created,
        summary.open,
        summary.elapsed_s,
    )
    return summary


def _run_hour(database, world: World, moment: datetime) -> None:
    created_before = len(world.created)
    try:
        with database.transaction() as session:
            world.run_until(session, moment)
    except SQLAlchemyError as exc:
        if not _is_conflict(exc):
            raise  # a read-only or broken database: stop, do not pretend to simulate
        # An operator or a second simulation changed the same report or crew in the
        # meantime: their write stands, this hour's simulated changes are dropped.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log.warning("Simulated hour up to %s dropped after a conflict: %s", moment, reason)
        world.forget(world.created[created_before:])
    if database.is_sqlite:
        # SQLite has one writer at a time and no fair queue: without a breath between
        # commits a fast-forward run starves a console's assignment past its timeout.
        time.sleep(SQLITE_WRITER_BREATH_S)


def _is_conflict(exc: SQLAlchemyError) -> bool:
    """A lost race with another writer, as opposed to a database that cannot be written."""
    if isinstance(exc, StaleDataError):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


def _summarise(database, ids: list[int], start, end, elapsed: float) -> SimSummary:
    stages: Counter[str] = Counter()
    with database.read() as session:
        # Chunks keep the IN list under SQLite's bound-parameter limit.
        for offset in range(0, len(ids), 500):
            chunk = ids[offset : offset + 500]
            stages.update(session.scalars(select(Report.stage).where(Report.id.in_(chunk))))
    closed = stages[Stage.SELESAI.value] + stages[Stage.BATAL.value]
    return SimSummary(
        reports_created=len(ids),
        closed=closed,
        open=len(ids) - closed,
        per_stage=dict(sorted(stages.items())),
        elapsed_s=elapsed,
        start=start,
        end=end,
    )


class LiveSimulator:
    """Keeps a simulated world running inside the console, one step per timer tick.

    Simulated time starts at the first ``step`` and runs ``speed`` times as fast as
    the clock handed in. Each step is one transaction of its own; a step that
    fails (for instance a lost race with an operator) is logged and its changes
    are dropped, and the simulation goes on with the next step.
    """

    def __init__(
        self,
        database,
        seed: int,
        speed: float = 1.0,
        *,
        reports_per_day: float = DEFAULT_REPORTS_PER_DAY,
    ):
        self._database = database
        self._seed = seed
        self._speed = speed
        self._per_day = reports_per_day
        self._world: World | None = None
        self._wall_start: datetime | None = None
        self._lock = threading.Lock()

    @property
    def simulated_now(self) -> datetime | None:
        return self._world.clock if self._world else None

    def step(self, now: datetime) -> int:
        """Advance the simulated world to ``now``; returns the number of changes."""
        now = as_utc(now)
        with self._lock:
            if self._world is None:
                self._start(now)
                return 0
            target = self._wall_start + (now - self._wall_start) * self._speed
            return self._run(target)

    def _start(self, now: datetime) -> None:
        with self._database.read() as session:
            self._world = World(session, self._seed, now, self._per_day)
            self._world.adopt_open(session, now)
        self._wall_start = now

    def _run(self, target: datetime) -> int:
        created_before = len(self._world.created)
        try:
            with self._database.transaction() as session:
                return self._world.run_until(session, target)
        except SQLAlchemyError as exc:
            if not _is_conflict(exc):
                raise  # the console shows it: a live simulation must not fail silently
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            log.warning("Simulation step to %s skipped after a conflict: %s", target, reason)
            self._world.forget(self._world.created[created_before:])
            return 0
