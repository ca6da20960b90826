"""Settings stored in the database, so every console of a room shares them.

A setting flagged as an assumption was chosen by us where the unit's published data
is silent; the settings dialog lists those so the unit can confirm or correct them.
"""

from __future__ import annotations

import time
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
    # Folder watched for report files (*.json); empty means "masuk" in the data folder.
    "intake.drop_folder": "",
    # Video wall (comcen --wall): "tiled" shows map, KPIs and late jobs at once;
    # "rotating" shows one of them full screen at a time, this many seconds each.
    "wall.layout": "tiled",
    "wall.rotate_seconds": 20,
    # Padam meluas proposals (assumptions): open fault reports at most this far apart
    # in metres and in minutes are neighbours; this many neighbours make an outage.
    "incident.radius_m": 500.0,
    "incident.window_min": 30.0,
    "incident.min_reports": 3,
    # Customer notices (services/notices.py): templates the unit may edit; the
    # placeholders are listed in services.notices.PLACEHOLDERS.
    "notice.template.padam_diterima": (
        "PLN UP3 Bangka: Yth. {nama}, laporan gangguan Anda nomor {nomor} sudah kami "
        "terima pada {waktu}. Petugas kami segera menindaklanjuti. Terima kasih."
    ),
    "notice.template.regu_berangkat": (
        "PLN UP3 Bangka: Petugas {regu} sedang menuju lokasi laporan {nomor}, "
        "perkiraan tiba {eta}. Mohon pastikan ada yang dapat ditemui di lokasi."
    ),
    "notice.template.nyala": (
        "PLN UP3 Bangka: Listrik di lokasi laporan {nomor} sudah menyala kembali "
        "pada {waktu}. Mohon maaf atas ketidaknyamanannya."
    ),
    "notice.template.konfirmasi_selesai": (
        "PLN UP3 Bangka: Pekerjaan laporan {nomor} sudah selesai. Apakah gangguan "
        "sudah selesai? Balas YA atau TIDAK, lalu beri nilai 1-5 untuk layanan kami."
    ),
    # "log" writes notices.log in the data folder; or "package.module:Class".
    "notice.sender": "log",
    # A failed send is retried after base × 2^(attempt−1) seconds (at most max), and
    # given up (gagal) after max_attempts; the operator can send it again.
    "notice.retry_base_seconds": 30,
    "notice.retry_max_seconds": 1800,
    "notice.max_attempts": 5,
    # Backlog shown amber from this many waiting notices (red: any gave up).
    "notice.backlog_warn": 20,
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


# (database URL, key) -> (value, monotonic time read)
_RECENT: dict[tuple[str, str], tuple[Any, float]] = {}
RECENT_MAX_AGE_S = 5.0


def _database_key(session: Session) -> str:
    # The URL, not the engine's id: a disposed engine's id can come back for another
    # database in the same process.
    return str(session.get_bind().url)


def recent(session: Session, key: str, max_age_s: float = RECENT_MAX_AGE_S) -> Any:
    """``get`` for the hot paths (intake reads the same settings for every report):
    a value read in this process less than ``max_age_s`` ago. A change made on
    another console is seen within that time; one made here at once (``put``)."""
    cache_key = (_database_key(session), key)
    cached = _RECENT.get(cache_key)
    now = time.monotonic()
    if cached is not None and now - cached[1] < max_age_s:
        return cached[0]
    value = get(session, key)
    _RECENT[cache_key] = (value, now)
    return value


def put(
    session: Session,
    key: str,
    value: Any,
    *,
    assumption: bool = False,
    note: str | None = None,
) -> None:
    _RECENT.pop((_database_key(session), key), None)
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
