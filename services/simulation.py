"""A calibrated simulation of the command centre (issue 8).

Everything it does goes through the product's public paths (intake.receive, crew
positions, dispatch, lifecycle, incidents), so every simulated change lands in the
event log and the console cannot tell simulated work from real work except by
``Report.simulated`` / ``Report.source`` = "simulasi".

The world is planned in memory (crew positions, when each crew is free, the
stages still due) and written to the database as simulated time passes. Two
drivers share that plan: ``simulate`` fast-forwards a span of hours, and
``LiveSimulator`` follows the wall clock inside the console.

The figures are in services/sim_calibration.py, which also runs the month that
checks them against Bangka's 2021 results (RPT 19.58 min, RCT 33.28 min).
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

from comcen_desktop.domain import CLOSED_STAGES, STAGE_LABELS, STAGE_ORDER, Category, Stage
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import as_utc, format_wib, utc_now
from services.sim_calibration import DEFAULT_REPORTS_PER_DAY as DEFAULT_REPORTS_PER_DAY
from services.sim_world import ACTOR as ACTOR
from services.sim_world import Job, World, after

log = logging.getLogger(__name__)

SQLITE_WRITER_BREATH_S = 0.02
# Fast-forward writes history; only the crews' last pings before the end matter to
# the board (crew.stale_minutes is 60), so heartbeats start this long before it.
HEARTBEAT_TAIL = timedelta(minutes=60)


@dataclass
class SimSummary:
    reports_created: int
    closed: int
    open: int
    per_stage: dict[str, int]
    elapsed_s: float
    start: datetime
    end: datetime
    incidents: int = 0
    storms: int = 0
    rpt_mean_min: float | None = None  # the KPI engine's figures over the period
    rct_mean_min: float | None = None

    def describe(self) -> str:
        stages = ", ".join(
            f"{STAGE_LABELS[Stage(stage)]} {count}" for stage, count in self.per_stage.items()
        )

        def minutes(value):
            return "–" if value is None else f"{value:.1f} mnt"

        return (
            f"{self.reports_created} laporan simulasi ({format_wib(self.start)} – "
            f"{format_wib(self.end)}): {self.closed} selesai/batal, {self.open} terbuka "
            f"[{stages}] dalam {self.elapsed_s:.1f} detik\n"
            f"RPT rata-rata {minutes(self.rpt_mean_min)}, RCT rata-rata "
            f"{minutes(self.rct_mean_min)}; {self.storms} badai, "
            f"{self.incidents} padam meluas dikonfirmasi"
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
    storm: bool = False,
    storms: bool = True,
    pause_s: float = SQLITE_WRITER_BREATH_S,
) -> SimSummary:
    """Fast-forward ``hours`` of command-centre work from ``start`` (default: so that
    it ends now). Jobs not finished by the end stay open where they are. ``storm``
    starts a big storm at once; ``storms`` lets storms come by chance."""
    began = time.perf_counter()
    start = as_utc(start) if start is not None else utc_now() - timedelta(hours=hours)
    end = start + timedelta(hours=hours)
    with database.read() as session:
        world = World(
            session,
            seed,
            start,
            reports_per_day,
            end=end,
            storms=storms,
            force_storm=storm,
            heartbeat_from=end - HEARTBEAT_TAIL,
        )
        adopt_open(world, session, start)

    # One transaction per simulated hour: a month stays a few hundred commits,
    # and a console following the log sees the hours land one by one.
    moment = start
    while moment < end:
        moment = min(moment + timedelta(hours=1), end)
        _run_hour(database, world, moment, pause_s)
        if progress is not None:
            progress((moment - start) / (end - start))
    if waiting:
        with database.transaction() as session:
            world.leave_waiting(session, end, waiting)

    summary = _summarise(database, world, start, end, time.perf_counter() - began)
    log.info(
        "Simulated %.1f h (seed %d): %d reports, %d open, in %.2f s",
        hours,
        seed,
        summary.reports_created,
        summary.open,
        summary.elapsed_s,
    )
    return summary


def _run_hour(database, world: World, moment: datetime, pause_s: float) -> None:
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
    if database.is_sqlite and pause_s:
        # SQLite has one writer at a time and no fair queue: without a breath between
        # commits a fast-forward run starves a console's assignment past its timeout.
        # A private database (the calibration month) needs no pause.
        time.sleep(pause_s)


def _is_conflict(exc: SQLAlchemyError) -> bool:
    """A lost race with another writer, as opposed to a database that cannot be written."""
    if isinstance(exc, StaleDataError):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


def _summarise(database, world: World, start, end, elapsed: float) -> SimSummary:
    from services.kpi_engine import compute

    ids = world.created
    stages: Counter[str] = Counter()
    with database.read() as session:
        figures = compute(session, start, end).overall
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
        incidents=len({i for i in world.storms.members.values()}),
        storms=world.storms.storm_count,
        rpt_mean_min=figures.rpt_mean_min,
        rct_mean_min=figures.rct_mean_min,
    )


# ---------------------------------------------------------------------------- adoption


def adopt_open(world: World, session, at: datetime) -> int:
    """Take over simulated reports still open at ``at``, so a live run (or a second
    fast-forward) carries on the jobs an earlier run left half-done."""
    rows = session.execute(
        select(Report)
        .where(
            Report.simulated.is_(True),
            Report.stage.not_in([s.value for s in CLOSED_STAGES]),
            Report.reported_at <= at,
            Report.lon.is_not(None),
            # Members of an incident move with it; the simulator does not adopt those.
            Report.incident_id.is_(None),
        )
        .order_by(Report.reported_at)
    ).scalars()
    # Jobs furthest along first, so each crew's queue chains in a sensible order.
    reports = sorted(rows, key=lambda r: -STAGE_ORDER.index(Stage(r.stage)))
    for report in reports:
        _adopt(world, report, at)
    incidents = _adopt_incidents(world, session, at)
    if reports or incidents:
        log.info("Simulation: took over %d open reports, %d incidents", len(reports), incidents)
    return len(reports)


def _adopt_incidents(world: World, session, at: datetime) -> int:
    from comcen_desktop.storage.models import Incident

    rows = session.scalars(
        select(Incident).where(Incident.status == "aktif").order_by(Incident.id)
    ).all()
    for incident in rows:
        crew_id = session.scalar(
            select(Report.crew_id)
            .where(Report.incident_id == incident.id, Report.crew_id.is_not(None))
            .limit(1)
        )
        world.storms.adopt(incident, crew_id, at)
    return len(rows)


def _adopt(world: World, report: Report, at: datetime) -> None:
    from comcen_desktop import geo

    x, y = (float(v) for v in geo.to_utm(report.lon, report.lat))
    detour = world.config.detour(world.ulp_names.get(report.ulp_id, ""))
    job = Job(Category(report.category), x, y, report.lon, report.lat, detour)
    world.jobs[report.id] = job
    stage = Stage(report.stage)
    crew = world.crews.get(report.crew_id) if report.crew_id is not None else None
    if stage is Stage.LAPOR or crew is None:
        world.schedule(after(at, world.rng.uniform(0.5, 2)), "assign", report_id=report.id)
        return
    world.plan_job(report.id, job, crew, at, current=stage)


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
            adopt_open(self._world, session, now)
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


# ---------------------------------------------------------------------------- live runs


def run_live(
    database,
    hours: float,
    seed: int,
    speed: float,
    *,
    storm: bool = False,
    reports_per_day: float = DEFAULT_REPORTS_PER_DAY,
    feed: HttpFeed | None = None,
    tick_s: float = 1.0,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[datetime], None] | None = None,
) -> SimSummary:
    """``hours`` of simulated work at ``speed`` × the wall clock, written as it happens
    so consoles and the wall can watch. Simulated time starts ``hours × (1 − 1/speed)``
    before now and catches up with the clock exactly at the end: nothing is ever
    stamped in the future (intake and the crews' feed refuse that)."""
    began = time.perf_counter()
    wall_start = as_utc(clock())
    start = wall_start - timedelta(hours=hours * (1 - 1 / speed))
    end = start + timedelta(hours=hours)
    with database.read() as session:
        world = World(session, seed, start, reports_per_day, end=end, force_storm=storm)
        adopt_open(world, session, start)
    world.feed = feed

    simulated = start
    while simulated < end:
        wall = as_utc(clock())
        simulated = min(end, start + (wall - wall_start) * speed)
        _step(database, world, simulated, feed)
        if progress is not None:
            progress(simulated)
        if simulated < end:
            sleep(tick_s)
    return _summarise(database, world, start, end, time.perf_counter() - began)


def _step(database, world: World, target: datetime, feed: HttpFeed | None) -> None:
    if feed is None:
        _run_hour(database, world, target, 0)
        return
    # Over HTTP the server writes each report in its own transaction: post them with
    # no write transaction open here (SQLite has one writer), then do the rest.
    while (due := world.next_arrival_at()) <= target:
        _run_hour(database, world, due - timedelta(seconds=1), 0)
        feed.flush_positions()
        with database.read() as session:
            world.arrive_one(session)
    _run_hour(database, world, target, 0)
    feed.flush_positions()


class HttpFeed:
    """Reports and crew positions over the local API of a running `comcen serve`, as
    PLN Mobile and Yantek Mobile would send them (loopback addresses only)."""

    def __init__(self, url: str, timeout_s: float = 10.0):
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"--via-http '{url}': hanya alamat lokal (127.0.0.1) diizinkan")
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.positions: list[dict] = []
        self.refused = 0

    def send_report(self, world: World, session, raw: dict, category, lon, lat) -> int | None:
        status, reply = self._post("/api/reports", raw)
        if status not in (200, 201) or reply.get("duplicate"):
            self.refused += 1
            log.info("Simulation over HTTP: report refused (%s): %s", status, reply)
            return None
        return world.register(int(reply["id"]), category, lon, lat)

    def queue_position(self, crew_code: str, lon: float, lat: float, at: datetime) -> None:
        self.positions.append({"crew": crew_code, "lon": lon, "lat": lat, "at": at.isoformat()})

    def flush_positions(self) -> None:
        pending, self.positions = self.positions, []
        for body in pending:
            status, reply = self._post("/api/crews/position", body)
            if status != 200:
                self.refused += 1
                log.info("Simulation over HTTP: position refused (%s): %s", status, reply)

    def _post(self, path: str, body: dict) -> tuple[int, dict]:
        import json
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")
