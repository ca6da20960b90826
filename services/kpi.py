"""Today's response and recovery KPIs per ULP, for the console's KPI dock.

A thin view over the KPI engine (services.kpi_engine), so the dock, the command
line and the shift recap show the same numbers. A report counts on the WIB
calendar day it was received, however late its crew arrives: a job reported at
23:50 and restored at 00:30 belongs to the first day. A value that cannot be
computed (no report measured yet) is None, never 0, so a quiet ULP is not shown
as a perfect one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.storage.models import UlpArea
from comcen_desktop.timeutil import utc_now, wib_day_bounds
from services.kpi_engine import KpiFigures, achievement_pct, compute

__all__ = ["UlpKpi", "achievement_pct", "overall_today", "today_by_ulp"]


@dataclass(frozen=True)
class UlpKpi:
    ulp_id: int | None  # None for the UP3 as a whole
    ulp: str
    reports: int  # received that day, Batal included
    open_reports: int
    rpt_count: int  # reports whose response time is measured
    rct_count: int
    rpt_mean_min: float | None
    rct_mean_min: float | None
    rpt_target_min: float
    rct_target_min: float
    rpt_achievement_pct: float | None
    rct_achievement_pct: float | None


def today(session: Session, now: datetime | None = None) -> tuple[list[UlpKpi], UlpKpi]:
    """Today's rows per ULP and for the whole UP3 from one engine pass (the console
    asks for both on every refresh)."""
    now = now or utc_now()
    start, end = wib_day_bounds(now)
    report = compute(session, start, end, by="ulp", now=now)
    ids = dict(session.execute(select(UlpArea.name, UlpArea.id)).all())
    rows = [
        _row(ids[group.key], group.key, group, group.rpt_target_min, group.rct_target_min)
        for group in report.groups
        if group.key is not None
    ]
    # The whole UP3 is held to the unit-wide targets in settings; reports placed
    # outside every ULP area still count here: they were received.
    rpt_target = float(settings.get(session, "kpi.rpt_target_min"))
    rct_target = float(settings.get(session, "kpi.rct_target_min"))
    overall = report.overall
    return rows, _row(None, overall.label or "UP3 Bangka", overall, rpt_target, rct_target)


def today_by_ulp(session: Session, now: datetime | None = None) -> list[UlpKpi]:
    """One row per ULP, all five always present, in the order they were set up."""
    return today(session, now)[0]


def overall_today(session: Session, now: datetime | None = None) -> UlpKpi:
    """The same figures for the whole UP3, against the unit-wide targets in settings."""
    return today(session, now)[1]


def _row(ulp_id: int | None, name: str, figures: KpiFigures, rpt_target, rct_target) -> UlpKpi:
    return UlpKpi(
        ulp_id=ulp_id,
        ulp=name,
        reports=figures.reports,
        open_reports=figures.open_reports,
        rpt_count=figures.rpt_count,
        rct_count=figures.rct_count,
        rpt_mean_min=figures.rpt_mean_min,
        rct_mean_min=figures.rct_mean_min,
        rpt_target_min=rpt_target,
        rct_target_min=rct_target,
        rpt_achievement_pct=achievement_pct(rpt_target, figures.rpt_mean_min),
        rct_achievement_pct=achievement_pct(rct_target, figures.rct_mean_min),
    )
