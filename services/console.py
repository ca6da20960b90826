"""One consistent read of everything a console shows, taken off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from comcen_desktop import settings
from comcen_desktop.timeutil import utc_now
from services import events, incidents, kpi, queries
from services.kpi_engine import daily_trend


@dataclass(frozen=True)
class StaticMap:
    areas: list[queries.AreaShape]
    villages: list[queries.VillagePoint]
    posko: list[queries.PoskoView]


@dataclass(frozen=True)
class ConsoleState:
    seq: int
    loaded_at: datetime
    reports: list[queries.ReportView]
    crews: list[queries.CrewView]
    kpis: list = field(default_factory=list)
    overall: object | None = None
    recent_closed: list[queries.ReportView] = field(default_factory=list)
    rpt_target_min: float = 0.0
    trend: list | None = None  # None: not reloaded this time, keep what is shown
    # Padam meluas: proposals waiting for the operator, and confirmed active incidents.
    incident_proposals: list = field(default_factory=list)
    incidents: list = field(default_factory=list)

    @property
    def map_reports(self) -> list[queries.ReportView]:
        """What the map pins: every open report, and the recently closed ones muted."""
        return self.recent_closed + self.reports


def load_static(database) -> StaticMap:
    with database.read() as session:
        return StaticMap(
            queries.load_areas(session),
            queries.load_villages(session),
            queries.load_posko(session),
        )


def last_seq(database) -> int:
    with database.read() as session:
        return events.last_seq(session)


TREND_DAYS = 30


def load_state(database, now: datetime | None = None, with_trend: bool = False) -> ConsoleState:
    now = now or utc_now()
    # One read transaction, so the pins, the board and the KPIs agree with each other.
    with database.read() as session, session.begin():
        kpis, overall = kpi.today(session, now)
        return ConsoleState(
            seq=events.last_seq(session),
            loaded_at=now,
            reports=queries.load_open_reports(session, now),
            crews=queries.load_crews(session),
            kpis=kpis,
            overall=overall,
            recent_closed=queries.load_recent_closed(session, now),
            rpt_target_min=float(settings.get(session, "kpi.rpt_target_min")),
            # The 30-day trend moves slowly and costs ~0.2 s on a year of reports:
            # the follower asks for it every few minutes, not on every event.
            trend=daily_trend(session, TREND_DAYS, now) if with_trend else None,
            incident_proposals=incidents.propose(session, now),
            incidents=incidents.load_active(session),
        )
