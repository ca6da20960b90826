"""Read models for the console: plain frozen dataclasses the map and docks render.

The GUI never holds ORM objects; it gets these snapshots from a worker thread and
applies them, so a slow query never touches a widget.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.domain import (
    AGE_OK,
    CLOSED_STAGES,
    IMPORTED_LIVE_HOURS,
    CrewStatus,
    Source,
    Stage,
    age_class,
)
from comcen_desktop.i18n import tr
from comcen_desktop.storage.models import (
    Crew,
    District,
    Incident,
    Posko,
    Report,
    ReportStage,
    UlpArea,
    Village,
)
from comcen_desktop.timeutil import utc_now


@dataclass(frozen=True)
class AreaShape:
    name: str
    code: str
    kind: str  # "ulp" or "district"
    ulp: str
    geometry: BaseGeometry  # longitude/latitude


@dataclass(frozen=True)
class VillagePoint:
    name: str
    district: str
    ulp: str
    lon: float
    lat: float


@dataclass(frozen=True)
class PoskoView:
    id: int
    name: str
    ulp: str
    lon: float
    lat: float
    crew_count: int


@dataclass(frozen=True)
class CrewView:
    id: int
    code: str
    name: str
    posko_id: int
    posko: str
    ulp: str
    vehicle: str
    members: int
    status: str
    lon: float
    lat: float
    current_report: str | None  # report number of the job it works on first
    queue: tuple[str, ...]  # all its open report numbers, oldest first
    version: int
    # Added with dispatch proposals; defaults keep older callers working.
    shift: str | None = None  # pagi / sore / malam, None = around the clock
    position_at: datetime | None = None
    # No position update for longer than the crew.stale_minutes setting (not libur).
    stale: bool = False
    silent_min: float | None = None  # minutes since the last position update
    queue_ids: tuple[int, ...] = ()  # report ids, in the order of ``queue``
    queue_stages: tuple[str, ...] = ()  # stage of each queued report
    # A padam meluas is one job: its queue entry reads "PM… (16 laporan)", its id is
    # its first member's, its stage the incident's. None for a single report.
    queue_incidents: tuple[int | None, ...] = ()
    queue_sizes: tuple[int, ...] = ()  # reports in each job (1, or the members held)


@dataclass(frozen=True)
class ReportView:
    id: int
    number: str
    reported_at: datetime
    ulp: str
    district: str
    village: str
    category: str
    media: str
    stage: Stage
    crew_id: int | None
    crew: str | None
    lon: float | None
    lat: float | None
    age_min: float
    age_class: str
    idpel: str | None
    name: str | None
    phone: str | None
    address: str | None
    description: str | None
    version: int
    simulated: bool
    # Minutes on the response clock: report time until the crew is at work (or now).
    # It colours the pin and decides lateness; age_min is the plain age every view shows.
    response_min: float = 0.0
    # Set when intake could not trust the point: the operator places the report.
    placement_flag: str | None = None
    repeat_of_id: int | None = None  # a repeat complaint links to the earlier report
    incident_id: int | None = None  # member of a padam meluas incident


def load_areas(session: Session) -> list[AreaShape]:
    ulp_names = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())
    areas = [
        AreaShape(a.name, a.code, "ulp", a.name, shape(json.loads(a.geojson)))
        for a in session.scalars(select(UlpArea).order_by(UlpArea.name))
    ]
    areas += [
        AreaShape(d.name, d.code, "district", ulp_names[d.ulp_id], shape(json.loads(d.geojson)))
        for d in session.scalars(select(District).order_by(District.code))
    ]
    return areas


def load_villages(session: Session) -> list[VillagePoint]:
    rows = session.execute(
        select(Village.name, District.name, UlpArea.name, Village.lon, Village.lat)
        .join(District, Village.district_id == District.id)
        .join(UlpArea, Village.ulp_id == UlpArea.id)
        .where(Village.lon.is_not(None))
        .order_by(Village.code)
    )
    return [VillagePoint(*row) for row in rows]


def load_posko(session: Session) -> list[PoskoView]:
    ulp_names = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())
    result = []
    for station in session.scalars(select(Posko).order_by(Posko.name)):
        result.append(
            PoskoView(
                station.id,
                station.name,
                ulp_names.get(station.ulp_id, ""),
                station.lon,
                station.lat,
                len(station.crews),
            )
        )
    return result


def load_crews(session: Session, now: datetime | None = None) -> list[CrewView]:
    now = now or utc_now()
    stale_after = float(settings.get(session, "crew.stale_minutes"))
    ulp_names = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())
    queues = _crew_queues(session)
    result = []
    for crew in session.scalars(select(Crew).order_by(Crew.posko_id, Crew.code)):
        jobs = queues.get(crew.id, [])
        queue = tuple(job.label for job in jobs)
        silent = _silent_minutes(crew.position_at, now)
        result.append(
            CrewView(
                id=crew.id,
                code=crew.code,
                name=crew.name,
                posko_id=crew.posko_id,
                posko=crew.posko.name,
                ulp=ulp_names.get(crew.posko.ulp_id, ""),
                vehicle=crew.vehicle,
                members=crew.members,
                status=crew.status,
                lon=crew.lon if crew.lon is not None else crew.posko.lon,
                lat=crew.lat if crew.lat is not None else crew.posko.lat,
                current_report=queue[0] if queue else None,
                queue=queue,
                version=crew.version,
                shift=crew.shift,
                position_at=crew.position_at,
                stale=_is_stale(crew.status, silent, stale_after),
                silent_min=silent,
                queue_ids=tuple(job.report_id for job in jobs),
                queue_stages=tuple(job.stage for job in jobs),
                queue_incidents=tuple(job.incident_id for job in jobs),
                queue_sizes=tuple(job.size for job in jobs),
            )
        )
    return result


def _silent_minutes(position_at: datetime | None, now: datetime) -> float | None:
    if position_at is None:
        return None
    return max(0.0, (now - position_at).total_seconds() / 60)


def _is_stale(status: str, silent: float | None, stale_after: float) -> bool:
    # An off-duty crew is expected to be quiet; a crew never heard from is stale.
    if status == CrewStatus.LIBUR.value:
        return False
    return silent is None or silent > stale_after


# The job a crew is furthest along with comes first, then by report time.
_JOB_RANK = {
    stage: i
    for i, stage in enumerate(
        [Stage.PENGERJAAN, Stage.NYALA_SEMENTARA, Stage.PERJALANAN, Stage.PENUGASAN, Stage.NYALA]
    )
}


@dataclass(frozen=True)
class _Job:
    report_id: int
    label: str
    stage: str
    reported_at: datetime
    incident_id: int | None = None
    size: int = 1

    def order(self) -> tuple:
        # Report id breaks ties, so two reports of the same second keep one order.
        return (_JOB_RANK.get(Stage(self.stage), 9), self.reported_at, self.report_id)


def _crew_queues(session: Session) -> dict[int, list[_Job]]:
    rows = session.execute(
        select(
            Report.crew_id,
            Report.id,
            Report.number,
            Report.stage,
            Report.reported_at,
            Report.incident_id,
        ).where(
            Report.crew_id.is_not(None),
            Report.stage.not_in([s.value for s in CLOSED_STAGES]),
            _live(utc_now()),
        )
    ).all()
    rows.sort(key=lambda r: (_JOB_RANK.get(Stage(r.stage), 9), r.reported_at, r.id))

    # Members of a padam meluas move together: one job per incident and crew.
    incidents = _incidents_of(session, {r.incident_id for r in rows if r.incident_id})
    grouped: dict[tuple, list] = {}
    for row in rows:
        incident = row.incident_id if row.incident_id in incidents else None
        key = (row.crew_id, incident if incident is not None else -row.id)
        grouped.setdefault(key, []).append(row)

    queues: dict[int, list[_Job]] = {}
    for (crew_id, _key), members in grouped.items():
        queues.setdefault(crew_id, []).append(_job(members, incidents))
    for jobs in queues.values():
        jobs.sort(key=_Job.order)
    return queues


def _incidents_of(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    query = select(Incident.id, Incident.number, Incident.stage).where(Incident.id.in_(ids))
    return {row.id: (row.number, row.stage) for row in session.execute(query)}


def _job(members: list, incidents: dict[int, tuple[str, str]]) -> _Job:
    first = members[0]  # the member the crew is furthest along with
    if first.incident_id not in incidents:
        return _Job(first.id, first.number, first.stage, first.reported_at)
    number, stage = incidents[first.incident_id]
    # The crew works the incident's stage, as for a single job; a stage no crew
    # holds a job in (Lapor) falls back to the members'.
    if Stage(stage) not in _JOB_RANK:
        stage = first.stage
    label = tr("{number} ({n} laporan)").format(number=number, n=len(members))
    at = min(member.reported_at for member in members)
    return _Job(first.id, label, stage, at, first.incident_id, len(members))


def load_open_reports(session: Session, now: datetime | None = None) -> list[ReportView]:
    """Every report not Selesai or Batal: exactly what the map pins and the queue show
    (an imported one only while it is recent: see IMPORTED_LIVE_HOURS)."""
    query = select(Report).where(
        Report.stage.not_in([s.value for s in CLOSED_STAGES]), _live(now or utc_now())
    )
    return _report_views(session, query, now)


def _live(now: datetime):
    """Not an old imported report: history the file left open is not today's work."""
    since = now - timedelta(hours=IMPORTED_LIVE_HOURS)
    return or_(
        Report.source.is_(None),
        Report.source != Source.IMPOR.value,
        Report.reported_at >= since,
    )


def load_recent_closed(
    session: Session, now: datetime | None = None, hours: float | None = None
) -> list[ReportView]:
    """Reports closed (Selesai or Batal) in the last ``hours``: shown muted on the map,
    so an operator sees where the day's work was, not only what is still open."""
    now = now or utc_now()
    if hours is None:
        hours = float(settings.get(session, "map.closed_hours"))
    since = now - timedelta(hours=hours)
    closed_ids = select(ReportStage.report_id).where(
        ReportStage.stage.in_([s.value for s in CLOSED_STAGES]),
        ReportStage.at >= since,
        ReportStage.at <= now,
    )
    query = select(Report).where(
        Report.stage.in_([s.value for s in CLOSED_STAGES]), Report.id.in_(closed_ids)
    )
    # A closed report's age no longer alarms anyone: its ring stays neutral.
    return [replace(v, age_class=AGE_OK) for v in _report_views(session, query, now)]


def load_report_query(session: Session, query, now: datetime | None = None) -> list[ReportView]:
    """Read models for any ``select(Report)`` (a date range, a filter), ages at ``now``."""
    return _report_views(session, query, now)


def load_reports(session: Session, ids: list[int]) -> list[ReportView]:
    return _report_views(session, select(Report).where(Report.id.in_(ids)), None)


def _report_views(session: Session, query, now: datetime | None) -> list[ReportView]:
    now = now or utc_now()
    target = float(settings.get(session, "kpi.rpt_target_min"))
    names = _lookup_names(session)
    responded = _responded_times(session)
    views = []
    for report in session.scalars(query.order_by(Report.reported_at)):
        # The response clock stops when the crew is at work; the age does not.
        stop = responded.get(report.id, now)
        response = max(0.0, (stop - report.reported_at).total_seconds() / 60)
        age = max(0.0, (now - report.reported_at).total_seconds() / 60)
        views.append(_report_view(report, names, age, response, target))
    return views


def _report_view(
    report: Report, names: dict, age: float, response: float, target: float
) -> ReportView:
    return ReportView(
        id=report.id,
        number=report.number,
        reported_at=report.reported_at,
        ulp=names["ulp"].get(report.ulp_id, "?"),
        district=names["district"].get(report.district_id, ""),
        village=names["village"].get(report.village_id, ""),
        category=report.category,
        media=report.media,
        stage=Stage(report.stage),
        crew_id=report.crew_id,
        crew=names["crew"].get(report.crew_id),
        lon=report.lon,
        lat=report.lat,
        age_min=age,
        age_class=age_class(response, target),
        response_min=response,
        idpel=report.idpel,
        name=report.name,
        phone=report.phone,
        address=report.address,
        description=report.description,
        version=report.version,
        simulated=report.simulated,
        placement_flag=report.placement_flag,
        repeat_of_id=report.repeat_of_id,
        incident_id=report.incident_id,
    )


def _lookup_names(session: Session) -> dict[str, dict[int, str]]:
    return {
        "ulp": dict(session.execute(select(UlpArea.id, UlpArea.name)).all()),
        "district": dict(session.execute(select(District.id, District.name)).all()),
        "village": dict(session.execute(select(Village.id, Village.name)).all()),
        "crew": dict(session.execute(select(Crew.id, Crew.name)).all()),
    }


def _responded_times(session: Session) -> dict[int, datetime]:
    rows = session.execute(
        select(ReportStage.report_id, ReportStage.at)
        .join(Report, Report.id == ReportStage.report_id)
        .where(
            ReportStage.stage == Stage.PENGERJAAN.value,
            Report.stage.not_in([s.value for s in CLOSED_STAGES]),
        )
    )
    return dict(rows.all())
