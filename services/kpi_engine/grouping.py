"""Which group each report belongs to: ULP, posko, crew, shift, WIB day, week, month.

Every grouping returns one integer code per report and the ordered list of groups
the codes point into, all vectorised; shift and calendar groups use WIB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Crew, Posko, UlpArea
from comcen_desktop.timeutil import SHIFTS, to_wib
from services.kpi_engine.frame import DAY_S, WIB_OFFSET_S

GROUPINGS = ("ulp", "posko", "crew", "shift", "day", "week", "month")
TIME_GROUPINGS = ("day", "week", "month")
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Group:
    key: str | None
    label: str | None
    ulp_id: int | None = None  # for a ULP group: its N_T and its own target


@dataclass
class Organisation:
    """The small tables a grouping needs, read once per refresh."""

    ulps: dict[int, str] = field(default_factory=dict)  # in set-up order
    ulp_customers: dict[int, int | None] = field(default_factory=dict)
    crews: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # code, name, posko
    posko: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Organisation:
        org = cls()
        for ulp_id, name, customers in session.execute(
            select(UlpArea.id, UlpArea.name, UlpArea.customers).order_by(UlpArea.id)
        ):
            org.ulps[ulp_id] = name
            org.ulp_customers[ulp_id] = customers
        for crew_id, code, name, posko_id in session.execute(
            select(Crew.id, Crew.code, Crew.name, Crew.posko_id).order_by(Crew.id)
        ):
            org.crews[crew_id] = (code, name, posko_id)
        org.posko = dict(session.execute(select(Posko.id, Posko.name).order_by(Posko.id)).all())
        return org

    def total_customers(self) -> int | None:
        """N_T of the whole UP3; unknown if any ULP's count is unknown."""
        counts = list(self.ulp_customers.values())
        if not counts or any(count is None for count in counts):
            return None
        return int(sum(counts))


def wib_days(moments: np.ndarray) -> np.ndarray:
    """WIB calendar day of each time, as whole days since 1970-01-01."""
    return np.floor((moments + WIB_OFFSET_S) / DAY_S).astype(np.int64)


def wib_hours(moments: np.ndarray) -> np.ndarray:
    return (((moments + WIB_OFFSET_S) % DAY_S) // 3600).astype(np.int64)


def wib_years(moments: np.ndarray) -> np.ndarray:
    days = wib_days(moments).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def assign(
    by: str,
    reported: np.ndarray,
    ulp_id: np.ndarray,
    crew_id: np.ndarray,
    org: Organisation,
    start: datetime,
    end: datetime,
) -> tuple[np.ndarray, list[Group]]:
    if by == "ulp":
        return _by_id(ulp_id, {i: (n, n) for i, n in org.ulps.items()}, all_known=True)
    if by == "crew":
        return _by_id(crew_id, {i: (code, name) for i, (code, name, _) in org.crews.items()})
    if by == "posko":
        posko_of = {crew: posko for crew, (_, _, posko) in org.crews.items()}
        posko_id = _lookup(crew_id, posko_of)
        return _by_id(posko_id, {i: (n, n) for i, n in org.posko.items()})
    if by == "shift":
        return _by_shift(reported)
    if by in TIME_GROUPINGS:
        starts = bucket_starts(by, start, end)
        return bucket_codes(by, reported, starts), [_time_group(by, day) for day in starts]
    raise ValueError(f"unknown grouping '{by}'; choose one of {', '.join(GROUPINGS)}")


def _lookup(ids: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    result = np.full(len(ids), np.nan)
    for source, target in mapping.items():
        result[ids == source] = target
    return result


def _by_id(
    ids: np.ndarray, names: dict[int, tuple[str, str]], all_known: bool = False
) -> tuple[np.ndarray, list[Group]]:
    """Groups in id order: every known one when ``all_known`` (the five ULPs are
    always shown), else only those with reports; then None for reports without."""
    present = set(np.unique(ids[~np.isnan(ids)]).astype(np.int64).tolist())
    chosen = [i for i in names if all_known or i in present]
    groups = [Group(names[i][0], names[i][1], i) for i in chosen]
    codes = np.full(len(ids), -1, dtype=np.int64)
    for code, group_id in enumerate(chosen):
        codes[ids == group_id] = code
    if (codes == -1).any():
        codes[codes == -1] = len(groups)
        groups.append(Group(None, None))
    return codes, groups


def _by_shift(reported: np.ndarray) -> tuple[np.ndarray, list[Group]]:
    hours = wib_hours(reported)
    codes = np.full(len(reported), -1, dtype=np.int64)
    for code, (_, first, last) in enumerate(SHIFTS):
        inside = (
            (hours >= first) & (hours < last) if first < last else (hours >= first) | (hours < last)
        )
        codes[inside] = code
    return codes, [Group(name, name) for name, _, _ in SHIFTS]


def bucket_start(by: str, day: date) -> date:
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def bucket_starts(by: str, start: datetime, end: datetime) -> list[date]:
    """First day of every bucket that overlaps the period, empty ones included."""
    first = bucket_start(by, to_wib(start).date())
    last = to_wib(end - timedelta(microseconds=1)).date()
    starts = []
    day = first
    while day <= last:
        starts.append(day)
        day = next_bucket(by, day)
    return starts


def next_bucket(by: str, day: date) -> date:
    if by == "week":
        return day + timedelta(days=7)
    if by == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def bucket_codes(by: str, reported: np.ndarray, starts: list[date]) -> np.ndarray:
    """Index into ``starts`` of each report's bucket, -1 outside them all."""
    if not starts:
        return np.full(len(reported), -1, dtype=np.int64)
    edges = np.array([(day - _EPOCH).days for day in starts], dtype=np.int64)
    end_edge = (next_bucket(by, starts[-1]) - _EPOCH).days
    days = wib_days(reported)
    codes = np.searchsorted(edges, days, side="right") - 1
    codes[(days < edges[0]) | (days >= end_edge)] = -1
    return codes


def _time_group(by: str, day: date) -> Group:
    if by == "week":
        year, week, _ = day.isocalendar()
        return Group(f"{year}-W{week:02d}", f"{year}-W{week:02d} (mulai {day:%d-%m})")
    if by == "month":
        return Group(f"{day:%Y-%m}", f"{day:%m-%Y}")
    return Group(day.isoformat(), f"{day:%d-%m-%Y}")
