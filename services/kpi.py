"""Today's response and recovery KPIs per ULP, for the console's KPI dock.

A report counts on the WIB calendar day it was received, however late its crew
arrives: a job reported at 23:50 and restored at 00:30 belongs to the first day.
A value that cannot be computed (no report measured yet) is None, never 0, so a
quiet ULP is not shown as a perfect one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.domain import CLOSED_STAGES, Stage
from comcen_desktop.storage.models import KpiTarget, Report, ReportStage, UlpArea
from comcen_desktop.timeutil import to_wib, utc_now, wib_day_bounds

log = logging.getLogger(__name__)

# Keluhan is a complaint, not a fault: no power was off, so no clock to stop.
DEFAULT_EXCLUDED_CATEGORIES = ["keluhan"]


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


@dataclass(frozen=True)
class _Row:
    ulp_id: int | None
    stage: str
    category: str
    reported_at: datetime
    responded_at: datetime | None
    restored_at: datetime | None


def achievement_pct(target: float | None, actual: float | None) -> float | None:
    """PLN's rule for a lower-is-better KPI: (2 × target − actual) / target × 100."""
    if target is None or actual is None or target <= 0:
        return None
    return (2 * target - actual) / target * 100


def today_by_ulp(session: Session, now: datetime | None = None) -> list[UlpKpi]:
    """One row per ULP, all five always present, in the order they were set up."""
    now = now or utc_now()
    rows = _rows_of_day(session, now)
    excluded = _excluded_categories(session)
    targets = _targets(session, to_wib(now).year)
    fallback = _default_targets(session)

    result = []
    for ulp_id, name in session.execute(select(UlpArea.id, UlpArea.name).order_by(UlpArea.id)):
        own = [row for row in rows if row.ulp_id == ulp_id]
        rpt_target, rct_target = targets.get(ulp_id, fallback)
        result.append(_kpi(ulp_id, name, own, excluded, rpt_target, rct_target))
    return result


def overall_today(session: Session, now: datetime | None = None) -> UlpKpi:
    """The same figures for the whole UP3, against the unit-wide targets in settings.

    Reports placed outside every ULP area still count here: they were received.
    """
    now = now or utc_now()
    rows = _rows_of_day(session, now)
    rpt_target, rct_target = _default_targets(session)
    return _kpi(None, "UP3 Bangka", rows, _excluded_categories(session), rpt_target, rct_target)


def _kpi(
    ulp_id: int | None,
    name: str,
    rows: list[_Row],
    excluded: set[str],
    rpt_target: float,
    rct_target: float,
) -> UlpKpi:
    measured = [row for row in rows if _counts_for_kpi(row, excluded)]
    rpt = _minutes(measured, "responded_at")
    rct = _minutes(measured, "restored_at")
    rpt_mean = _mean(rpt)
    rct_mean = _mean(rct)
    return UlpKpi(
        ulp_id=ulp_id,
        ulp=name,
        reports=len(rows),
        open_reports=sum(1 for row in rows if Stage(row.stage) not in CLOSED_STAGES),
        rpt_count=len(rpt),
        rct_count=len(rct),
        rpt_mean_min=rpt_mean,
        rct_mean_min=rct_mean,
        rpt_target_min=rpt_target,
        rct_target_min=rct_target,
        rpt_achievement_pct=achievement_pct(rpt_target, rpt_mean),
        rct_achievement_pct=achievement_pct(rct_target, rct_mean),
    )


def _counts_for_kpi(row: _Row, excluded: set[str]) -> bool:
    return row.stage != Stage.BATAL.value and row.category not in excluded


def _minutes(rows: list[_Row], attribute: str) -> list[float]:
    values = []
    for row in rows:
        stopped = getattr(row, attribute)
        if stopped is None:
            continue
        minutes = (stopped - row.reported_at).total_seconds() / 60
        if minutes < 0:
            # A stage before the report is a typing error awaiting correction;
            # averaging it in would flatter the ULP.
            log.warning("Stage time before report time (%s); left out of the KPI", row)
            continue
        values.append(minutes)
    return values


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _rows_of_day(session: Session, now: datetime) -> list[_Row]:
    start, end = wib_day_bounds(now)
    reports = session.execute(
        select(Report.id, Report.ulp_id, Report.stage, Report.category, Report.reported_at)
        .where(Report.reported_at >= start, Report.reported_at < end)
        .order_by(Report.id)
    ).all()
    times = _stage_times(session, start, end)
    return [
        _Row(
            r.ulp_id,
            r.stage,
            r.category,
            r.reported_at,
            times.get((r.id, Stage.PENGERJAAN.value)),
            times.get((r.id, Stage.NYALA.value)),
        )
        for r in reports
    ]


def _stage_times(session: Session, start: datetime, end: datetime) -> dict:
    # Joined on the report's day, not the stage's: the clock belongs to the day
    # the customer called.
    rows = session.execute(
        select(ReportStage.report_id, ReportStage.stage, ReportStage.at)
        .join(Report, Report.id == ReportStage.report_id)
        .where(
            Report.reported_at >= start,
            Report.reported_at < end,
            ReportStage.stage.in_([Stage.PENGERJAAN.value, Stage.NYALA.value]),
        )
    )
    return {(report_id, stage): at for report_id, stage, at in rows}


def _excluded_categories(session: Session) -> set[str]:
    value = settings.get(session, "kpi.exclude_categories", DEFAULT_EXCLUDED_CATEGORIES)
    return set(value or [])


def _default_targets(session: Session) -> tuple[float, float]:
    return (
        float(settings.get(session, "kpi.rpt_target_min")),
        float(settings.get(session, "kpi.rct_target_min")),
    )


def _targets(session: Session, year: int) -> dict[int, tuple[float, float]]:
    rows = session.execute(
        select(KpiTarget.ulp_id, KpiTarget.rpt_min, KpiTarget.rct_min).where(KpiTarget.year == year)
    )
    return {ulp_id: (rpt, rct) for ulp_id, rpt, rct in rows}
