"""The simulated command centre between two database writes: crews, their plans and
the stages still due, carried out through the product's public paths — reports in
through services.intake.receive (as a feed would send them), crew positions through
services.crews.update_position, dispatch through services.dispatch and stages through
services.lifecycle (padam meluas through services.incidents, see sim_storm).

The calibrated figures live in services/sim_calibration.py; who reports and where in
services/sim_population.py; storms and their incidents in services/sim_storm.py.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo
from comcen_desktop.domain import STAGE_ORDER, UNAVAILABLE_CREW, Category, Stage
from comcen_desktop.storage.models import Crew, Report, UlpArea, Village
from services import crews, dispatch, lifecycle, proposals
from services import sim_calibration as cal
from services.placement import Placer
from services.sim_calibration import CrewPlan
from services.sim_population import CATEGORY_SHARES, VillageSampler, pick, raw_report
from services.sim_storm import StormDesk

log = logging.getLogger(__name__)

ACTOR = cal.ACTOR

HEARTBEAT_MIN = 30.0  # position pings from idle crews (crew.stale_minutes is 60)
WAITING_WINDOW_MIN = 25.0  # reports left for the operator arrived within this window

# Cancelled before a crew is sent: duplicates, power back by itself, caller unreachable.
BATAL_SHARE = {Category.INDIVIDU: 0.03, Category.MELUAS: 0.02, Category.KELUHAN: 0.25}
NYALA_SEMENTARA_SHARE = {Category.INDIVIDU: 0.07, Category.MELUAS: 0.40, Category.KELUHAN: 0.0}


NEVER = datetime.max.replace(tzinfo=UTC)


def after(moment: datetime, minutes: float) -> datetime:
    # Whole seconds: stage times look typed, and rounding is reproducible.
    return moment + timedelta(seconds=round(minutes * 60))


@dataclass(order=True)
class Action:
    at: datetime
    seq: int
    kind: str = field(compare=False)  # assign, stage, home, heartbeat, triage, ...
    report_id: int = field(compare=False, default=0)
    stage: Stage | None = field(compare=False, default=None)
    crew_id: int = field(compare=False, default=0)
    generation: int = field(compare=False, default=0)
    key: int = field(compare=False, default=0)  # an outage or incident, for sim_storm


@dataclass
class Job:
    category: Category
    x: float
    y: float
    lon: float
    lat: float
    detour: float


class World:
    """Plain data only, no ORM objects, so it outlives the session it was built in."""

    def __init__(
        self,
        session: Session,
        seed: int,
        start: datetime,
        per_day: float,
        *,
        end: datetime | None = None,
        storms: bool = True,
        force_storm: bool = False,
        heartbeat_from: datetime | None = None,
    ):
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.placer = Placer(session)
        self.sampler = VillageSampler(session, self.placer)
        self.config = proposals.load_settings(session, start)
        self.ulp_names = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())
        self.village_names = dict(session.execute(select(Village.id, Village.name)).all())
        self.crews = cal.crew_plans(session, start, self.config)
        self.clock = start
        self.per_day = per_day
        self.per_min_peak = max(per_day, 1e-9) / 1440 * cal.PEAK_FACTOR
        self.actions: list[Action] = []
        self.jobs: dict[int, Job] = {}
        self.created: list[int] = []
        self._seq = 0
        self.held: list = []
        self.feed = None  # services.simulation.HttpFeed when reports go over HTTP
        self._stamp = f"sim{seed}-{start:%Y%m%d%H%M%S}"
        # A replay brings its own reports: no background arrivals then.
        self.next_report_at = self._draw_next_arrival(start) if per_day > 0 else NEVER
        self.handlers = {
            "assign": self._assign,
            "home": self._go_home,
            "heartbeat": self._heartbeat,
            "stage": self._advance,
        }
        self.storms = StormDesk(self, start, end, enabled=storms, force=force_storm)
        first_beat = max(start, heartbeat_from) if heartbeat_from else start
        self.schedule(after(first_beat, HEARTBEAT_MIN), "heartbeat")

    # ---- the clock

    def run_until(self, session: Session, end: datetime) -> int:
        """Carry out every arrival and stage due up to ``end``; returns the changes."""
        self._refresh_crews(session)
        # The session keeps loaded rows only while something refers to them; holding
        # the crews and open jobs for the step saves a SELECT per stage move.
        self.held = self._hold(session)
        try:
            return self._run(session, end)
        finally:
            self.held = []

    def _hold(self, session: Session) -> list:
        held: list = list(session.scalars(select(Crew)))
        ids = sorted(i for i in self.jobs if i > 0)
        for offset in range(0, len(ids), 500):
            chunk = ids[offset : offset + 500]
            held += session.scalars(select(Report).where(Report.id.in_(chunk))).all()
        return held

    def _run(self, session: Session, end: datetime) -> int:
        changes = 0
        while True:
            due = self._next_action_at()
            arrival = self.next_arrival_at()
            if arrival <= end and (due is None or arrival < due):
                changes += self.arrive_one(session)
            elif due is not None and due <= end:
                changes += self._do(session, heapq.heappop(self.actions))
            else:
                break
        self.clock = max(self.clock, end)
        return changes

    def next_arrival_at(self) -> datetime:
        """The next report to come in: the background's or a storm's."""
        storm = self.storms.next_at()
        return min(self.next_report_at, storm) if storm else self.next_report_at

    def arrive_one(self, session: Session) -> int:
        storm = self.storms.next_at()
        if storm is not None and storm < self.next_report_at:
            return self.storms.arrive_next(session)
        changes = self._arrive(session, self.next_report_at)
        self.next_report_at = self._draw_next_arrival(self.next_report_at)
        return changes

    def _next_action_at(self) -> datetime | None:
        return self.actions[0].at if self.actions else None

    def _draw_next_arrival(self, moment: datetime) -> datetime:
        # Thinning: draw at the peak rate, keep each candidate with the share the
        # daily, weekly and seasonal curves allow at that moment.
        while True:
            moment = after(moment, float(self.rng.exponential(1 / self.per_min_peak)))
            rate = self.per_day / 1440 * cal.rate_factor(moment)
            if self.rng.uniform() * self.per_min_peak <= rate:
                return moment

    def actions_before(self, moment: datetime) -> bool:
        return bool(self.actions) and self.actions[0].at < moment

    def heartbeat_off(self) -> None:
        self.actions = [a for a in self.actions if a.kind != "heartbeat"]
        heapq.heapify(self.actions)

    def schedule(self, at: datetime, kind: str, **details) -> None:
        self._seq += 1
        heapq.heappush(self.actions, Action(at, self._seq, kind, **details))

    def _refresh_crews(self, session: Session) -> None:
        # One query per step: an operator may set a crew libur or change its shift.
        for crew_id, status, shift in session.execute(select(Crew.id, Crew.status, Crew.shift)):
            if crew_id in self.crews:
                self.crews[crew_id].status = status
                self.crews[crew_id].shift = (shift or "").lower() or None

    # ---- a new report, through intake as a feed would send it

    def _arrive(self, session: Session, at: datetime) -> int:
        category = pick(self.rng, CATEGORY_SHARES)
        report_id = self.submit(session, at, category, *self.sampler.sample(self.rng))
        if report_id is None:
            return 0
        if self.rng.uniform() < BATAL_SHARE[category]:
            self.schedule(
                after(at, self.rng.uniform(3, 20)), "stage", report_id=report_id, stage=Stage.BATAL
            )
        else:
            self.schedule(
                after(at, cal.dispatch_delay_min(self.rng)), "assign", report_id=report_id
            )
        return 1

    def submit(self, session, at: datetime, category: Category, lon: float, lat: float):
        """Send one report through intake.receive; its id, or None when it was not stored."""
        place = self.placer.place(lon, lat)
        village = self.village_names.get(place.village_id, "") if place else ""
        raw = raw_report(self.rng, at, category, lon, lat, village)
        if self.feed is not None:
            # A real feed names each report, so a resent one is recognised.
            raw["source_id"] = f"{self._stamp}-{len(self.created) + 1:06d}"
            return self.feed.send_report(self, session, raw, category, lon, lat)
        return self.submit_raw(session, raw, category, lon, lat, at)

    def submit_raw(self, session, raw: dict, category, lon: float, lat: float, at: datetime):
        from services import intake

        result = intake.receive(session, self.placer, raw, source="simulasi", actor=ACTOR, now=at)
        report = result.report
        if report is None or not result.created or report.lon is None:
            log.info("Simulation: report not taken in: %s", result.errors or result.flag)
            return None
        self.held.append(report)
        return self.register(report.id, category, lon, lat, report.ulp_id)

    def register(self, report_id: int, category, lon: float, lat: float, ulp_id=None) -> int:
        """Plan for a stored report (by intake here, or by the server over HTTP)."""
        self.created.append(report_id)
        x, y = geo.to_utm(lon, lat)
        if ulp_id is None:
            place = self.placer.place(lon, lat)
            ulp_id = place.ulp_id if place else None
        detour = self.config.detour(self.ulp_names.get(ulp_id, ""))
        self.jobs[report_id] = Job(category, float(x), float(y), lon, lat, detour)
        return report_id

    def leave_waiting(self, session: Session, end: datetime, count: int) -> list[int]:
        """``count`` fault reports from the last minutes before ``end``, left in Lapor:
        the work a shift finds waiting, for the operator (not the simulator) to send."""
        ids = []
        for minutes_before in sorted(self.rng.uniform(1, WAITING_WINDOW_MIN, count), reverse=True):
            at = after(end, -float(minutes_before))
            report_id = self.submit(session, at, Category.INDIVIDU, *self.sampler.sample(self.rng))
            if report_id is not None:
                ids.append(report_id)
        return ids

    # ---- carrying out what fell due

    def _do(self, session: Session, action: Action) -> int:
        handler = self.handlers.get(action.kind)
        return handler(session, action) if handler else self.storms.do(session, action)

    def _heartbeat(self, session: Session, action: Action) -> int:
        # Yantek Mobile sends a position now and then even from the posko; without it
        # every idle simulated crew would look silent (stale) on the board.
        self.schedule(after(action.at, HEARTBEAT_MIN), "heartbeat")
        unavailable = {s.value for s in UNAVAILABLE_CREW}
        rows = session.scalars(select(Crew).where(Crew.status.not_in(unavailable))).all()
        for crew in rows:
            if crew.lon is not None and (crew.position_at is None or crew.position_at < action.at):
                move_crew(session, crew.id, crew.lon, crew.lat, action.at, self.feed)
        return len(rows)

    def _assign(self, session: Session, action: Action) -> int:
        if action.report_id not in self.jobs or self.storms.handles(action.report_id):
            return 0  # dropped after a conflict, or part of a padam meluas now
        report = session.get(Report, action.report_id)
        if report is None or report.stage != Stage.LAPOR.value:
            return 0  # an operator dispatched or cancelled it first; leave it to them

        job = self.jobs[action.report_id]
        crew = self.first_to_arrive(job, action.at)
        if crew is None:
            log.info("Simulation: no crew available for report %d", action.report_id)
            return 0
        result = dispatch.assign(session, [action.report_id], crew.id, ACTOR, at=action.at)
        if not result.ok:
            log.info("Simulation: assignment refused: %s", "; ".join(result.refused))
            return 0
        self.plan_job(action.report_id, job, crew, action.at)
        return 1

    def first_to_arrive(self, job: Job, at: datetime) -> CrewPlan | None:
        """Across ULP lines on purpose: the centre sends whoever gets there first,
        counting the jobs already queued. Crews on shift (or on call) come first, as
        in the dispatch proposals; an off-shift crew only when no on-shift one exists."""
        unavailable = {s.value for s in UNAVAILABLE_CREW}
        ready = [c for c in self.crews.values() if c.status not in unavailable]
        on_shift = [c for c in ready if c.on_shift(at)]

        def arrival(crew: CrewPlan) -> datetime:
            leaves = max(at, crew.free_at)
            return after(leaves, crew.travel_min(job.x, job.y, leaves, job.detour))

        pool = on_shift or ready
        return min(pool, key=lambda c: (arrival(c), c.id)) if pool else None

    def plan_job(
        self,
        report_id: int,
        job: Job,
        crew: CrewPlan,
        at: datetime,
        current: Stage = Stage.PENUGASAN,
        kind: str = "stage",
    ) -> None:
        """Schedule the stages after ``current``; earlier ones already happened."""
        done = STAGE_ORDER.index(current)

        def reached(stage: Stage) -> bool:
            return done >= STAGE_ORDER.index(stage)

        leaves = (
            at
            if reached(Stage.PERJALANAN)
            else after(max(at, crew.free_at), cal.set_off_min(self.rng))
        )
        travel = crew.travel_min(job.x, job.y, leaves, job.detour)
        arrives = at if reached(Stage.PENGERJAAN) else after(leaves, travel)
        work = cal.work_min(self.rng, job.category.value)
        restored = at if reached(Stage.NYALA) else after(arrives, work)
        closing = after(restored, cal.close_min(self.rng))

        plan = [(leaves, Stage.PERJALANAN, 0), (arrives, Stage.PENGERJAAN, crew.id)]
        if self.rng.uniform() < NYALA_SEMENTARA_SHARE[job.category]:
            plan.append(
                (after(arrives, work * self.rng.uniform(0.3, 0.7)), Stage.NYALA_SEMENTARA, 0)
            )
        plan += [(restored, Stage.NYALA, crew.id), (closing, Stage.SELESAI, 0)]
        for moment, stage, crew_id in plan:
            if not reached(stage):
                self.schedule(moment, kind, report_id=report_id, stage=stage, crew_id=crew_id)

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
        self.storms.forget(gone)

    def _advance(self, session: Session, action: Action) -> int:
        report = session.get(Report, action.report_id)
        if report is None:
            return 0  # created in an hour that was dropped after a conflict
        try:
            lifecycle.advance(session, report, action.stage, action.at, ACTOR)
        except lifecycle.StageError as exc:
            # An operator moved a simulated report by hand; their word wins.
            log.info("Simulation: skipped a stage: %s", exc)
            return 0
        self.after_stage(session, action, report.crew_id)
        return 1

    def after_stage(self, session: Session, action: Action, crew_id: int | None) -> None:
        """The crew's side of a stage: on site at Pengerjaan, home after Nyala."""
        if action.stage is Stage.PENGERJAAN and crew_id is not None:
            # The report's crew, not the planned one: an operator may have swapped it.
            job = self.jobs[action.report_id]
            move_crew(session, crew_id, job.lon, job.lat, action.at, self.feed)
        elif action.stage is Stage.NYALA:
            self._maybe_send_home(action)
        elif action.stage in (Stage.SELESAI, Stage.BATAL):
            self.jobs.pop(action.report_id, None)

    def _maybe_send_home(self, action: Action) -> None:
        crew = self.crews.get(action.crew_id)
        if crew is None or crew.free_at > action.at:
            return  # another job is queued: the crew drives there, not home
        back = after(
            action.at,
            crew.travel_min(crew.home_x, crew.home_y, action.at, self.config.detour_default),
        )
        crew.home_at = back
        self.schedule(back, "home", crew_id=crew.id, generation=crew.generation)

    def _go_home(self, session: Session, action: Action) -> int:
        crew = self.crews[action.crew_id]
        if crew.generation != action.generation:
            return 0
        move_crew(session, crew.id, *crew.home_lonlat, action.at, self.feed)
        return 1


def move_crew(session: Session, crew_id: int, lon: float, lat: float, at: datetime, feed=None):
    # The same logged change as a position from the crews' feed; over HTTP it is
    # posted after the step's transaction (SQLite has one writer at a time).
    if feed is not None:
        feed.queue_position(session.get(Crew, crew_id).code, lon, lat, at)
        return
    crews.update_position(session, crew_id, lon, lat, at, ACTOR)
