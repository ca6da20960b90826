"""The simulated command centre between two database writes: crews, their plans and
the stages still due, carried out through the same services an operator uses.

Split from services/simulation.py (the drivers and their summary) so each reads on
its own; the figures below are assumptions, not fitted to real data (issue 8).
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo
from comcen_desktop.domain import (
    CLOSED_STAGES,
    STAGE_ORDER,
    UNAVAILABLE_CREW,
    Category,
    Media,
    Stage,
    Vehicle,
)
from comcen_desktop.storage.models import Crew, Posko, Report, Village
from comcen_desktop.timeutil import to_wib
from services import crews, dispatch, intake, lifecycle
from services.placement import Placer
from services.sim_population import DESCRIPTIONS, VillageSampler, person, pick

log = logging.getLogger(__name__)

ACTOR = "simulasi"

MELUAS_CUSTOMERS_MEDIAN = 80
HEARTBEAT_MIN = 30.0  # position pings from idle crews (crew.stale_minutes is 60)
WAITING_WINDOW_MIN = 25.0  # reports left for the operator arrived within this window

# Relative report rate per WIB hour: quiet before dawn, a peak in the evening when
# lights, cookers and air conditioners all run. Normalised to a mean of 1 below.
_HOURLY_SHAPE = np.array(
    [
        0.35, 0.30, 0.25, 0.25, 0.30, 0.45, 0.70, 0.90, 1.00, 1.05, 1.05, 1.00,
        1.00, 1.00, 1.05, 1.10, 1.20, 1.45, 1.80, 1.95, 1.85, 1.50, 1.00, 0.60,
    ]
)  # fmt: skip
HOURLY_CURVE = _HOURLY_SHAPE / _HOURLY_SHAPE.mean()

CATEGORY_SHARES = {Category.INDIVIDU: 0.85, Category.KELUHAN: 0.12, Category.MELUAS: 0.03}
MEDIA_SHARES = {
    Media.PLN_MOBILE: 0.40,
    Media.CC123: 0.35,
    Media.WHATSAPP: 0.12,
    Media.SOSMED: 0.08,
    Media.WALK_IN: 0.05,
}
# Cancelled before a crew is sent: duplicates, power back by itself, caller unreachable.
BATAL_SHARE = {Category.INDIVIDU: 0.03, Category.MELUAS: 0.02, Category.KELUHAN: 0.25}
NYALA_SEMENTARA_SHARE = {
    Category.INDIVIDU: 0.07,
    Category.MELUAS: 0.40,
    Category.KELUHAN: 0.0,
}
# Median minutes on site from arrival to Nyala (lognormal, sigma below).
WORK_MEDIAN_MIN = {Category.INDIVIDU: 11.0, Category.MELUAS: 45.0, Category.KELUHAN: 8.0}
WORK_SIGMA = 0.5

# Roads wind: a straight line times this is a fair guess of the driven distance.
DETOUR_FACTOR = 1.4
SPEED_KMH = {Vehicle.MOBIL: 35.0, Vehicle.MOTOR: 40.0}


def _after(moment: datetime, minutes: float) -> datetime:
    # Whole seconds: stage times look typed, and rounding is reproducible.
    return moment + timedelta(seconds=round(minutes * 60))


# ---------------------------------------------------------------------------- the world


@dataclass
class _CrewPlan:
    id: int
    speed_m_per_min: float
    x: float  # where it will be when its last planned job ends (UTM metres)
    y: float
    home_x: float
    home_y: float
    free_at: datetime
    home_at: datetime | None = None  # back at the posko from then on, if still idle
    generation: int = 0  # bumps with each job, so a stale "go home" is ignored

    def position(self, at: datetime) -> tuple[float, float]:
        if self.home_at is not None and at >= self.home_at:
            return self.home_x, self.home_y
        return self.x, self.y

    def travel_min(self, x: float, y: float, at: datetime) -> float:
        here_x, here_y = self.position(at)
        return float(np.hypot(x - here_x, y - here_y)) * DETOUR_FACTOR / self.speed_m_per_min


@dataclass(order=True)
class _Action:
    at: datetime
    seq: int
    kind: str = field(compare=False)  # "assign", "stage", "home"
    report_id: int = field(compare=False, default=0)
    stage: Stage | None = field(compare=False, default=None)
    crew_id: int = field(compare=False, default=0)
    generation: int = field(compare=False, default=0)


@dataclass
class _Job:
    category: Category
    x: float
    y: float
    lon: float
    lat: float


class World:
    """The simulated command centre between two database writes: plain data only,
    no ORM objects, so it can outlive the session it was built in."""

    def __init__(self, session: Session, seed: int, start: datetime, per_day: float):
        self.rng = np.random.default_rng(seed)
        self.placer = Placer(session)
        self.sampler = VillageSampler(session, self.placer)
        self.village_names = dict(session.execute(select(Village.id, Village.name)).all())
        self.crews = _crew_plans(session, start)
        self.clock = start
        self.per_min_peak = per_day / 1440 * float(HOURLY_CURVE.max())
        self.per_day = per_day
        self.actions: list[_Action] = []
        self.jobs: dict[int, _Job] = {}
        self.created: list[int] = []
        self._seq = 0
        self.next_report_at = self._draw_next_arrival(start)
        self._schedule(_after(start, HEARTBEAT_MIN), "heartbeat")

    # ---- the clock

    def run_until(self, session: Session, end: datetime) -> int:
        """Carry out every arrival and stage due up to ``end``; returns the changes."""
        changes = 0
        while True:
            due_action = self.actions[0].at if self.actions else None
            if due_action is not None and due_action <= self.next_report_at:
                if due_action > end:
                    break
                changes += self._do(session, heapq.heappop(self.actions))
            elif self.next_report_at <= end:
                changes += self._arrive(session, self.next_report_at)
                self.next_report_at = self._draw_next_arrival(self.next_report_at)
            else:
                break
        self.clock = max(self.clock, end)
        return changes

    def _draw_next_arrival(self, after: datetime) -> datetime:
        # Thinning: draw at the peak rate, keep each candidate with the share
        # the daily curve allows at that hour.
        moment = after
        while True:
            moment = _after(moment, float(self.rng.exponential(1 / self.per_min_peak)))
            rate = self.per_day / 1440 * HOURLY_CURVE[to_wib(moment).hour]
            if self.rng.uniform() * self.per_min_peak <= rate:
                return moment

    def _schedule(self, at: datetime, kind: str, **details) -> None:
        self._seq += 1
        heapq.heappush(self.actions, _Action(at, self._seq, kind, **details))

    # ---- a new report

    def _arrive(self, session: Session, at: datetime) -> int:
        category = pick(self.rng, CATEGORY_SHARES)
        new = self._new_report(at, category)
        report = intake.create_report(session, self.placer, new, ACTOR)
        self.created.append(report.id)
        x, y = geo.to_utm(new.lon, new.lat)
        self.jobs[report.id] = _Job(category, x, y, new.lon, new.lat)

        if self.rng.uniform() < BATAL_SHARE[category]:
            self._schedule(
                _after(at, self.rng.uniform(3, 20)), "stage", report_id=report.id,
                stage=Stage.BATAL,
            )  # fmt: skip
        else:
            delay = 1 + self.rng.gamma(2.0, 1.0)  # mean 3 min: read, check, choose
            self._schedule(_after(at, delay), "assign", report_id=report.id)
        return 1

    def leave_waiting(self, session: Session, end: datetime, count: int) -> list[int]:
        """``count`` fault reports from the last minutes before ``end``, left in Lapor:
        the work a shift finds waiting, for the operator (not the simulator) to send."""
        ids = []
        for minutes_before in sorted(self.rng.uniform(1, WAITING_WINDOW_MIN, count), reverse=True):
            at = _after(end, -float(minutes_before))
            report = intake.create_report(
                session, self.placer, self._new_report(at, Category.INDIVIDU), ACTOR
            )
            self.created.append(report.id)
            ids.append(report.id)
        return ids

    def _new_report(self, at: datetime, category: Category) -> intake.NewReport:
        lon, lat = self.sampler.sample(self.rng)
        caller = person(self.rng)
        place = self.placer.place(lon, lat)
        village = self.village_names.get(place.village_id, "") if place else ""
        return intake.NewReport(
            reported_at=at,
            lon=lon,
            lat=lat,
            category=category,
            media=pick(self.rng, MEDIA_SHARES),
            idpel=caller["idpel"],
            name=caller["name"],
            phone=caller["phone"],
            address=f"{caller['street']}, {village}".rstrip(", "),
            description=str(self.rng.choice(DESCRIPTIONS[category])),
            simulated=True,
            customers=self._customers(category),
        )

    def _customers(self, category: Category) -> int | None:
        # A padam meluas behind one distribution transformer: tens to a few hundred.
        if category is not Category.MELUAS:
            return None
        return int(np.clip(self.rng.lognormal(np.log(MELUAS_CUSTOMERS_MEDIAN), 0.8), 5, 2000))

    # ---- carrying out what fell due

    def _do(self, session: Session, action: _Action) -> int:
        if action.kind == "assign":
            return self._assign(session, action)
        if action.kind == "home":
            return self._go_home(session, action)
        if action.kind == "heartbeat":
            return self._heartbeat(session, action)
        return self._advance(session, action)

    def _heartbeat(self, session: Session, action: _Action) -> int:
        # Yantek Mobile sends a position now and then even from the posko; without it
        # every idle simulated crew would look silent (stale) on the board.
        self._schedule(_after(action.at, HEARTBEAT_MIN), "heartbeat")
        unavailable = {s.value for s in UNAVAILABLE_CREW}
        crews = session.scalars(select(Crew).where(Crew.status.not_in(unavailable))).all()
        for crew in crews:
            if crew.lon is not None and (crew.position_at is None or crew.position_at < action.at):
                _move_crew(session, crew.id, crew.lon, crew.lat, action.at)
        return len(crews)

    def _assign(self, session: Session, action: _Action) -> int:
        report = session.get(Report, action.report_id)
        if report is None or action.report_id not in self.jobs:
            return 0  # created in an hour that was dropped after a conflict
        if report.stage != Stage.LAPOR.value:
            return 0  # an operator dispatched or cancelled it first; leave it to them

        job = self.jobs[action.report_id]
        crew = self._first_to_arrive(session, job, action.at)
        if crew is None:
            log.info("Simulation: no crew available for report %d", action.report_id)
            return 0

        result = dispatch.assign(session, [action.report_id], crew.id, ACTOR, at=action.at)
        if not result.ok:
            log.info("Simulation: assignment refused: %s", "; ".join(result.refused))
            return 0

        self._plan_job(action.report_id, job, crew, action.at)
        return 1

    def _first_to_arrive(self, session: Session, job: _Job, at: datetime):
        # Across ULP lines on purpose: the centre sends whoever gets there first,
        # counting the jobs already queued on each crew.
        best, best_arrival = None, None
        unavailable = {s.value for s in UNAVAILABLE_CREW}
        for crew in self.crews.values():
            if session.get(Crew, crew.id).status in unavailable:
                continue
            leaves = max(at, crew.free_at)
            arrival = _after(leaves, crew.travel_min(job.x, job.y, leaves))
            if best_arrival is None or arrival < best_arrival:
                best, best_arrival = crew, arrival
        return best

    def _plan_job(
        self,
        report_id: int,
        job: _Job,
        crew: _CrewPlan,
        at: datetime,
        current: Stage = Stage.PENUGASAN,
    ) -> None:
        """Schedule the stages after ``current``; earlier ones already happened."""
        done = STAGE_ORDER.index(current)

        def reached(stage: Stage) -> bool:
            return done >= STAGE_ORDER.index(stage)

        leaves = (
            at
            if reached(Stage.PERJALANAN)
            else _after(max(at, crew.free_at), self.rng.uniform(1, 2))
        )
        arrives = (
            at
            if reached(Stage.PENGERJAAN)
            else _after(leaves, crew.travel_min(job.x, job.y, leaves))
        )
        work = WORK_MEDIAN_MIN[job.category] * float(self.rng.lognormal(0.0, WORK_SIGMA))
        restored = at if reached(Stage.NYALA) else _after(arrives, work)
        closing = _after(restored, 3 + self.rng.gamma(2.0, 3.0))  # photos, notes

        plan = [(leaves, Stage.PERJALANAN, 0), (arrives, Stage.PENGERJAAN, crew.id)]
        if self.rng.uniform() < NYALA_SEMENTARA_SHARE[job.category]:
            temporary = _after(arrives, work * self.rng.uniform(0.3, 0.7))
            plan.append((temporary, Stage.NYALA_SEMENTARA, 0))
        plan += [(restored, Stage.NYALA, crew.id), (closing, Stage.SELESAI, 0)]
        for moment, stage, crew_id in plan:
            if not reached(stage):
                self._schedule(moment, "stage", report_id=report_id, stage=stage, crew_id=crew_id)

        crew.x, crew.y, crew.free_at = job.x, job.y, max(crew.free_at, restored)
        crew.home_at = None
        crew.generation += 1

    def forget(self, report_ids: list[int]) -> None:
        """Drop the plans of reports whose creation was rolled back: SQLite hands their
        ids out again, and a stale plan must not act on the newcomer."""
        gone = set(report_ids)
        if not gone:
            return
        self.created = [i for i in self.created if i not in gone]
        for report_id in gone:
            self.jobs.pop(report_id, None)
        self.actions = [a for a in self.actions if a.report_id not in gone]
        heapq.heapify(self.actions)

    # ---- work left open by an earlier run

    def adopt_open(self, session: Session, at: datetime) -> int:
        """Take over simulated reports still open at ``at``, so a live run (or a second
        fast-forward) carries on the jobs an earlier run left half-done."""
        rows = session.execute(
            select(Report)
            .where(
                Report.simulated.is_(True),
                Report.stage.not_in([s.value for s in CLOSED_STAGES]),
                Report.reported_at <= at,
            )
            .order_by(Report.reported_at)
        ).scalars()
        # Jobs furthest along first, so each crew's queue chains in a sensible order.
        reports = sorted(rows, key=lambda r: -STAGE_ORDER.index(Stage(r.stage)))
        for report in reports:
            self._adopt(report, at)
        if reports:
            log.info("Simulation: took over %d open simulated reports", len(reports))
        return len(reports)

    def _adopt(self, report: Report, at: datetime) -> None:
        x, y = geo.to_utm(report.lon, report.lat)
        category = Category(report.category)
        job = _Job(category, x, y, report.lon, report.lat)
        self.jobs[report.id] = job
        stage = Stage(report.stage)
        crew = self.crews.get(report.crew_id) if report.crew_id is not None else None
        if stage is Stage.LAPOR or crew is None:
            self._schedule(_after(at, self.rng.uniform(0.5, 2)), "assign", report_id=report.id)
            return
        self._plan_job(report.id, job, crew, at, current=stage)

    def _advance(self, session: Session, action: _Action) -> int:
        report = session.get(Report, action.report_id)
        if report is None:
            return 0  # created in an hour that was dropped after a conflict
        try:
            lifecycle.advance(session, report, action.stage, action.at, ACTOR)
        except lifecycle.StageError as exc:
            # An operator moved a simulated report by hand; their word wins.
            log.info("Simulation: skipped a stage: %s", exc)
            return 0

        if action.stage is Stage.PENGERJAAN and report.crew_id is not None:
            # The report's crew, not the planned one: an operator may have swapped it.
            job = self.jobs[action.report_id]
            _move_crew(session, report.crew_id, job.lon, job.lat, action.at)
        elif action.stage is Stage.NYALA:
            self._maybe_send_home(action)
        elif action.stage in (Stage.SELESAI, Stage.BATAL):
            self.jobs.pop(action.report_id, None)
        return 1

    def _maybe_send_home(self, action: _Action) -> None:
        crew = self.crews.get(action.crew_id)
        if crew is None or crew.free_at > action.at:
            return  # another job is queued: the crew drives there, not home
        back = _after(action.at, crew.travel_min(crew.home_x, crew.home_y, action.at))
        crew.home_at = back
        self._schedule(back, "home", crew_id=crew.id, generation=crew.generation)

    def _go_home(self, session: Session, action: _Action) -> int:
        crew = self.crews[action.crew_id]
        if crew.generation != action.generation:
            return 0
        station = session.get(Crew, crew.id).posko
        _move_crew(session, crew.id, station.lon, station.lat, action.at)
        return 1


def _crew_plans(session: Session, start: datetime) -> dict[int, _CrewPlan]:
    plans = {}
    rows = session.execute(
        select(Crew.id, Crew.vehicle, Crew.lon, Crew.lat, Posko.lon, Posko.lat)
        .join(Posko, Crew.posko_id == Posko.id)
        .order_by(Crew.id)
    ).all()
    for crew_id, vehicle, lon, lat, home_lon, home_lat in rows:
        home_x, home_y = geo.to_utm(home_lon, home_lat)
        x, y = geo.to_utm(lon, lat) if lon is not None else (home_x, home_y)
        speed = SPEED_KMH.get(Vehicle(vehicle), SPEED_KMH[Vehicle.MOBIL]) * 1000 / 60
        plans[crew_id] = _CrewPlan(crew_id, speed, x, y, home_x, home_y, start)
    return plans


def _move_crew(session: Session, crew_id: int, lon: float, lat: float, at: datetime) -> None:
    # The same logged change as a position from the crews' feed.
    crews.update_position(session, crew_id, lon, lat, at, ACTOR)
