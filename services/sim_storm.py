"""Storms: bursts of reports clustered around one area, and the operator who turns
them into padam meluas incidents.

A storm (afternoon or evening, as Bangka's thunderstorms come) knocks out several
pieces of network around its centre — a tree on a feeder, a blown fuse cut-out. Each
outage is a spot where many customers lose power at once, and a dozen of them call
within twenty minutes from houses a few hundred metres apart. That is what
services.incidents proposes as one padam meluas; the simulated operator confirms the
proposal a few minutes later, sends one crew, and the members then move through the
stages together (services.incidents.assign_incident / advance_incident).

Storms come by chance in a normal month (sim_calibration.storm_chance_per_day, more in
the wet season) and on demand (`comcen simulate --storm`: one big storm at once).
Their randomness has its own generator, so a storm does not shift the background.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select

from comcen_desktop import geo, settings
from comcen_desktop.domain import Category, Stage
from comcen_desktop.storage.models import Crew, Incident, Report
from services import sim_calibration as cal

log = logging.getLogger(__name__)

PLAN_HORIZON_DAYS = 7  # a live run without an end plans its storms a week ahead
STORM_HOURS_WIB = (13, 21)  # convective storms: afternoon and evening
STORM_DURATION_H = (1.5, 3.5)
OUTAGE_SPREAD_M = 4000  # outages scatter around the storm's centre
REPORT_SPREAD_M = 120  # callers of one outage live this close together
REPORT_GAP_MIN = 5.0  # mean minutes between the first calls of one outage
REPORTS_WINDOW_MIN = 25.0
HOLD_MIN = 12.0  # the operator waits this long before sending a crew per report
TRIAGE_MIN = (3.0, 8.0)  # noticing the cluster and confirming it
RETRY_MIN = 5.0  # no crew could be sent: try again after this long
OUTAGE_CUSTOMERS_MEDIAN = 150
MELUAS_SHARE = 0.2  # callers who say "padam satu lingkungan" themselves
# (outages, reports per outage): a chance storm, and the one --storm asks for.
NORMAL_SIZE = (4, 6, 4, 6)  # outages = a + Poisson(b); reports = c + Poisson(d)
BIG_SIZE = (12, 8, 6, 10)


@dataclass
class Outage:
    key: int
    lon: float
    lat: float
    customers: int
    report_ids: list[int] = field(default_factory=list)
    incident_id: int | None = None
    triage_planned: bool = False


@dataclass(order=True)
class _Call:
    at: datetime
    seq: int
    outage: int = field(compare=False)
    lon: float = field(compare=False)
    lat: float = field(compare=False)


def _incidents():
    """services.incidents when it offers what the simulated operator uses."""
    try:
        from services import incidents
    except ImportError:
        return None
    needed = ("propose", "confirm", "assign_incident", "advance_incident")
    return incidents if all(hasattr(incidents, name) for name in needed) else None


class StormDesk:
    """The storms of one simulated run, their outages and incidents."""

    def __init__(self, world, start: datetime, end: datetime | None, *, enabled, force):
        self.world = world
        self.rng = np.random.default_rng([world.seed, 7])
        self.outages: list[Outage] = []
        self.members: dict[int, int] = {}  # report id -> incident id
        self.calls: list[_Call] = []
        self.storm_count = 0
        self._calls_made = 0  # ties in time keep the order the calls were planned in
        horizon = end or start + timedelta(days=PLAN_HORIZON_DAYS)
        if force:
            self._plan_storm(after_minutes(start, 5), BIG_SIZE)
        if enabled:
            self._plan_chance_storms(start, horizon)

    # ---- planning

    def _plan_chance_storms(self, start: datetime, end: datetime) -> None:
        day = start
        while day < end:
            if self.rng.uniform() < cal.storm_chance_per_day(day):
                hour = self.rng.uniform(*STORM_HOURS_WIB)
                local = day.astimezone(cal.WIB).replace(hour=0, minute=0, second=0)
                at = (local + timedelta(hours=hour)).astimezone(UTC)
                if start <= at < end:
                    self._plan_storm(at, NORMAL_SIZE)
            day += timedelta(days=1)

    def _plan_storm(self, at: datetime, size: tuple[int, int, int, int]) -> None:
        self.storm_count += 1
        centre = self.world.sampler.sample(self.rng)
        hours = self.rng.uniform(*STORM_DURATION_H)
        outages = size[0] + int(self.rng.poisson(size[1]))
        for _ in range(outages):
            lon, lat = self._near(centre, OUTAGE_SPREAD_M)
            start = after_minutes(at, self.rng.uniform(0, hours * 60))
            customers = int(
                np.clip(self.rng.lognormal(np.log(OUTAGE_CUSTOMERS_MEDIAN), 0.7), 20, 3000)
            )
            outage = Outage(len(self.outages), lon, lat, customers)
            self.outages.append(outage)
            calls = size[2] + int(self.rng.poisson(size[3]))
            offsets = np.minimum(
                np.cumsum(self.rng.exponential(REPORT_GAP_MIN, calls)), REPORTS_WINDOW_MIN
            )
            for offset in offsets:
                here = self._near((lon, lat), REPORT_SPREAD_M, limit=2.5)
                self._calls_made += 1
                moment = after_minutes(start, float(offset))
                call = _Call(moment, self._calls_made, outage.key, *here)
                heapq.heappush(self.calls, call)
        log.info("Simulation: storm at %s, %d outages", at.isoformat(), outages)

    def _near(self, centre, spread_m: float, limit: float = 2.0) -> tuple[float, float]:
        """A point on land near ``centre`` (normal scatter, at most ``limit`` spreads)."""
        cx, cy = (float(v) for v in geo.to_utm(*centre))
        for _attempt in range(12):
            dx, dy = np.clip(self.rng.normal(0, spread_m, 2), -limit * spread_m, limit * spread_m)
            lon, lat = (float(v) for v in geo.to_lonlat(cx + dx, cy + dy))
            if self.world.placer.place(lon, lat) is not None:
                return lon, lat
        return centre

    # ---- calls arriving

    def next_at(self) -> datetime | None:
        return self.calls[0].at if self.calls else None

    def arrive_next(self, session) -> int:
        call = heapq.heappop(self.calls)
        outage = self.outages[call.outage]
        category = Category.MELUAS if self.rng.uniform() < MELUAS_SHARE else Category.INDIVIDU
        report_id = self.world.submit(session, call.at, category, call.lon, call.lat)
        if report_id is None:
            return 0
        outage.report_ids.append(report_id)
        hold = cal.dispatch_delay_min(self.world.rng) + HOLD_MIN
        self.world.schedule(after_minutes(call.at, hold), "assign", report_id=report_id)
        if outage.incident_id is not None:
            # A late caller of a confirmed outage joins its incident.
            joins = after_minutes(call.at, self.rng.uniform(*TRIAGE_MIN))
            self.world.schedule(joins, "join", report_id=report_id, key=outage.key)
            return 1
        minimum = int(settings.get(session, "incident.min_reports", 3))
        if len(outage.report_ids) >= minimum and not outage.triage_planned and _incidents():
            outage.triage_planned = True
            triage = after_minutes(call.at, self.rng.uniform(*TRIAGE_MIN))
            self.world.schedule(triage, "triage", key=outage.key)
        return 1

    def handles(self, report_id: int) -> bool:
        """Whether the report moves with an incident (so not on its own)."""
        return report_id in self.members

    def forget(self, gone: set[int]) -> None:
        for outage in self.outages:
            outage.report_ids = [i for i in outage.report_ids if i not in gone]

    # ---- the operator's side

    def do(self, session, action) -> int:
        if action.kind == "triage":
            return self._triage(session, action)
        if action.kind == "istage":
            return self._incident_stage(session, action)
        if action.kind == "join":
            return self._join(session, action)
        if action.kind == "isend":
            return self._resend(session, action)
        return 0

    def _join(self, session, action) -> int:
        incidents = _incidents()
        incident_id = self.outages[action.key].incident_id
        incident = session.get(Incident, incident_id) if incident_id else None
        report = session.get(Report, action.report_id)
        if incident is None or report is None or report.stage != Stage.LAPOR.value:
            return 0
        try:
            incidents.add_member(session, incident, action.report_id, cal.ACTOR, action.at)
        except incidents.IncidentError as exc:
            log.info("Simulation: report did not join its incident: %s", exc)
            return 0  # its held assignment sends a crew of its own
        self.members[action.report_id] = incident.id
        return 1

    def _triage(self, session, action) -> int:
        incidents = _incidents()
        outage = self.outages[action.key]
        waiting = set(
            session.scalars(
                select(Report.id).where(
                    Report.id.in_(outage.report_ids), Report.stage == Stage.LAPOR.value
                )
            )
        )
        best = max(
            (p for p in incidents.propose(session, action.at) if p.incident_id is None),
            key=lambda p: len(waiting & set(p.member_ids)),
            default=None,
        )
        members = sorted(waiting & set(best.member_ids)) if best else []
        if len(members) < 2:
            return 0  # nothing to confirm: the held reports go out one by one
        try:
            incident = incidents.confirm(
                session, members, customers=outage.customers, actor=cal.ACTOR, now=action.at
            )
        except incidents.IncidentError as exc:
            log.info("Simulation: incident not confirmed: %s", exc)
            return 0
        outage.incident_id = incident.id
        for report_id in members:
            self.members[report_id] = incident.id
        return 1 + self._send_crew_or_retry(session, incident, outage, action.at)

    def _send_crew_or_retry(self, session, incident: Incident, outage: Outage, at) -> int:
        sent = self._send_crew(session, incident, outage, at)
        if not sent:
            # Every crew off duty or refusing: the operator tries again a bit later.
            self.world.schedule(after_minutes(at, RETRY_MIN), "isend", key=outage.key)
        return sent

    def _resend(self, session, action) -> int:
        outage = self.outages[action.key]
        incident = session.get(Incident, outage.incident_id) if outage.incident_id else None
        if incident is None or incident.stage != Stage.LAPOR.value:
            return 0
        return self._send_crew_or_retry(session, incident, outage, action.at)

    def adopt(self, incident: Incident, crew_id: int | None, at: datetime) -> None:
        """Carry on an active incident an earlier run left open."""
        from services.sim_world import Job

        outage = Outage(len(self.outages), incident.lon, incident.lat, incident.customers or 0)
        outage.incident_id, outage.triage_planned = incident.id, True
        self.outages.append(outage)
        for report_id in incident.member_ids or ():
            self.members[report_id] = incident.id
        crew = self.world.crews.get(crew_id) if crew_id is not None else None
        stage = Stage(incident.stage)
        if stage is Stage.LAPOR or crew is None:
            self.world.schedule(after_minutes(at, 1), "isend", key=outage.key)
            return
        x, y = (float(v) for v in geo.to_utm(incident.lon, incident.lat))
        detour = self.world.config.detour(self.world.ulp_names.get(incident.ulp_id, ""))
        job = Job(Category.MELUAS, x, y, incident.lon, incident.lat, detour)
        self.world.jobs[-incident.id] = job
        self.world.plan_job(-incident.id, job, crew, at, current=stage, kind="istage")

    def _send_crew(self, session, incident: Incident, outage: Outage, at: datetime) -> int:
        from services.sim_world import Job

        incidents = _incidents()
        x, y = (float(v) for v in geo.to_utm(outage.lon, outage.lat))
        detour = self.world.config.detour(self.world.ulp_names.get(incident.ulp_id, ""))
        job = Job(Category.MELUAS, x, y, outage.lon, outage.lat, detour)
        crew = self.world.first_to_arrive(job, at)
        if crew is None:
            return 0
        try:
            incidents.assign_incident(session, incident, session.get(Crew, crew.id), cal.ACTOR, at)
        except (incidents.IncidentError, ValueError) as exc:
            log.info("Simulation: incident not assigned: %s", exc)
            return 0
        self.world.jobs[-incident.id] = job
        self.world.plan_job(-incident.id, job, crew, at, kind="istage")
        return 1

    def _incident_stage(self, session, action) -> int:
        from services import lifecycle

        incidents = _incidents()
        incident = session.get(Incident, -action.report_id)
        if incident is None:
            return 0
        try:
            incidents.advance_incident(session, incident, action.stage, action.at, cal.ACTOR)
        except (incidents.IncidentError, lifecycle.StageError) as exc:
            log.info("Simulation: incident stage skipped: %s", exc)
            return 0
        self.world.after_stage(session, action, action.crew_id or None)
        return 1


def after_minutes(moment: datetime, minutes: float) -> datetime:
    return moment + timedelta(seconds=round(minutes * 60))
