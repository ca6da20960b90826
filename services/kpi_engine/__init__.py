"""The KPI engine: response, recovery, repeats, ratings and reliability (Qt-free).

report = compute(session, start, end, by="ulp")   # KpiReport
report.overall.rpt_mean_min, [g.key for g in report.groups]
daily_trend(session, days=30, now=now)            # list[DayKpi], today last
"""

from services.kpi_engine.engine import DayKpi, KpiConfig, KpiReport, compute, daily_trend
from services.kpi_engine.figures import SUSTAINED_MIN, KpiFigures, achievement_pct
from services.kpi_engine.grouping import GROUPINGS

__all__ = [
    "GROUPINGS",
    "SUSTAINED_MIN",
    "DayKpi",
    "KpiConfig",
    "KpiFigures",
    "KpiReport",
    "achievement_pct",
    "compute",
    "daily_trend",
]
