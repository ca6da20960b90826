"""Padam meluas: fault reports close in space and time, proposed as one incident.

propose() finds them; the operator confirms or dismisses a proposal. Members of a
confirmed incident then move through the stages together (advance_incident,
assign_incident): lifecycle.advance and dispatch.assign refuse to move one member on
its own, so an incident's members never drift apart. The KPI engine counts an
incident once (services/kpi_engine/incident_rows.py).

Clustering is DBSCAN over space and time: two reports are neighbours when they are
at most ``incident.radius_m`` apart (UTM metres) AND at most ``incident.window_min``
apart in time; a report with at least ``incident.min_reports`` neighbours (itself
included) is a core, and a cluster is the core reports connected through neighbours
plus the reports next to them. Unlike plain single linkage, a thin chain of reports
along a road does not glue two separate outages into one.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo, settings
from comcen_desktop.domain import CLOSED_STAGES, STAGE_LABELS, STAGE_ORDER, Category, Stage
from comcen_desktop.storage.models import Incident, Report
from comcen_desktop.timeutil import as_utc, to_wib
from services import events

AKTIF, SELESAI, BATAL, DITOLAK = "aktif", "selesai", "batal", "ditolak"
# Reports still without power: the ones an outage can gather.
OPEN_FAULT_STAGES = tuple(s.value for s in STAGE_ORDER[: STAGE_ORDER.index(Stage.NYALA)])
MIN_RADIUS_M = 100.0  # a drawn circle never shrinks to a dot
# A padam meluas is a live event: older open reports are not clustered any more.
LOOKBACK = timedelta(hours=24)


class IncidentError(ValueError):
    """A refused incident change; the message (one line per reason) is for the operator."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class IncidentProposal:
    member_ids: tuple[int, ...]
    lon: float  # centre
    lat: float
    radius_m: float
    first_at: datetime
    last_at: datetime
    ulp_id: int | None
    customers_hint: int
    numbers: tuple[str, ...] = ()
    # Set when the reports would join this active incident instead of starting one.
    incident_id: int | None = None
    incident_number: str | None = None


@dataclass(frozen=True)
class IncidentView:
    id: int
    number: str
    stage: str
    status: str
    lon: float
    lat: float
    radius_m: float
    customers: int | None
    started_at: datetime
    ulp_id: int | None
    member_ids: tuple[int, ...]
    version: int


@dataclass(frozen=True)
class _Candidate:
    id: int
    number: str
    lon: float
    lat: float
    at: datetime
    ulp_id: int | None
    customers: int | None


# --- proposing -------------------------------------------------------------------------


def propose(session: Session, now: datetime) -> list[IncidentProposal]:
    """Proposals at ``now``: reports joining active incidents first, then new clusters."""
    now = as_utc(now)
    candidates = _candidates(session, now)
    if not candidates:
        return []
    dismissed = _dismissed(session, now)
    joiners, rest = _joiners(session, candidates)
    proposals = [p for p in joiners if not _was_dismissed(p, dismissed)]

    radius = float(settings.get(session, "incident.radius_m"))
    window_s = float(settings.get(session, "incident.window_min")) * 60
    min_reports = int(settings.get(session, "incident.min_reports"))
    for group in _clusters(rest, radius, window_s, min_reports):
        proposal = _proposal([rest[i] for i in group])
        if not _was_dismissed(proposal, dismissed):
            proposals.append(proposal)
    return proposals


def _candidates(session: Session, now: datetime) -> list[_Candidate]:
    query = select(
        Report.id,
        Report.number,
        Report.lon,
        Report.lat,
        Report.reported_at,
        Report.ulp_id,
        Report.customers,
    ).where(
        Report.category != Category.KELUHAN.value,
        Report.stage.in_(OPEN_FAULT_STAGES),
        Report.incident_id.is_(None),
        Report.placement_flag.is_(None),
        Report.lon.is_not(None),
        Report.lat.is_not(None),
        Report.reported_at <= now,
        Report.reported_at >= now - LOOKBACK,
    )
    return [_Candidate(*row) for row in session.execute(query.order_by(Report.reported_at))]


def _dismissed(session: Session, now: datetime) -> list[frozenset[int]]:
    rows = session.scalars(
        select(Incident.member_ids).where(
            Incident.status == DITOLAK, Incident.created_at >= now - 2 * LOOKBACK
        )
    )
    return [frozenset(ids or ()) for ids in rows]


def _was_dismissed(proposal: IncidentProposal, dismissed: list[frozenset[int]]) -> bool:
    """Turned down before, and no new report has joined it since."""
    members = set(proposal.member_ids)
    return any(members <= earlier for earlier in dismissed)


def _joiners(session, candidates: list[_Candidate]) -> tuple[list[IncidentProposal], list]:
    """Reports near an active incident that still lacks power join it; the rest remain."""
    incidents = session.scalars(
        select(Incident).where(Incident.status == AKTIF, Incident.stage.in_(OPEN_FAULT_STAGES))
    ).all()
    if not incidents:
        return [], candidates
    radius = float(settings.get(session, "incident.radius_m"))
    window = timedelta(minutes=float(settings.get(session, "incident.window_min")))
    x, y = _utm([c.lon for c in candidates], [c.lat for c in candidates])
    ix, iy = _utm([i.lon for i in incidents], [i.lat for i in incidents])

    distance = np.hypot(x[:, None] - ix[None, :], y[:, None] - iy[None, :])
    reach = np.array([i.radius_m for i in incidents]) + radius
    after = np.array([[c.at >= i.started_at - window for i in incidents] for c in candidates])
    near = (distance <= reach[None, :]) & after
    nearest = np.where(near, distance, np.inf).argmin(axis=1)
    joined = near.any(axis=1)

    proposals = []
    for column, incident in enumerate(incidents):
        members = [
            c for c, j, k in zip(candidates, joined, nearest, strict=True) if j and k == column
        ]
        if members:
            proposals.append(_proposal(members, incident))
    rest = [c for c, j in zip(candidates, joined, strict=True) if not j]
    return proposals, rest


def _clusters(
    candidates: list[_Candidate], radius_m: float, window_s: float, min_points: int
) -> list[list[int]]:
    """DBSCAN over (UTM metres, seconds): index lists into ``candidates``."""
    if len(candidates) < max(min_points, 1):
        return []
    x, y = _utm([c.lon for c in candidates], [c.lat for c in candidates])
    t = np.array([c.at.timestamp() for c in candidates])
    order = np.argsort(t, kind="stable")
    x, y, t = x[order], y[order], t[order]
    # Sorted by time, each report's time neighbours are one slice: O(n·k), not O(n²).
    low = np.searchsorted(t, t - window_s, side="left")
    high = np.searchsorted(t, t + window_s, side="right")
    neighbours = []
    for i in range(len(t)):
        span = np.arange(low[i], high[i])
        neighbours.append(span[np.hypot(x[span] - x[i], y[span] - y[i]) <= radius_m])
    core = [len(near) >= min_points for near in neighbours]
    labels = _expand(neighbours, core)
    return [sorted(order[labels == label].tolist()) for label in range(labels.max() + 1)]


def _expand(neighbours: list[np.ndarray], core: list[bool]) -> np.ndarray:
    labels = np.full(len(core), -1)
    cluster = 0
    for start in range(len(core)):
        if not core[start] or labels[start] >= 0:
            continue
        labels[start], stack = cluster, [start]
        while stack:
            point = stack.pop()
            if not core[point]:
                continue  # a border report belongs to the cluster but does not extend it
            for other in neighbours[point]:
                if labels[other] < 0:
                    labels[other] = cluster
                    stack.append(other)
        cluster += 1
    return labels


def _proposal(members: list[_Candidate], incident: Incident | None = None) -> IncidentProposal:
    lon, lat, radius = _geometry([m.lon for m in members], [m.lat for m in members])
    known = sum(m.customers or 0 for m in members)
    return IncidentProposal(
        member_ids=tuple(sorted(m.id for m in members)),
        lon=lon,
        lat=lat,
        radius_m=radius,
        first_at=min(m.at for m in members),
        last_at=max(m.at for m in members),
        ulp_id=_main_ulp([m.ulp_id for m in members]),
        # Every report is at least its own customer; callers' counts win when larger.
        customers_hint=max(len(members), known),
        numbers=tuple(m.number for m in sorted(members, key=lambda m: m.id)),
        incident_id=incident.id if incident else None,
        incident_number=incident.number if incident else None,
    )


def _utm(lons, lats) -> tuple[np.ndarray, np.ndarray]:
    x, y = geo.to_utm(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _geometry(lons, lats) -> tuple[float, float, float]:
    """Centre (lon, lat) and the radius in metres that holds every member."""
    x, y = _utm(lons, lats)
    cx, cy = float(x.mean()), float(y.mean())
    radius = float(np.hypot(x - cx, y - cy).max())
    lon, lat = geo.to_lonlat(cx, cy)
    return float(lon), float(lat), max(radius, MIN_RADIUS_M)


def _main_ulp(ulp_ids: list[int | None]) -> int | None:
    known = [u for u in ulp_ids if u is not None]
    return Counter(known).most_common(1)[0][0] if known else None


# --- confirming, dismissing, membership ------------------------------------------------


def incident_number(incident_id: int, started_at: datetime) -> str:
    return f"PM{to_wib(started_at):%y%m%d}-{incident_id:05d}"


def confirm(
    session: Session,
    member_ids,
    *,
    customers: int | None,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> Incident:
    """One active incident of these reports, or IncidentError naming every problem."""
    reports = _eligible(session, member_ids)
    if len(reports) < 2:
        raise IncidentError("Padam meluas butuh paling sedikit 2 laporan.")
    customers = _checked_customers(customers)
    incident = _new_row(session, reports, AKTIF, actor, as_utc(now), customers, note)
    incident.stage = min((Stage(r.stage) for r in reports), key=STAGE_ORDER.index).value
    for report in reports:
        report.incident_id = incident.id
    session.flush()
    events.record(session, "incident_confirm", "incident", incident.id, actor=actor,
                  after=incident_snapshot(incident))  # fmt: skip
    return incident


def dismiss(
    session: Session,
    member_ids,
    actor: str,
    now: datetime,
    incident_id: int | None = None,
) -> Incident:
    """Turn a proposal down: kept as a "ditolak" row so the same set is not proposed
    again (``incident_id``: a proposal to join that incident)."""
    reports = [session.get(Report, i) for i in sorted(set(member_ids))]
    reports = [r for r in reports if r is not None and r.lat is not None]
    if not reports:
        raise IncidentError("Tidak ada laporan untuk ditolak.")
    note = f"gabung ke incident {incident_id}" if incident_id else None
    row = _new_row(session, reports, DITOLAK, actor, as_utc(now), None, note)
    events.record(session, "incident_dismiss", "incident", row.id, actor=actor,
                  after=incident_snapshot(row))  # fmt: skip
    return row


def _new_row(session, reports, status, actor, now, customers, note) -> Incident:
    lon, lat, radius = _geometry([r.lon for r in reports], [r.lat for r in reports])
    first = min(as_utc(r.reported_at) for r in reports)
    row = Incident(
        # A placeholder until the id is known (see intake.create_report).
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        status=status,
        stage=Stage.LAPOR.value,
        ulp_id=_main_ulp([r.ulp_id for r in reports]),
        lat=lat,
        lon=lon,
        radius_m=radius,
        customers=customers,
        started_at=first,
        created_at=now,
        created_by=actor,
        member_ids=sorted(r.id for r in reports),
        note=note,
    )
    session.add(row)
    session.flush()
    row.number = incident_number(row.id, first)
    session.flush()
    return row


def _eligible(session: Session, member_ids) -> list[Report]:
    reports, problems = [], []
    for report_id in sorted(set(member_ids)):
        report = session.get(Report, report_id)
        problem = _ineligible(session, report, report_id)
        if problem:
            problems.append(problem)
        else:
            reports.append(report)
    if problems:
        raise IncidentError(problems)
    return reports


def _ineligible(session: Session, report: Report | None, report_id: int) -> str | None:
    if report is None:
        return f"Laporan {report_id} tidak ada."
    if report.incident_id is not None:
        other = session.get(Incident, report.incident_id)
        return f"Laporan {report.number} sudah bagian dari padam meluas {other.number}."
    if Stage(report.stage) in CLOSED_STAGES:
        label = STAGE_LABELS[Stage(report.stage)]
        return f"Laporan {report.number} sudah '{label}'."
    if report.category == Category.KELUHAN.value:
        return f"Laporan {report.number} adalah keluhan, bukan gangguan."
    if report.lat is None or report.lon is None:
        return f"Laporan {report.number} belum punya lokasi."
    return None


def _checked_customers(customers) -> int | None:
    if customers is None:
        return None
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise IncidentError("Jumlah pelanggan padam harus bilangan bulat 1 atau lebih.")
    return customers


def incident_snapshot(incident: Incident) -> dict:
    return {
        "number": incident.number,
        "status": incident.status,
        "stage": incident.stage,
        "customers": incident.customers,
        "members": list(incident.member_ids or []),
        "version": incident.version,
    }


def members_of(session: Session, incident: Incident) -> list[Report]:
    query = select(Report).where(Report.incident_id == incident.id).order_by(Report.id)
    return list(session.scalars(query))


def refresh_shape(session: Session, incident: Incident) -> None:
    """Members, start, centre and radius again after a member joined or left."""
    members = members_of(session, incident)
    incident.member_ids = [m.id for m in members]
    incident.started_at = min(as_utc(m.reported_at) for m in members)
    lon, lat, radius = _geometry([m.lon for m in members], [m.lat for m in members])
    incident.lon, incident.lat, incident.radius_m = lon, lat, radius


def load_active(session: Session) -> list[IncidentView]:
    rows = session.scalars(
        select(Incident).where(Incident.status == AKTIF).order_by(Incident.started_at)
    )
    return [
        IncidentView(
            id=row.id,
            number=row.number,
            stage=row.stage,
            status=row.status,
            lon=row.lon,
            lat=row.lat,
            radius_m=row.radius_m,
            customers=row.customers,
            started_at=row.started_at,
            ulp_id=row.ulp_id,
            member_ids=tuple(row.member_ids or ()),
            version=row.version,
        )
        for row in rows
    ]


def check_version(incident: Incident, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != incident.version:
        raise IncidentError(
            f"Padam meluas {incident.number} baru saja diubah di konsol lain; muat ulang."
        )


# The moves of a confirmed incident live in services/incident_moves.py (this file
# would pass 400 lines); they are reachable from here too, loaded on first use so
# either module can be imported first.
_MOVES = ("add_member", "advance_incident", "assign_incident", "join", "remove_member", "write")


def __getattr__(name: str):
    if name in _MOVES:
        from services import incident_moves

        return getattr(incident_moves, name)
    raise AttributeError(name)
