"""Auto-dispatch: which crew can reach a report first, ranked, with the why.

The estimate for each crew, all crews at once with numpy:

    eta = queue wait + straight-line distance × detour factor / vehicle speed

- distance: from the crew's last known position (its posko until it reports one),
  straight, in UTM 48S metres; roads wind, so
  the straight line is stretched by the detour factor of the report's ULP
  (``dispatch.detour.<ULP>``, default ``dispatch.detour_default`` = 1.4, an
  assumption until measured on Bangka's roads);
- speed: by vehicle (``dispatch.speed_kmh.mobil`` / ``.motor``);
- queue wait: a simple estimate of the work the crew still has, one figure per job by
  its stage (``dispatch.remaining_min``; a padam meluas is one job at its incident's
  stage, however many members: see queries.load_crews); it does not add the drive
  between queued jobs, so a long queue looks a little shorter than it is;
- shift: crews on their shift (or on call, shift None) come first, crews off shift
  after them, crews off duty (libur) not at all;
- target left: the response-time target of the report's ULP minus the report's age
  minus the eta (negative = the target will be missed).

Crossing a ULP line is allowed, since dispatching across the island is the point of
the command centre; it is flagged so the operator sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo, settings
from comcen_desktop.domain import UNAVAILABLE_CREW, Stage
from comcen_desktop.storage.models import KpiTarget, Report, UlpArea
from comcen_desktop.timeutil import shift_of, to_wib, utc_now
from services import dispatch, events, queries
from services.queries import CrewView, ReportView

AUTO_ACTOR = "auto-dispatch"
LOGGED_PROPOSALS = 5  # how many ranked crews a "proposal" event keeps


def _to_metres(lon, lat):
    # UTM 48S via comcen_desktop.geo, which keeps pyproj on one thread of its own (it
    # crashed when called from the console's ranking worker, a QThread).
    x, y = geo.to_utm(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


@dataclass(frozen=True)
class DispatchSettings:
    detour_default: float = 1.4
    detour_by_ulp: dict[str, float] = field(default_factory=dict)
    speed_kmh: dict[str, float] = field(default_factory=lambda: {"mobil": 35.0, "motor": 40.0})
    remaining_min: dict[str, float] = field(default_factory=dict)
    rpt_target_min: float = 28.38
    rpt_target_by_ulp: dict[str, float] = field(default_factory=dict)

    def detour(self, ulp: str) -> float:
        return self.detour_by_ulp.get(ulp, self.detour_default)

    def target(self, ulp: str) -> float:
        return self.rpt_target_by_ulp.get(ulp, self.rpt_target_min)


def load_settings(session: Session, now: datetime | None = None) -> DispatchSettings:
    now = now or utc_now()
    ulps = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())
    detours = {}
    for name in ulps.values():
        value = settings.get(session, f"dispatch.detour.{name}")
        if value is not None:
            detours[name] = float(value)
    targets = session.execute(
        select(KpiTarget.ulp_id, KpiTarget.rpt_min).where(KpiTarget.year == to_wib(now).year)
    )
    return DispatchSettings(
        detour_default=float(settings.get(session, "dispatch.detour_default")),
        detour_by_ulp=detours,
        speed_kmh={
            vehicle: float(settings.get(session, f"dispatch.speed_kmh.{vehicle}"))
            for vehicle in ("mobil", "motor")
        },
        remaining_min={
            k: float(v) for k, v in settings.get(session, "dispatch.remaining_min").items()
        },
        rpt_target_min=float(settings.get(session, "kpi.rpt_target_min")),
        rpt_target_by_ulp={ulps[u]: float(t) for u, t in targets if u in ulps},
    )


@dataclass(frozen=True)
class Snapshot:
    """Crews and settings as arrays, built once and used for many reports."""

    crews: list[CrewView]
    settings: DispatchSettings
    x: np.ndarray  # each crew's position in metres (see _to_metres)
    y: np.ndarray
    speed_m_per_min: np.ndarray
    wait_min: np.ndarray  # queue wait estimate
    available: np.ndarray  # not off duty
    shifts: tuple[str | None, ...]

    @classmethod
    def build(cls, crews: list[CrewView], config: DispatchSettings) -> Snapshot:
        crews = [c for c in crews if c.lon is not None and c.lat is not None]
        x, y = _to_metres(np.array([c.lon for c in crews]), np.array([c.lat for c in crews]))
        default_speed = config.speed_kmh.get("mobil", 35.0)
        speed = np.array([config.speed_kmh.get(c.vehicle, default_speed) for c in crews])
        wait = np.array(
            [sum(config.remaining_min.get(s, 0.0) for s in c.queue_stages) for c in crews]
        )
        off = {s.value for s in UNAVAILABLE_CREW}
        return cls(
            crews=crews,
            settings=config,
            x=np.asarray(x, dtype=float),
            y=np.asarray(y, dtype=float),
            speed_m_per_min=speed * 1000 / 60,
            wait_min=wait.astype(float),
            available=np.array([c.status not in off for c in crews], dtype=bool),
            shifts=tuple((c.shift or "").lower() or None for c in crews),
        )


def load_snapshot(session: Session, now: datetime | None = None) -> Snapshot:
    now = now or utc_now()
    return Snapshot.build(queries.load_crews(session, now), load_settings(session, now))


@dataclass(frozen=True)
class Proposal:
    rank: int  # 1 = the proposal
    crew: CrewView
    distance_km: float  # straight line
    detour: float
    speed_kmh: float
    queue_len: int
    queue_wait_min: float
    travel_min: float
    eta_min: float
    eta_at: datetime
    crosses_ulp: bool
    on_shift: bool
    target_left_min: float

    @property
    def road_km(self) -> float:
        return self.distance_km * self.detour

    def as_log(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "crew": self.crew.code,
            "crew_name": self.crew.name,
            "eta_min": round(self.eta_min, 1),
            "distance_km": round(self.distance_km, 2),
            "queue_wait_min": round(self.queue_wait_min, 1),
            "crosses_ulp": self.crosses_ulp,
            "on_shift": self.on_shift,
            "target_left_min": round(self.target_left_min, 1),
        }


def rank_crews(
    session_or_snapshot: Session | Snapshot,
    report: ReportView | Report | int,
    now: datetime | None = None,
) -> list[Proposal]:
    """Every crew that can take the report, best first (see the module text)."""
    now = now or utc_now()
    if isinstance(session_or_snapshot, Snapshot):
        snapshot = session_or_snapshot
        if not isinstance(report, ReportView):
            raise TypeError("rank_crews on a snapshot needs a ReportView")
    else:
        snapshot = load_snapshot(session_or_snapshot, now)
        report = _report_view(session_or_snapshot, report)
    if report is None or report.lon is None or report.lat is None or not snapshot.crews:
        return []
    return _rank(snapshot, report, now)


def _report_view(session: Session, report: ReportView | Report | int) -> ReportView | None:
    if isinstance(report, ReportView):
        return report
    report_id = report if isinstance(report, int) else report.id
    views = queries.load_reports(session, [report_id])
    return views[0] if views else None


def _rank(snapshot: Snapshot, report: ReportView, now: datetime) -> list[Proposal]:
    config = snapshot.settings
    rx, ry = _to_metres(report.lon, report.lat)
    straight_m = np.hypot(snapshot.x - rx, snapshot.y - ry)
    detour = config.detour(report.ulp)
    travel = straight_m * detour / snapshot.speed_m_per_min
    eta = snapshot.wait_min + travel
    current = shift_of(now).lower()
    on_shift = np.array([s is None or s == current for s in snapshot.shifts], dtype=bool)
    age = max(0.0, (now - report.reported_at).total_seconds() / 60)
    left = config.target(report.ulp) - age - eta

    # On-shift first, then by arrival, then by distance; lexsort takes the last key first.
    order = np.lexsort((straight_m, eta, ~on_shift))
    order = order[snapshot.available[order]]
    proposals = []
    for rank, i in enumerate(order.tolist(), start=1):
        crew = snapshot.crews[i]
        proposals.append(
            Proposal(
                rank=rank,
                crew=crew,
                distance_km=float(straight_m[i]) / 1000,
                detour=detour,
                speed_kmh=float(snapshot.speed_m_per_min[i]) * 60 / 1000,
                queue_len=len(crew.queue),
                queue_wait_min=float(snapshot.wait_min[i]),
                travel_min=float(travel[i]),
                eta_min=float(eta[i]),
                eta_at=now + timedelta(minutes=float(eta[i])),
                crosses_ulp=bool(crew.ulp and report.ulp and crew.ulp != report.ulp),
                on_shift=bool(on_shift[i]),
                target_left_min=float(left[i]),
            )
        )
    return proposals


# --- the log ---------------------------------------------------------------------------


def log_shown(
    session: Session, report_id: int, proposals: list[Proposal], actor: str, why: str = "shown"
) -> None:
    """One "proposal" event: the ranked crews an operator (or auto-dispatch) saw."""
    events.record(
        session,
        "proposal",
        "report",
        report_id,
        actor=actor,
        after={
            "reason": why,
            "proposals": [p.as_log() for p in proposals[:LOGGED_PROPOSALS]],
        },
    )


def record_shown(database, report_id: int, proposals: list[Proposal], actor: str) -> None:
    with database.transaction() as session:
        log_shown(session, report_id, proposals, actor)


def _choice_event(
    session: Session,
    report_id: int,
    proposals: list[Proposal],
    chosen: Proposal,
    actor: str,
    reason: str,
) -> None:
    top = proposals[0]
    accepted = chosen.rank == 1
    events.record(
        session,
        "proposal_accept" if accepted else "proposal_override",
        "report",
        report_id,
        actor=actor,
        after={
            "reason": reason,
            "rank": chosen.rank,
            "crew": chosen.crew.code,
            "eta_min": round(chosen.eta_min, 1),
            "top_crew": top.crew.code,
            "top_eta_min": round(top.eta_min, 1),
        },
    )


def accept(
    database,
    report_id: int,
    proposals: list[Proposal],
    chosen: Proposal,
    actor: str,
    expected_version: int | None = None,
    reason: str | None = None,
) -> dispatch.AssignResult:
    """Assign the chosen proposal: rank 1 is an acceptance, any other an override.

    The choice is logged in the assignment's own transaction, so a lost race logs no
    acceptance. Without the version a console showed, a report that another crew holds
    already is lost to that crew, never taken from it.
    """
    why = reason or (
        "usulan teratas diterima"
        if chosen.rank == 1
        else f"operator memilih peringkat {chosen.rank} (usulan: {proposals[0].crew.name})"
    )

    def log_choice(session: Session, _result: dispatch.AssignResult) -> None:
        _choice_event(session, report_id, proposals, chosen, actor, why)

    expected = {report_id: expected_version} if expected_version is not None else None
    return dispatch.assign_now(
        database,
        [report_id],
        chosen.crew.id,
        actor,
        expected,
        only_unassigned=expected is None,
        reason=f"usulan peringkat {chosen.rank}",
        after_assign=log_choice,
    )


def auto_assign(
    database, report_id: int, now: datetime | None = None, actor: str = AUTO_ACTOR
) -> dispatch.AssignResult | None:
    """Assign a Lapor report to its top proposal by itself; None when there is none.

    The proposal, its acceptance and the assignment are one transaction; two consoles
    doing this at once end with one assignment (the other is told it lost)."""
    now = now or utc_now()
    with database.read() as session:
        report = session.get(Report, report_id)
        if report is None or report.stage != Stage.LAPOR.value:
            return None
        version = report.version
        proposals = rank_crews(session, report_id, now)
    if not proposals:
        return None
    top = proposals[0]

    def log_all(session: Session, _result: dispatch.AssignResult) -> None:
        log_shown(session, report_id, proposals, actor, why="auto-dispatch")
        _choice_event(session, report_id, proposals, top, actor, "auto-dispatch: usulan teratas")

    return dispatch.assign_now(
        database,
        [report_id],
        top.crew.id,
        actor,
        {report_id: version},
        only_unassigned=True,
        reason="auto-dispatch, usulan peringkat 1",
        after_assign=log_all,
    )


def auto_assign_enabled(database) -> bool:
    with database.read() as session:
        return bool(settings.get(session, "dispatch.auto_assign"))
