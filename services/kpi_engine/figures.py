"""The KPI figures of one group of reports, from column arrays in one numpy pass.

A value that cannot be computed (nothing measured, no customer count) is None,
never 0: a quiet ULP must not look like a perfect one.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from comcen_desktop.domain import CLOSED_STAGES, Category, Stage
from services.kpi_engine.frame import Frame
from services.kpi_engine.incident_rows import incident_rows

# IEEE 1366: an interruption longer than this is sustained.
SUSTAINED_MIN = 5.0
_CLOSED = [stage.value for stage in CLOSED_STAGES]


def achievement_pct(target: float | None, actual: float | None) -> float | None:
    """PLN's rule for a lower-is-better KPI: (2 × target − actual) / target × 100."""
    if target is None or actual is None or target <= 0:
        return None
    return (2 * target - actual) / target * 100


@dataclass(frozen=True)
class KpiFigures:
    key: str | None  # None: outside every ULP, no crew, ...; the group's name otherwise
    label: str | None  # for people: the crew's name where the key is its code
    reports: int  # received in the period, Batal included
    open_reports: int  # not Selesai or Batal at ``now``
    cancelled: int
    by_category: dict[str, int]
    by_stage: dict[str, int]  # current stage
    rpt_count: int
    rpt_mean_min: float | None
    rpt_median_min: float | None
    rpt_p90_min: float | None
    rpt_target_min: float | None
    rpt_achievement_pct: float | None
    rct_count: int
    rct_mean_min: float | None
    rct_median_min: float | None
    rct_p90_min: float | None
    rct_target_min: float | None
    rct_achievement_pct: float | None
    fault_reports: int  # not keluhan, not Batal: what a repeat is counted against
    repeat_complaints: int
    repeat_rate_pct: float | None
    rated_reports: int
    negative_ratings: int
    negative_rating_pct: float | None
    negative_rating_prev_pct: float | None  # the previous period of equal length
    negative_rating_change_pp: float | None  # percentage points; below 0 is better
    incidents: int  # sustained padam meluas with a customer count
    customers_interrupted: int  # ΣNᵢ
    customer_minutes: float  # Σrᵢ·Nᵢ
    customers_served: int | None  # N_T
    saidi_min: float | None
    saifi: float | None
    caidi_min: float | None

    def as_dict(self) -> dict:
        return {name: _finite(value) for name, value in asdict(self).items()}


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class Derived:
    """Per-report values the figures are built from, aligned with a Frame."""

    frame: Frame
    rpt_min: np.ndarray  # nan where not measured
    rct_min: np.ndarray
    rpt_target: np.ndarray
    rct_target: np.ndarray
    fault: np.ndarray  # bool
    repeat: np.ndarray  # bool
    negative: np.ndarray  # bool, among rated
    open_now: np.ndarray  # bool
    incident_minutes: np.ndarray  # nan where not a sustained incident
    incident_customers: np.ndarray  # Nᵢ where incident_minutes is set

    def take(self, index) -> Derived:
        values = {
            name: getattr(self, name)[index]
            for name in self.__dataclass_fields__
            if name != "frame"
        }
        values["frame"] = self.frame.take(index)
        return Derived(**values)


def derive(
    frame: Frame,
    excluded: set[str],
    targets: tuple[np.ndarray, np.ndarray],
    negative_max: float,
    now_s: float,
) -> Derived:
    cancelled = frame.stage == Stage.BATAL.value
    measured = ~cancelled & ~np.isin(frame.category, list(excluded))
    # A confirmed padam meluas is measured once, on its carrier row (incident_rows.py);
    # a report flagged padam meluas by its caller alone still counts by itself.
    rows = incident_rows(frame, cancelled)
    start = np.where(rows.member, frame.incident_first, frame.reported)
    working = np.where(rows.member, rows.working, frame.working)
    restored = np.where(rows.member, rows.restored, frame.restored)
    customers = np.where(rows.member, rows.customers, frame.customers)
    with np.errstate(invalid="ignore"):
        duration = (restored - start) / 60
        alone = (frame.category == Category.MELUAS.value) & ~rows.member
        incident = (
            (alone | rows.carrier) & ~cancelled & (customers > 0) & (duration > SUSTAINED_MIN)
        )
        negative = frame.rating <= negative_max
    closed = np.isin(frame.stage, _CLOSED) & ~(frame.closed > now_s)
    return Derived(
        frame=frame,
        rpt_min=_minutes(working, start, measured),
        rct_min=_minutes(restored, start, measured),
        rpt_target=targets[0],
        rct_target=targets[1],
        fault=~cancelled & (frame.category != Category.KELUHAN.value),
        repeat=frame.repeat,
        negative=negative,
        open_now=~closed,
        incident_minutes=np.where(incident, duration, np.nan),
        incident_customers=np.where(incident, customers, np.nan),
    )


def _minutes(stopped: np.ndarray, reported: np.ndarray, measured: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        minutes = (stopped - reported) / 60
        # A stage before the report is a typing error awaiting correction (see
        # lifecycle.correct_stage_time); counting it would flatter the group.
        keep = measured & (minutes >= 0)
    return np.where(keep, minutes, np.nan)


def summarise(
    key: str | None,
    label: str | None,
    data: Derived,
    fallback_targets: tuple[float, float],
    customers_served: int | None,
    prev_negative_pct: float | None,
) -> KpiFigures:
    frame = data.frame
    rpt = _stats(data.rpt_min, data.rpt_target, fallback_targets[0])
    rct = _stats(data.rct_min, data.rct_target, fallback_targets[1])
    fault = int(data.fault.sum())
    repeats = int((data.repeat & data.fault).sum())
    rated_mask = ~np.isnan(frame.rating) & (frame.stage != Stage.BATAL.value)
    rated = int(rated_mask.sum())
    negative = int((data.negative & rated_mask).sum())
    negative_pct = _pct(negative, rated)
    sustained = ~np.isnan(data.incident_minutes)
    served = data.incident_customers[sustained]
    customers = float(served.sum())
    customer_minutes = float((data.incident_minutes[sustained] * served).sum())
    saidi, saifi, caidi = _reliability(customer_minutes, customers, customers_served)
    return KpiFigures(
        key=key,
        label=label,
        reports=len(frame),
        open_reports=int(data.open_now.sum()),
        cancelled=int((frame.stage == Stage.BATAL.value).sum()),
        by_category=_counts(frame.category),
        by_stage=_counts(frame.stage),
        rpt_count=rpt[0],
        rpt_mean_min=rpt[1],
        rpt_median_min=rpt[2],
        rpt_p90_min=rpt[3],
        rpt_target_min=rpt[4],
        rpt_achievement_pct=achievement_pct(rpt[4], rpt[1]),
        rct_count=rct[0],
        rct_mean_min=rct[1],
        rct_median_min=rct[2],
        rct_p90_min=rct[3],
        rct_target_min=rct[4],
        rct_achievement_pct=achievement_pct(rct[4], rct[1]),
        fault_reports=fault,
        repeat_complaints=repeats,
        repeat_rate_pct=_pct(repeats, fault),
        rated_reports=rated,
        negative_ratings=negative,
        negative_rating_pct=negative_pct,
        negative_rating_prev_pct=prev_negative_pct,
        negative_rating_change_pp=(
            None
            if negative_pct is None or prev_negative_pct is None
            else negative_pct - prev_negative_pct
        ),
        incidents=int(sustained.sum()),
        customers_interrupted=int(customers),
        customer_minutes=customer_minutes,
        customers_served=customers_served,
        saidi_min=saidi,
        saifi=saifi,
        caidi_min=caidi,
    )


def _stats(minutes: np.ndarray, targets: np.ndarray, fallback: float) -> tuple:
    """(count, mean, median, p90, target) of the measured values.

    The target of a group is the mean of its measured reports' own targets (their
    ULP's for the year they were received): for one ULP in one year that is simply
    its target, and a group spanning ULPs is held to the target its reports would
    have faced, weighted by how many reports each ULP brought.
    """
    measured = ~np.isnan(minutes)
    values = minutes[measured]
    if values.size == 0:
        return 0, None, None, None, fallback
    median, p90 = np.percentile(values, [50, 90])
    return (
        int(values.size),
        float(values.mean()),
        float(median),
        float(p90),
        float(targets[measured].mean()),
    )


def _reliability(
    customer_minutes: float, customers: float, served: int | None
) -> tuple[float | None, float | None, float | None]:
    # CAIDI (minutes per interrupted customer) needs no N_T: it is known as soon as
    # the incidents carry customer counts, even while the ULPs' totals are unset.
    caidi = customer_minutes / customers if customers > 0 else None
    if not served:
        return None, None, caidi
    return customer_minutes / served, customers / served, caidi


def _counts(values: np.ndarray) -> dict[str, int]:
    if values.size == 0:
        return {}
    names, counts = np.unique(values.astype(str), return_counts=True)
    return {str(name): int(count) for name, count in zip(names, counts, strict=True)}


def _pct(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None


def negative_pct(ratings: np.ndarray, negative_max: float) -> float | None:
    rated = ratings[~np.isnan(ratings)]
    if rated.size == 0:
        return None
    return float((rated <= negative_max).sum()) / rated.size * 100
