"""First-start loading of the bundled Bangka data and the unit's organisation.

Runs once per database, in one transaction: either everything is loaded or
nothing is, so a failed first start leaves no half-seeded database behind.
"""

from __future__ import annotations

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
from services import seed_checks as checks
from services.seed_checks import SeedError, Where

__all__ = ["SeedError", "SeedSummary", "is_seeded", "seed", "seed_if_empty"]

log = logging.getLogger(__name__)

# Chosen where organization.json has a null; each is stored as an assumption.
ASSUMED_CARS_PER_POSKO = 1
ASSUMED_MOTORBIKES = 0
CAR_CREW_MEMBERS = 3
MOTOR_CREW_MEMBERS = 2
P2D_CARS = 1
FIELD_WORDS = {"cars": "mobil", "motorbikes": "motor"}
ULP_AREAS = 5


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


def _load_areas(session: Session, path: Path) -> dict[str, UlpArea]:
    areas: dict[str, UlpArea] = {}
    seen: dict[str, Where] = {}
    for where, props, feature in checks.read_features(path):
        area = UlpArea(
            name=checks.text(where, props, "ulp", checks.width(UlpArea.name)),
            code=checks.text(where, props, "code", checks.width(UlpArea.code)),
            regency=checks.text(where, props, "regency", checks.width(UlpArea.regency)),
            geojson=checks.geometry(where, feature),
        )
        checks.unique(seen, area.name, where, "ulp")
        areas[area.name] = area
    if len(areas) != ULP_AREAS:
        raise Where(path).error("features", f"has {len(areas)} ULP areas, expected {ULP_AREAS}")
    session.add_all(areas.values())
    session.flush()
    return areas


def _load_districts(session: Session, path: Path, areas: dict[str, UlpArea]) -> dict[str, District]:
    districts: dict[str, District] = {}
    seen: dict[str, Where] = {}
    for where, props, feature in checks.read_features(path):
        ulp = checks.text(where, props, "ulp", checks.width(UlpArea.name))
        if ulp not in areas:
            raise where.error("ulp", f"{checks.show(ulp)} is not a ULP of ulp_areas.geojson")
        district = District(
            code=checks.text(where, props, "code", checks.width(District.code)),
            name=checks.text(where, props, "name", checks.width(District.name)),
            ulp_id=areas[ulp].id,
            geojson=checks.geometry(where, feature),
        )
        checks.unique(seen, district.code, where, "code")
        districts[district.code] = district
    covered = {district.ulp_id for district in districts.values()}
    for name, area in areas.items():
        if area.id not in covered:
            raise Where(path).error("ulp", f"no district belongs to ULP {checks.show(name)}")
    session.add_all(districts.values())
    session.flush()
    return districts


def _load_villages(session, data_dir: Path, areas, districts) -> int:
    shapes = _village_shapes(data_dir / "villages.geojson")
    csv_path = data_dir / "villages.csv"
    villages: list[Village] = []
    seen: dict[str, Where] = {}
    for where, row in checks.read_csv(csv_path):
        village = _village_from_row(where, row, areas, districts, shapes)
        checks.unique(seen, village.code, where, "code")
        villages.append(village)
    if not villages:
        raise Where(csv_path).error(None, "has no villages (at least one row is needed)")
    session.add_all(villages)
    return len(villages)


def _village_shapes(path: Path) -> dict[str, str]:
    shapes: dict[str, str] = {}
    seen: dict[str, Where] = {}
    for where, props, feature in checks.read_features(path):
        code = checks.text(where, props, "code", checks.width(Village.code))
        checks.unique(seen, code, where, "code")
        shapes[code] = checks.geometry(where, feature)
    return shapes


def _village_from_row(where: Where, row: dict, areas, districts, shapes) -> Village:
    code = checks.text(where, row, "code", checks.width(Village.code))
    district_code = checks.text(where, row, "district_code", checks.width(District.code))
    district = districts.get(district_code)
    if district is None:
        problem = f"{checks.show(district_code)} is not a district of districts.geojson"
        raise where.error("district_code", problem)
    ulp = checks.text(where, row, "ulp", checks.width(UlpArea.name))
    area = areas.get(ulp)
    if area is None or area.id != district.ulp_id:
        raise where.error("ulp", f"{checks.show(ulp)} is not the ULP of district {district_code}")
    lat, lon = checks.csv_point(where, row)
    return Village(
        code=code,
        name=checks.text(where, row, "name", checks.width(Village.name)),
        kind=checks.text(where, row, "type", checks.width(Village.kind), required=False) or "desa",
        district_id=district.id,
        ulp_id=area.id,
        lat=lat,
        lon=lon,
        area_km2=checks.csv_area(where, row),
        geojson=shapes.get(code),
    )


def _load_organisation(session, path: Path, areas) -> tuple[int, int]:
    org = checks.mapping(Where(path, "top level"), None, checks.read_json(path))
    checks.organisation(Where(path), org, areas)

    posko_count = crew_count = 0
    for ulp in org.get("ulps", []):
        area = areas[ulp["name"]]
        stations = [_posko(session, p, area, ulp) for p in ulp.get("posko", [])]
        posko_count += len(stations)
        crew_count += _crews_for_ulp(session, ulp, stations)

    p2d = org.get("command_center", {}).get("p2d_posko")
    if p2d:
        posko_count += 1
        crew_count += _p2d(session, p2d, areas)
    return posko_count, crew_count


# --- writing -------------------------------------------------------------------------


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
    short = "P2D" if station.is_p2d else station.name.removeprefix(checks.POSKO_PREFIX)
    code = f"{checks.crew_prefix(short)}-{number}"
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


def _p2d(session, data: dict, areas) -> int:
    station = Posko(
        name=data["name"],
        ulp_id=areas[checks.P2D_ULP].id,
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
