"""Settings stored in the database, so every console of a room shares them.

A setting flagged as an assumption was chosen by us where the unit's published data
is silent; the settings dialog lists those so the unit can confirm or correct them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Setting

# Targets derived from the paper: 19.58 min RPT and 33.28 min RCT were 131 % of
# target under (2T - A) / T, so T = A / 0.69.
DEFAULT_RPT_TARGET_MIN = 28.38
DEFAULT_RCT_TARGET_MIN = 48.23

DEFAULTS: dict[str, Any] = {
    "kpi.rpt_target_min": DEFAULT_RPT_TARGET_MIN,
    "kpi.rct_target_min": DEFAULT_RCT_TARGET_MIN,
    "sync.poll_ms": 1000,
    # Keluhan is not a fault: it has no response or recovery to measure.
    "kpi.exclude_categories": ["keluhan"],
    # A fault report from an IDPEL with another fault report this many days before.
    "kpi.repeat_days": 30,
    # A customer rating at or below this (of 1–5) is negative.
    "kpi.negative_rating_max": 2,
    # Closed reports stay on the map, muted, this long after closing.
    "map.closed_hours": 6,
    # Live simulation in the console: reports per day at the wall clock's pace.
    "sim.live_reports_per_day": 480,
    "ui.language": "id",
    # Dispatch proposals (assumptions until the unit measures its own figures). Roads
    # wind: straight-line distance times the detour factor of the report's ULP; a ULP
    # without its own "dispatch.detour.<ULP name>" setting uses the default.
    "dispatch.detour_default": 1.4,
    "dispatch.speed_kmh.mobil": 35.0,
    "dispatch.speed_kmh.motor": 40.0,
    # Minutes of work a queued job still holds its crew for, by the job's stage.
    "dispatch.remaining_min": {
        "penugasan": 35.0,
        "perjalanan": 25.0,
        "pengerjaan": 12.0,
        "nyala_sementara": 12.0,
        "nyala": 0.0,
    },
    # When on, a console assigns the top proposal of each new Lapor report by itself.
    "dispatch.auto_assign": False,
    # A crew without a position update for this long is shown as "tidak ada kabar".
    "crew.stale_minutes": 60,
    # Local JSON API (crew position feed; report intake later). Loopback by default.
    "api.bind": "127.0.0.1",
    "api.port": 8765,
    # Video wall (comcen --wall): "tiled" shows map, KPIs and late jobs at once;
    # "rotating" shows one of them full screen at a time, this many seconds each.
    "wall.layout": "tiled",
    "wall.rotate_seconds": 20,
}


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: Any
    assumption: bool
    note: str | None


def get(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    if row is not None:
        return row.value
    return DEFAULTS.get(key, default)


def put(
    session: Session,
    key: str,
    value: Any,
    *,
    assumption: bool = False,
    note: str | None = None,
) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, assumption=assumption, note=note))
        return
    row.value = value
    row.assumption = assumption
    if note is not None:
        row.note = note


def all_rows(session: Session) -> list[SettingRow]:
    rows = session.scalars(select(Setting).order_by(Setting.key))
    return [SettingRow(r.key, r.value, r.assumption, r.note) for r in rows]


def assumptions(session: Session) -> list[SettingRow]:
    return [row for row in all_rows(session) if row.assumption]
