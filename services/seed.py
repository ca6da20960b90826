"""First-start loading of the bundled Bangka data and the unit's organisation.

Runs once per database, in one transaction: either everything is loaded or
nothing is, so a failed first start leaves no half-seeded database behind.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.domain import CrewStatus, Vehicle
from comcen_desktop.storage.models import (
    Crew,
    District,
    KpiTarget,
    Posko,
    UlpArea,
    Village,
)
from comcen_desktop.timeutil import WIB, utc_now
from services import events

log = logging.getLogger(__name__)

# Chosen where organization.json has a null; each is stored as an assumption.
ASSUMED_CARS_PER_POSKO = 1
ASSUMED_MOTORBIKES = 0
CAR_CREW_MEMBERS = 3
MOTOR_CREW_MEMBERS = 2
P2D_CARS = 1
FIELD_WORDS = {"cars": "mobil", "motorbikes": "motor"}


class SeedError(ValueError):
    """The bundled data cannot be read; the message names the file and field."""


@dataclass
class SeedSummary:
    areas: int
    districts: int
    villages: int
    posko: int
    crews: int


def is_seeded(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(UlpArea)) or 0) > 0


def seed_if_empty(session: Session, data_dir: Path) -> SeedSummary | None:
    if is_seeded(session):
        return None
    summary = seed(session, data_dir)
    log.info(
        "Seeded %d ULP areas, %d districts, %d villages, %d posko, %d crews from %s",
        summary.areas,
        summary.districts,
        summary.villages,
        summary.posko,
        summary.crews,
        data_dir,
    )
    return summary


def seed(session: Session, data_dir: Path) -> SeedSummary:
    areas = _load_areas(session, data_dir / "ulp_areas.geojson")
    districts = _load_districts(session, data_dir / "districts.geojson", areas)
    villages = _load_villages(session, data_dir, areas, districts)
    posko, crews = _load_organisation(session, data_dir / "organization.json", areas)
    _seed_targets(session, areas)
    events.record(
        session,
        "seed",
        "system",
        None,
        actor="system",
        after={"areas": len(areas), "villages": villages, "crews": crews},
    )
    return SeedSummary(len(areas), len(districts), villages, posko, crews)


def _read_features(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as handle:
            features = json.load(handle)["features"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SeedError(f"{path}: cannot read GeoJSON features ({exc})") from exc
    return features


def _prop(path: Path, index: int, feature: dict, name: str):
    value = feature.get("properties", {}).get(name)
    if value in (None, ""):
        raise SeedError(f"{path}: feature {index} has no '{name}'")
    return value


def _load_areas(session: Session, path: Path) -> dict[str, UlpArea]:
    areas = {}
    for index, feature in enumerate(_read_features(path)):
        area = UlpArea(
            name=_prop(path, index, feature, "ulp"),
            code=_prop(path, index, feature, "code"),
            regency=_prop(path, index, feature, "regency"),
            geojson=json.dumps(feature["geometry"]),
        )
        session.add(area)
        areas[area.name] = area
    session.flush()
    return areas


def _load_districts(session: Session, path: Path, areas: dict[str, UlpArea]) -> dict[str, District]:
    districts = {}
    for index, feature in enumerate(_read_features(path)):
        ulp = _prop(path, index, feature, "ulp")
        if ulp not in areas:
            raise SeedError(f"{path}: feature {index} names unknown ULP '{ulp}'")
        district = District(
            code=_prop(path, index, feature, "code"),
            name=_prop(path, index, feature, "name"),
            ulp_id=areas[ulp].id,
            geojson=json.dumps(feature["geometry"]),
        )
        session.add(district)
        districts[district.code] = district
    session.flush()
    return districts


def _load_villages(session, data_dir: Path, areas, districts) -> int:
    geojson_path = data_dir / "villages.geojson"
    shapes = {
        _prop(geojson_path, i, f, "code"): json.dumps(f["geometry"])
        for i, f in enumerate(_read_features(geojson_path))
    }
    csv_path = data_dir / "villages.csv"
    count = 0
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            session.add(_village_from_row(csv_path, line_no, row, areas, districts, shapes))
            count += 1
    return count


def _village_from_row(path, line_no, row, areas, districts, shapes) -> Village:
    district = districts.get(row.get("district_code", ""))
    area = areas.get(row.get("ulp", ""))
    if district is None or area is None:
        raise SeedError(f"{path}: row {line_no} has an unknown district or ULP")
    return Village(
        code=row["code"],
        name=row["name"],
        kind=row.get("type") or "desa",
        district_id=district.id,
        ulp_id=area.id,
        lat=_optional_float(path, line_no, row, "latitude"),
        lon=_optional_float(path, line_no, row, "longitude"),
        area_km2=_optional_float(path, line_no, row, "area_km2"),
        geojson=shapes.get(row["code"]),
    )


def _optional_float(path, line_no, row, field) -> float | None:
    text = (row.get(field) or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise SeedError(
            f"{path}: row {line_no}, field '{field}': '{text}' is not a number"
        ) from exc


def _load_organisation(session, path: Path, areas) -> tuple[int, int]:
    try:
        org = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SeedError(f"{path}: cannot read the organisation ({exc})") from exc

    posko_count = crew_count = 0
    for ulp in org.get("ulps", []):
        area = areas.get(ulp.get("name"))
        if area is None:
            raise SeedError(f"{path}: ULP '{ulp.get('name')}' has no area")
        stations = [_posko(session, p, area, ulp) for p in ulp.get("posko", [])]
        posko_count += len(stations)
        crew_count += _crews_for_ulp(session, ulp, stations)

    crew_count += _p2d(session, org.get("command_center", {}).get("p2d_posko"), areas)
    return posko_count + 1, crew_count


def _posko(session, data: dict, area: UlpArea, ulp: dict) -> Posko:
    personnel = ulp.get("personnel")
    share = None
    if personnel is not None:
        share = round(personnel / max(1, len(ulp.get("posko", []))))
    station = Posko(
        name=data["name"],
        ulp_id=area.id,
        district=data.get("district"),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        personnel=share,
    )
    session.add(station)
    session.flush()
    return station


def _vehicle_count(session, ulp: dict, field: str, assumed: int) -> int:
    value = ulp.get(field)
    if value is not None:
        return int(value)
    settings.put(
        session,
        f"org.{ulp['name']}.{field}",
        assumed,
        assumption=True,
        note=f"ULP {ulp['name']}: jumlah {FIELD_WORDS[field]} tidak ada di data unit; "
        f"dianggap {assumed}.",
    )
    return assumed


def _crews_for_ulp(session, ulp: dict, stations: list[Posko]) -> int:
    if not stations:
        return 0
    if ulp.get("personnel") is None:
        settings.put(
            session,
            f"org.{ulp['name']}.personnel",
            None,
            assumption=True,
            note=f"ULP {ulp['name']}: jumlah personel tidak diketahui; setiap regu dianggap "
            f"{CAR_CREW_MEMBERS} orang (mobil) atau {MOTOR_CREW_MEMBERS} orang (motor).",
        )
    cars = _vehicle_count(session, ulp, "cars", ASSUMED_CARS_PER_POSKO * len(stations))
    bikes = _vehicle_count(session, ulp, "motorbikes", ASSUMED_MOTORBIKES)

    # Cars first, round-robin, so every posko gets a car before any gets a second.
    vehicles = [Vehicle.MOBIL] * cars + [Vehicle.MOTOR] * bikes
    per_posko: dict[int, int] = {}
    for index, vehicle in enumerate(vehicles):
        station = stations[index % len(stations)]
        per_posko[station.id] = per_posko.get(station.id, 0) + 1
        _add_crew(session, station, vehicle, per_posko[station.id])
    return len(vehicles)


def _add_crew(session, station: Posko, vehicle: Vehicle, number: int) -> None:
    short = "P2D" if station.is_p2d else station.name.removeprefix("Posko Yantek ")
    code = f"{short.upper().replace(' ', '')[:10]}-{number}"
    session.add(
        Crew(
            code=code,
            name=f"Regu {short} {number} ({vehicle.value})",
            posko_id=station.id,
            vehicle=vehicle.value,
            members=CAR_CREW_MEMBERS if vehicle is Vehicle.MOBIL else MOTOR_CREW_MEMBERS,
            status=CrewStatus.SIAGA.value,
            lat=station.lat,
            lon=station.lon,
            position_at=utc_now(),
        )
    )


def _p2d(session, data: dict | None, areas) -> int:
    if not data:
        return 0
    station = Posko(
        name=data["name"],
        ulp_id=areas["Pangkalpinang"].id,
        district=data.get("district"),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        personnel=data.get("personnel"),
        is_p2d=True,
    )
    session.add(station)
    session.flush()
    for number in range(1, P2D_CARS + 1):
        _add_crew(session, station, Vehicle.MOBIL, number)
    settings.put(
        session,
        "org.p2d.cars",
        P2D_CARS,
        assumption=True,
        note="Posko P2D: kendaraan tidak disebut di data unit; dianggap satu regu mobil.",
    )
    return P2D_CARS


def _seed_targets(session, areas: dict[str, UlpArea]) -> None:
    year = datetime.now(WIB).year
    for area in areas.values():
        session.add(
            KpiTarget(
                ulp_id=area.id,
                year=year,
                rpt_min=settings.DEFAULT_RPT_TARGET_MIN,
                rct_min=settings.DEFAULT_RCT_TARGET_MIN,
            )
        )
    settings.put(
        session,
        "kpi.targets",
        {
            "rpt_min": settings.DEFAULT_RPT_TARGET_MIN,
            "rct_min": settings.DEFAULT_RCT_TARGET_MIN,
        },
        assumption=True,
        note="Target KPI semua ULP: RPT 28,38 mnt dan RCT 48,23 mnt, diturunkan dari hasil "
        "Bangka 2021 (capaian 131 %); ganti dengan target unit per ULP dan tahun.",
    )
