"""compute() and daily_trend(): the KPI figures every panel, command and recap reads.

One narrow query brings the period's reports with their stage times (see frame.py);
the figures of the whole period and of every group come from one numpy pass over
it. The period is by report time: a report belongs to [start, end) when it was
received in it, however late its crew arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import KpiTarget
from comcen_desktop.timeutil import WIB, as_utc, to_wib, utc_now, wib_day_bounds
from services.kpi_engine import grouping
from services.kpi_engine.figures import Derived, KpiFigures, derive, negative_pct, summarise
from services.kpi_engine.frame import RatingRows, load_frame, load_ratings
from services.kpi_engine.grouping import GROUPINGS, TIME_GROUPINGS, Group, Organisation

UP3_LABEL = "UP3 Bangka"


@dataclass(frozen=True)
class KpiReport:
    start: datetime
    end: datetime
    by: str | None
    overall: KpiFigures
    groups: list[KpiFigures]

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "by": self.by,
            "overall": self.overall.as_dict(),
            "groups": [group.as_dict() for group in self.groups],
        }


@dataclass(frozen=True)
class DayKpi:
    day: date  # WIB calendar day
    reports: int
    rpt_count: int
    rct_count: int
    rpt_mean_min: float | None
    rct_mean_min: float | None
    rpt_target_min: float | None
    rct_target_min: float | None


@dataclass(frozen=True)
class KpiConfig:
    excluded: frozenset[str]
    repeat_days: float
    negative_max: float
    default_targets: tuple[float, float]
    targets: dict[tuple[int, int], tuple[float, float]]  # (ulp_id, year) → (rpt, rct)

    @classmethod
    def load(cls, session: Session) -> KpiConfig:
        rows = session.execute(
            select(KpiTarget.ulp_id, KpiTarget.year, KpiTarget.rpt_min, KpiTarget.rct_min)
        )
        return cls(
            excluded=frozenset(settings.get(session, "kpi.exclude_categories") or []),
            repeat_days=float(settings.get(session, "kpi.repeat_days")),
            negative_max=float(settings.get(session, "kpi.negative_rating_max")),
            default_targets=(
                float(settings.get(session, "kpi.rpt_target_min")),
                float(settings.get(session, "kpi.rct_target_min")),
            ),
            targets={(ulp, year): (rpt, rct) for ulp, year, rpt, rct in rows},
        )

    def target_of(self, ulp_id: int | None, year: int) -> tuple[float, float]:
        return self.targets.get((ulp_id, year), self.default_targets)

    def target_arrays(self, ulp_id: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, ...]:
        rpt = np.full(len(ulp_id), self.default_targets[0])
        rct = np.full(len(ulp_id), self.default_targets[1])
        for (ulp, year), (rpt_min, rct_min) in self.targets.items():
            mask = (ulp_id == ulp) & (years == year)
            rpt[mask], rct[mask] = rpt_min, rct_min
        return rpt, rct


def compute(
    session: Session,
    start: datetime,
    end: datetime,
    by: str | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """KPI figures of the reports received in [start, end), overall and per group.

    ``by`` is one of ulp, posko, crew, shift, day, week, month (None: overall only);
    ``now`` decides which reports are still open (default: the clock).
    """
    return _compute(session, start, end, by, now, complete=True)


def _compute(session, start, end, by, now, complete: bool) -> KpiReport:
    """``complete=False`` leaves out repeat complaints and the previous period's
    ratings: the 30-day trend shows neither, and they were two thirds of its time."""
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise ValueError("the period ends before it starts")
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"unknown grouping '{by}'; choose one of {', '.join(GROUPINGS)}")
    now = as_utc(now) if now is not None else utc_now()

    config = KpiConfig.load(session)
    org = Organisation.load(session)
    # A past ``now`` (a recap, a test) needs the closing times; the clock's own does not.
    closing = now < utc_now() - timedelta(minutes=1)
    frame = load_frame(session, start, end, config.repeat_days if complete else None, closing)
    targets = config.target_arrays(frame.ulp_id, grouping.wib_years(frame.reported))
    data = derive(frame, set(config.excluded), targets, config.negative_max, now.timestamp())

    previous_start = start - (end - start)
    first_bucket = _previous_bucket_start(by, start)
    earlier = load_ratings(
        session,
        min(previous_start, first_bucket),
        start if complete else min(previous_start, first_bucket),
    )
    in_previous = earlier.reported >= previous_start.timestamp()
    overall = summarise(
        None,
        UP3_LABEL,
        data,
        config.default_targets,
        org.total_customers(),
        negative_pct(earlier.rating[in_previous], config.negative_max),
    )
    groups = [] if by is None else _groups(by, data, earlier, config, org, start, end)
    return KpiReport(start, end, by, overall, groups)


def _groups(
    by: str,
    data: Derived,
    earlier: RatingRows,
    config: KpiConfig,
    org: Organisation,
    start: datetime,
    end: datetime,
) -> list[KpiFigures]:
    frame = data.frame
    codes, groups = grouping.assign(
        by, frame.reported, frame.ulp_id, frame.crew_id, org, start, end
    )
    previous = _previous_shares(by, groups, data, earlier, config, org, start, end)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(groups) + 1), side="left")
    year = to_wib(start).year

    result = []
    for index, group in enumerate(groups):
        part = data.take(order[bounds[index] : bounds[index + 1]])
        fallback = config.target_of(group.ulp_id, year) if by == "ulp" else config.default_targets
        result.append(
            summarise(
                group.key, group.label, part, fallback, _served(by, group, org), previous[index]
            )
        )
    return result


def _served(by: str, group: Group, org: Organisation) -> int | None:
    """N_T of a group: its own customers for a ULP; for a shift, a day or a crew the
    customers at risk are the whole UP3's, so such groups add up to the overall."""
    if by == "ulp":
        return org.ulp_customers.get(group.ulp_id) if group.ulp_id is not None else None
    return org.total_customers()


def _previous_bucket_start(by: str | None, start: datetime) -> datetime:
    if by not in TIME_GROUPINGS:
        return start
    first = grouping.bucket_start(by, to_wib(start).date())
    previous = grouping.bucket_start(by, first - timedelta(days=1))
    return datetime.combine(previous, time(), WIB)


def _previous_shares(
    by: str,
    groups: list[Group],
    data: Derived,
    earlier: RatingRows,
    config: KpiConfig,
    org: Organisation,
    start: datetime,
    end: datetime,
) -> list[float | None]:
    """Share of negative ratings in each group's previous period: the same ULP, crew
    or shift in the period of equal length before; for a day, week or month the one
    before it."""
    limit = config.negative_max
    if by in TIME_GROUPINGS:
        starts = grouping.bucket_starts(by, start, end)
        first = grouping.bucket_start(by, starts[0] - timedelta(days=1))
        moments = np.concatenate([earlier.reported, data.frame.reported])
        own = np.where(data.frame.stage == Stage.BATAL.value, np.nan, data.frame.rating)
        ratings = np.concatenate([earlier.rating, own])
        codes = grouping.bucket_codes(by, moments, [first, *starts])
        return [negative_pct(ratings[codes == index], limit) for index in range(len(groups))]

    in_previous = earlier.reported >= (start - (end - start)).timestamp()
    codes, previous_groups = grouping.assign(
        by,
        earlier.reported[in_previous],
        earlier.ulp_id[in_previous],
        earlier.crew_id[in_previous],
        org,
        start,
        end,
    )
    ratings = earlier.rating[in_previous]
    share = {
        group.key: negative_pct(ratings[codes == index], limit)
        for index, group in enumerate(previous_groups)
    }
    return [share.get(group.key) for group in groups]


def daily_trend(session: Session, days: int, now: datetime | None = None) -> list[DayKpi]:
    """Mean RPT and RCT of each of the last ``days`` WIB days, today last."""
    if days < 1:
        raise ValueError("days must be 1 or more")
    now = as_utc(now) if now is not None else utc_now()
    today_start, today_end = wib_day_bounds(now)
    start = today_start - timedelta(days=days - 1)
    report = _compute(session, start, today_end, "day", now, complete=False)
    return [
        DayKpi(
            day=date.fromisoformat(group.key),
            reports=group.reports,
            rpt_count=group.rpt_count,
            rct_count=group.rct_count,
            rpt_mean_min=group.rpt_mean_min,
            rct_mean_min=group.rct_mean_min,
            rpt_target_min=group.rpt_target_min,
            rct_target_min=group.rct_target_min,
        )
        for group in report.groups
    ]
