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


def today_by_ulp(session: Session, now: datetime | None = None) -> list[UlpKpi]:
    """One row per ULP, all five always present, in the order they were set up."""
    now = now or utc_now()
    start, end = wib_day_bounds(now)
    ids = dict(session.execute(select(UlpArea.name, UlpArea.id)).all())
    report = compute(session, start, end, by="ulp", now=now)
    return [
        _row(ids[group.key], group.key, group, group.rpt_target_min, group.rct_target_min)
        for group in report.groups
        if group.key is not None
    ]


def overall_today(session: Session, now: datetime | None = None) -> UlpKpi:
    """The same figures for the whole UP3, against the unit-wide targets in settings.

    Reports placed outside every ULP area still count here: they were received.
    """
    now = now or utc_now()
    start, end = wib_day_bounds(now)
    overall = compute(session, start, end, now=now).overall
    rpt_target = float(settings.get(session, "kpi.rpt_target_min"))
    rct_target = float(settings.get(session, "kpi.rct_target_min"))
    return _row(None, overall.label or "UP3 Bangka", overall, rpt_target, rct_target)


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
