"""One narrow query per KPI refresh: a row per report with its stage times as numbers.

Times come back as seconds since 1970 (UTC) computed by the database itself, so no
Python datetime is built per row: turning 365,000 rows of datetimes into numpy arrays
cost more than all the statistics together when it was tried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Float, and_, case, func, literal, null, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from comcen_desktop.domain import Category, Stage
from comcen_desktop.storage.models import Incident, Report, ReportStage

WIB_OFFSET_S = 7 * 3600
DAY_S = 86400


class epoch_s(FunctionElement):  # noqa: N801 - a SQL function, named like one
    """Seconds since 1970-01-01 UTC of a stored UTC time, as a float."""

    type = Float()
    name = "epoch_s"
    inherit_cache = True


@compiles(epoch_s, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; julianday keeps about 50 µs
    # (rounded to the millisecond in numpy, so SQLite and PostgreSQL agree exactly).
    arg = compiler.process(element.clauses, **kw)
    return f"((julianday({arg}) - 2440587.5) * 86400.0)"


@compiles(epoch_s, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {arg}) AS DOUBLE PRECISION)"


@dataclass
class Frame:
    """Column arrays, one entry per report received in the period."""

    id: np.ndarray  # int64
    reported: np.ndarray  # float seconds
    ulp_id: np.ndarray  # float, nan = outside every ULP
    crew_id: np.ndarray  # float, nan = no crew
    category: np.ndarray  # object (str)
    stage: np.ndarray  # object (str), the current stage
    customers: np.ndarray  # float, nan = unknown
    rating: np.ndarray  # float, nan = not rated
    working: np.ndarray  # float seconds of Dalam Pengerjaan, nan = none
    restored: np.ndarray  # float seconds of Nyala, nan = none
    closed: np.ndarray  # float seconds of Selesai or Batal, nan = open or not looked up
    repeat: np.ndarray  # bool: a repeat complaint
    incident_id: np.ndarray  # float, nan = in no padam meluas incident
    incident_first: np.ndarray  # float seconds of the incident's first member report
    incident_customers: np.ndarray  # float, the incident's customers; nan = unknown

    def __len__(self) -> int:
        return len(self.id)

    def take(self, index: np.ndarray) -> Frame:
        return Frame(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})


def _stage_time(stage: Stage):
    # The unique (report_id, stage) index turns each of these into one lookup.
    return (
        select(epoch_s(ReportStage.at))
        .where(ReportStage.report_id == Report.id, ReportStage.stage == stage.value)
        .scalar_subquery()
    )


def _is_repeat(days: float):
    """1 for a fault report whose IDPEL had another fault report in the ``days``
    before it, even before the period; the IDPEL index keeps it one lookup a row."""
    earlier = aliased(Report)
    fault = [Report.category != Category.KELUHAN.value, Report.stage != Stage.BATAL.value]
    exists = (
        select(earlier.id)
        .where(
            earlier.idpel == Report.idpel,
            earlier.id != Report.id,
            earlier.category != Category.KELUHAN.value,
            earlier.stage != Stage.BATAL.value,
            or_(
                earlier.reported_at < Report.reported_at,
                and_(earlier.reported_at == Report.reported_at, earlier.id < Report.id),
            ),
            epoch_s(earlier.reported_at) >= epoch_s(Report.reported_at) - days * DAY_S,
        )
        .exists()
    )
    return case((and_(Report.idpel.is_not(None), *fault, exists), 1), else_=0)


def _incident_columns():
    """The incident's first report time (over all its members, also those before the
    period, so an incident counts in the period it started in) and its customers.
    The CASE keeps both lookups off the many reports in no incident."""
    member = aliased(Report)
    first = (
        select(func.min(epoch_s(member.reported_at)))
        .where(member.incident_id == Report.incident_id)
        .scalar_subquery()
    )
    customers = (
        select(Incident.customers).where(Incident.id == Report.incident_id).scalar_subquery()
    )
    in_incident = Report.incident_id.is_not(None)
    return case((in_incident, first), else_=null()), case((in_incident, customers), else_=null())


def load_frame(
    session: Session,
    start: datetime,
    end: datetime,
    repeat_days: float | None,
    closing: bool = True,
) -> Frame:
    """The period's reports. ``closing=False`` skips the closing-time lookups when
    the current stage is enough to tell open from closed (the clock's own now);
    ``repeat_days=None`` skips the repeat-complaint lookups (the trend needs none)."""
    closed = (
        func.coalesce(_stage_time(Stage.SELESAI), _stage_time(Stage.BATAL)) if closing else null()
    )
    query = (
        select(
            Report.id,
            epoch_s(Report.reported_at),
            Report.ulp_id,
            Report.crew_id,
            Report.category,
            Report.stage,
            Report.customers,
            Report.rating,
            _stage_time(Stage.PENGERJAAN),
            _stage_time(Stage.NYALA),
            closed,
            _is_repeat(repeat_days) if repeat_days is not None else literal(0),
            Report.incident_id,
            *_incident_columns(),
        )
        .where(Report.reported_at >= start, Report.reported_at < end)
        .order_by(Report.reported_at, Report.id)
    )
    # Core, not ORM, execution: the ORM's row loading cost a quarter of the time.
    rows = session.connection().execute(query).all()
    return _to_frame(rows)


def _to_frame(rows) -> Frame:
    columns = list(zip(*rows, strict=True)) if rows else [()] * 15

    def floats(values, digits: int | None = None) -> np.ndarray:
        if not values:
            return np.empty(0)
        array = np.array(values, dtype=float)
        return np.round(array, digits) if digits is not None else array

    def texts(values) -> np.ndarray:
        return np.array(values, dtype=object) if values else np.empty(0, dtype=object)

    return Frame(
        id=np.array(columns[0], dtype=np.int64),
        reported=floats(columns[1], 3),
        ulp_id=floats(columns[2]),
        crew_id=floats(columns[3]),
        category=texts(columns[4]),
        stage=texts(columns[5]),
        customers=floats(columns[6]),
        rating=floats(columns[7]),
        working=floats(columns[8], 3),
        restored=floats(columns[9], 3),
        closed=floats(columns[10], 3),
        repeat=np.array(columns[11], dtype=bool),
        incident_id=floats(columns[12]),
        incident_first=floats(columns[13], 3),
        incident_customers=floats(columns[14]),
    )


@dataclass
class RatingRows:
    """Rated reports of the previous period, for the change in negative ratings."""

    reported: np.ndarray
    ulp_id: np.ndarray
    crew_id: np.ndarray
    rating: np.ndarray


def load_ratings(session: Session, start: datetime, end: datetime) -> RatingRows:
    query = select(epoch_s(Report.reported_at), Report.ulp_id, Report.crew_id, Report.rating).where(
        Report.reported_at >= start,
        Report.reported_at < end,
        Report.rating.is_not(None),
        Report.stage != Stage.BATAL.value,
    )
    rows = session.connection().execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 4
    return RatingRows(*(np.array(column, dtype=float) for column in columns))
