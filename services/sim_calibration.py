"""The simulator's calibrated figures, and the month that checks them.

Target (DESIGN.md, JPRO vol. 5 no. 2): Bangka 2021, RPT 19.58 min and RCT 33.28 min,
each measured by the product's own KPI engine over a normal simulated month.

What is assumed and why (nothing here was fitted to per-report data; none is public):

- Volume: DESIGN.md gives only "up to about 1,000 reports a day", which we read as a
  bad (storm) day; a normal day is taken as about a sixth of that, 150.
- Daily curve: more in the evening (17–22 WIB), when lights, cookers and air
  conditioners all run and people are home to notice; quiet before dawn.
- Weekday: people are home on Sunday (and Saturday evening) and notice more; Friday
  midday prayer and the working week lower it a little. ±8 %.
- Rainy season: Bangka (Köppen Af) is wet all year but the north-west monsoon,
  November to March, brings most rain and thunderstorms (December–January wettest,
  over 300 mm a month; July–September driest, near 100 mm; BMKG climate normals for
  Pangkalpinang). Trees on lines and lightning follow the rain, so the monthly factor
  runs from 0.82 (August) to 1.25 (December, January) and storms are weighted by it.
- Delays: an operator reads and checks a report before sending a crew (lognormal,
  median 2.8 min); the crew needs a minute or two to set off (uniform 1–2.5 min).
- Travel: the same settings as dispatch proposals (services/proposals.py): straight
  distance × detour factor of the ULP ÷ vehicle speed.
- Work on site until Nyala (lognormal): gangguan individu median 11 min, σ 0.55 —
  a tripped MCB or a burnt service cable is quick, a few jobs are not; padam meluas
  median 35 min, σ 0.6. Closing (photos, notes) after Nyala: 3 + gamma(2, 3) min.
- Where: see services/sim_population.py (kelurahan 3.7 × desa, decaying with the
  distance from the nearest posko over TOWN_DECAY_KM — the one geographic figure that
  was chosen so the month's travel matches the published response time).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo
from comcen_desktop.storage.models import Crew, Posko
from comcen_desktop.timeutil import WIB, shift_of, to_wib

log = logging.getLogger(__name__)

ACTOR = "simulasi"  # who the simulated operator, crews and feed are in the event log

TARGET_RPT_MIN = 19.58
TARGET_RCT_MIN = 33.28
TOLERANCE = 0.10

DEFAULT_REPORTS_PER_DAY = 150.0

# Relative report rate per WIB hour, normalised to a mean of 1 below.
_HOURLY_SHAPE = np.array(
    [
        0.35, 0.30, 0.25, 0.25, 0.30, 0.45, 0.70, 0.90, 1.00, 1.05, 1.05, 1.00,
        1.00, 1.00, 1.05, 1.10, 1.20, 1.45, 1.80, 1.95, 1.85, 1.50, 1.00, 0.60,
    ]
)  # fmt: skip
HOURLY_CURVE = _HOURLY_SHAPE / _HOURLY_SHAPE.mean()

# Monday = 0 … Sunday = 6 (datetime.weekday()).
_WEEKDAY_SHAPE = np.array([1.02, 0.97, 0.96, 0.97, 0.94, 1.04, 1.10])
WEEKDAY_FACTOR = _WEEKDAY_SHAPE / _WEEKDAY_SHAPE.mean()

# January = index 0; the wet monsoon is November–March.
_MONTH_SHAPE = np.array([1.25, 1.15, 1.10, 1.00, 0.95, 0.90, 0.85, 0.82, 0.85, 0.95, 1.10, 1.25])
SEASON_FACTOR = _MONTH_SHAPE / _MONTH_SHAPE.mean()
WET_MONTHS = (11, 12, 1, 2, 3)

PEAK_FACTOR = float(HOURLY_CURVE.max() * WEEKDAY_FACTOR.max() * SEASON_FACTOR.max())

# Storms in a normal month: a base daily chance, times the season factor squared
# (thunderstorms cluster in the wettest months more than rain does).
STORMS_PER_DAY = 0.05

# Minutes: operator's check before dispatch (lognormal median, sigma), setting off.
DISPATCH_DELAY_MEDIAN_MIN = 2.8
DISPATCH_DELAY_SIGMA = 0.5
SET_OFF_MIN = (1.0, 2.5)

# Work on site until Nyala: lognormal (median minutes, sigma) per category.
WORK_MIN = {
    "gangguan_individu": (11.0, 0.55),
    "padam_meluas": (35.0, 0.6),
    "keluhan": (8.0, 0.5),
}
CLOSE_MIN = (3.0, 2.0, 3.0)  # offset + gamma(shape, scale): photos and notes


def rate_factor(moment: datetime) -> float:
    """The report rate at ``moment`` relative to the year's mean rate."""
    local = to_wib(moment)
    return float(
        HOURLY_CURVE[local.hour] * WEEKDAY_FACTOR[local.weekday()] * SEASON_FACTOR[local.month - 1]
    )


def storm_chance_per_day(moment: datetime) -> float:
    return STORMS_PER_DAY * float(SEASON_FACTOR[to_wib(moment).month - 1]) ** 2


def dispatch_delay_min(rng: np.random.Generator) -> float:
    return float(DISPATCH_DELAY_MEDIAN_MIN * rng.lognormal(0.0, DISPATCH_DELAY_SIGMA))


def set_off_min(rng: np.random.Generator) -> float:
    return float(rng.uniform(*SET_OFF_MIN))


def work_min(rng: np.random.Generator, category: str) -> float:
    median, sigma = WORK_MIN.get(category, WORK_MIN["gangguan_individu"])
    return float(median * rng.lognormal(0.0, sigma))


def close_min(rng: np.random.Generator) -> float:
    offset, shape, scale = CLOSE_MIN
    return float(offset + rng.gamma(shape, scale))


# ---------------------------------------------------------------------------- crews
# How a simulated crew moves: the dispatch proposals' speeds and detour factors, and
# its shift (an off-shift crew is sent only when no crew on shift exists).


@dataclass
class CrewPlan:
    id: int
    speed_m_per_min: float
    shift: str | None  # pagi / sore / malam, or None: on call around the clock
    x: float  # where it will be when its last planned job ends (UTM metres)
    y: float
    home_x: float
    home_y: float
    home_lonlat: tuple[float, float]
    free_at: datetime
    status: str = "siaga"  # as stored, refreshed at every step
    home_at: datetime | None = None  # back at the posko from then on, if still idle
    generation: int = 0  # bumps with each job, so a stale "go home" is ignored

    def on_shift(self, at: datetime) -> bool:
        return self.shift is None or self.shift == shift_of(at).lower()

    def position(self, at: datetime) -> tuple[float, float]:
        if self.home_at is not None and at >= self.home_at:
            return self.home_x, self.home_y
        return self.x, self.y

    def travel_min(self, x: float, y: float, at: datetime, detour: float) -> float:
        here_x, here_y = self.position(at)
        return float(np.hypot(x - here_x, y - here_y)) * detour / self.speed_m_per_min


def crew_plans(session: Session, start: datetime, config) -> dict[int, CrewPlan]:
    plans = {}
    rows = session.execute(
        select(Crew.id, Crew.vehicle, Crew.shift, Crew.lon, Crew.lat, Posko.lon, Posko.lat)
        .join(Posko, Crew.posko_id == Posko.id)
        .order_by(Crew.id)
    ).all()
    default_speed = config.speed_kmh.get("mobil", 35.0)
    for crew_id, vehicle, shift, lon, lat, home_lon, home_lat in rows:
        home_x, home_y = (float(v) for v in geo.to_utm(home_lon, home_lat))
        x, y = (float(v) for v in geo.to_utm(lon, lat)) if lon is not None else (home_x, home_y)
        speed = config.speed_kmh.get(vehicle, default_speed) * 1000 / 60
        shift = (shift or "").lower() or None
        home = (home_lon, home_lat)
        plans[crew_id] = CrewPlan(crew_id, speed, shift, x, y, home_x, home_y, home, start)
    return plans


# ---------------------------------------------------------------------------- the check

CALIBRATION_START = datetime(2021, 10, 1, tzinfo=WIB)  # a normal month, rains beginning
CALIBRATION_SEED = 2021


@dataclass(frozen=True)
class CalibrationResult:
    rpt_mean_min: float | None
    rct_mean_min: float | None
    reports: int
    incidents: int
    elapsed_s: float

    def within(self, tolerance: float = TOLERANCE) -> bool:
        return (
            self.rpt_mean_min is not None
            and self.rct_mean_min is not None
            and abs(self.rpt_mean_min / TARGET_RPT_MIN - 1) <= tolerance
            and abs(self.rct_mean_min / TARGET_RCT_MIN - 1) <= tolerance
        )

    def describe(self) -> str:
        def figure(value, target):
            if value is None:
                return "–"
            return f"{value:.1f} mnt (target {target:.1f}, {100 * (value / target - 1):+.1f} %)"

        return (
            f"RPT {figure(self.rpt_mean_min, TARGET_RPT_MIN)}, "
            f"RCT {figure(self.rct_mean_min, TARGET_RCT_MIN)}; "
            f"{self.reports} laporan, {self.incidents} padam meluas; "
            f"{self.elapsed_s:.1f} detik"
        )


def run_month(
    database,
    seed: int = CALIBRATION_SEED,
    start: datetime = CALIBRATION_START,
    days: float = 30,
) -> CalibrationResult:
    """Simulate ``days`` from ``start`` and measure RPT/RCT with the KPI engine."""
    from services.simulation import simulate

    began = time.perf_counter()
    # The summary's RPT/RCT come from the KPI engine over exactly these days.
    summary = simulate(database, days * 24, seed, start=start, pause_s=0)
    return CalibrationResult(
        summary.rpt_mean_min,
        summary.rct_mean_min,
        summary.reports_created,
        summary.incidents,
        time.perf_counter() - began,
    )


def main() -> int:
    """`python -m services.sim_calibration`: run the month on a throw-away copy, print."""
    from services.database import open_database

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kalibrasi.db"
        open_database(f"sqlite:///{path}").dispose()
        copy = Path(folder) / "bulan.db"
        shutil.copy(path, copy)
        database = open_database(f"sqlite:///{copy}")
        try:
            result = run_month(database)
        finally:
            database.dispose()
    print(f"Kalibrasi (30 hari, seed {CALIBRATION_SEED}): {result.describe()}")
    return 0 if result.within() else 1


if __name__ == "__main__":
    raise SystemExit(main())
