"""Reading and checking the bundled data before any of it reaches the database.

Every problem becomes a one-line SeedError naming the file, the row or feature,
and the field, e.g. ``villages.csv: row 17, field 'latitude': 'nan' is not a
latitude in Bangka (-3.4 … -1.3)``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity

from comcen_desktop.domain import Vehicle
from comcen_desktop.storage.models import Crew, Posko, UlpArea
from services.organisation import LAT_RANGE, LON_RANGE

MAX_VEHICLES = 200
MAX_PERSONNEL = 10_000
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
P2D_ULP = "Pangkalpinang"
POSKO_PREFIX = "Posko Yantek "


class SeedError(ValueError):
    """The bundled data cannot be read; the message names the file and field."""


@dataclass(frozen=True)
class Where:
    """A place in one file: ``row 17``, ``features[3]``, ``ulps[2] (Koba)``."""

    path: Path
    place: str = ""

    def at(self, place: str) -> Where:
        return Where(self.path, place)

    def error(self, field: str | None, problem: str) -> SeedError:
        parts = [part for part in (self.place, field and f"field '{field}'") if part]
        head = f"{self.path}: {', '.join(parts)}" if parts else str(self.path)
        return SeedError(f"{head}: {problem}".replace("\n", " "))


def show(value: Any) -> str:
    """A short, one-line picture of a bad value for a message."""
    text = json.dumps(value) if value is None or isinstance(value, bool) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _got(value: Any) -> str:
    return "got null" if value is None else f"got {type(value).__name__} {show(value)}"


# --- files ---------------------------------------------------------------------------


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise Where(path).error(None, f"cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise Where(path).error(
            None, f"is not UTF-8 text (bad byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from exc


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        where = Where(path, f"line {exc.lineno}, column {exc.colno}")
        raise where.error(None, f"is not valid JSON ({exc.msg})") from exc


def read_csv(path: Path) -> Iterator[tuple[Where, dict]]:
    """Rows of a CSV file with their line numbers (line 1 is the header)."""
    try:
        rows = list(csv.DictReader(io.StringIO(read_text(path), newline="")))
    except csv.Error as exc:
        raise Where(path).error(None, f"is not valid CSV ({exc})") from exc
    for line_no, row in enumerate(rows, start=2):
        yield Where(path, f"row {line_no}"), row


def read_features(path: Path) -> Iterator[tuple[Where, dict, dict]]:
    """(place, properties, feature) for every feature of a GeoJSON file."""
    top = mapping(Where(path, "top level"), None, read_json(path))
    features = sequence(Where(path), "features", top.get("features"))
    for index, feature in enumerate(features):
        where = Where(path, f"features[{index}]")
        feature = mapping(where, None, feature)
        yield where, mapping(where, "properties", feature.get("properties")), feature


# --- structure -----------------------------------------------------------------------


def mapping(where: Where, field: str | None, value: Any) -> dict:
    if not isinstance(value, dict):
        raise where.error(field, f"expected an object, {_got(value)}")
    return value


def sequence(where: Where, field: str, value: Any) -> list:
    if not isinstance(value, list):
        raise where.error(field, f"expected a list, {_got(value)}")
    return value


def unique(seen: dict[str, Where], key: str, where: Where, field: str) -> None:
    """Refuse a second use of ``key``; ``seen`` maps keys to where they were first used."""
    if key in seen:
        raise where.error(field, f"{show(key)} is already used at {seen[key].place}")
    seen[key] = where


# --- values --------------------------------------------------------------------------


def text(where: Where, data: dict, field: str, max_len: int, required: bool = True) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise where.error(field, "missing or empty")
        return None
    if not isinstance(value, str) or not value.strip():
        raise where.error(field, f"{show(value)} is not a non-empty text")
    if len(value) > max_len:
        raise where.error(field, f"{show(value)} is longer than {max_len} characters")
    return value


def _finite_number(value: Any) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number and math.isfinite(value)


def _outside(where: Where, field: str, value: Any, bounds, what: str) -> SeedError:
    low, high = bounds
    return where.error(field, f"{show(value)} is not a {what} in Bangka ({low} … {high})")


def latitude(where: Where, field: str, value: Any) -> float:
    if not _finite_number(value) or not LAT_RANGE[0] <= value <= LAT_RANGE[1]:
        raise _outside(where, field, value, LAT_RANGE, "latitude")
    return float(value)


def longitude(where: Where, field: str, value: Any) -> float:
    if not _finite_number(value) or not LON_RANGE[0] <= value <= LON_RANGE[1]:
        raise _outside(where, field, value, LON_RANGE, "longitude")
    return float(value)


def csv_number(where: Where, row: dict, field: str) -> float | None:
    """An optional number in a CSV cell: empty is None, anything else must parse."""
    cell = (row.get(field) or "").strip()
    if not cell:
        return None
    try:
        return float(cell)
    except ValueError as exc:
        raise where.error(field, f"{show(cell)} is not a number") from exc


def csv_point(where: Where, row: dict) -> tuple[float | None, float | None]:
    """Latitude and longitude of a CSV row: both empty, or both inside Bangka."""
    lat, lon = csv_number(where, row, "latitude"), csv_number(where, row, "longitude")
    if lat is None and lon is None:
        return None, None
    for field, value, bounds in (("latitude", lat, LAT_RANGE), ("longitude", lon, LON_RANGE)):
        if value is None:
            raise where.error(field, "missing while the row has the other coordinate")
        if not bounds[0] <= value <= bounds[1]:  # NaN fails too
            raise _outside(where, field, row.get(field), bounds, field)
    return lat, lon


def csv_area(where: Where, row: dict) -> float | None:
    area = csv_number(where, row, "area_km2")
    if area is not None and (not math.isfinite(area) or area < 0):
        raise where.error("area_km2", f"{show(row['area_km2'])} is not an area in km²")
    return area


def count(where: Where, data: dict, field: str, high: int, what: str) -> int | None:
    """An optional whole number 0 … high (null allowed; true/false are not numbers)."""
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise where.error(field, f"{show(value)} is not a {what} (0 … {high})")
    return value


def vehicles(where: Where, data: dict, field: str) -> int | None:
    return count(where, data, field, MAX_VEHICLES, "vehicle count")


def personnel(where: Where, data: dict) -> int | None:
    return count(where, data, "personnel", MAX_PERSONNEL, "head count")


def geometry(where: Where, feature: dict) -> str:
    """The feature's geometry as GeoJSON text: a valid, non-empty (Multi)Polygon."""
    geom = mapping(where, "geometry", feature.get("geometry"))
    if geom.get("type") not in GEOMETRY_TYPES:
        raise where.error("geometry", f"type {show(geom.get('type'))} is not Polygon/MultiPolygon")
    try:
        parsed = shape(geom)
    except Exception as exc:  # shapely raises many kinds for bad coordinates
        raise where.error("geometry", f"has unreadable coordinates ({exc})") from exc
    if parsed.is_empty:
        raise where.error("geometry", "is empty")
    if not parsed.is_valid:
        raise where.error("geometry", f"is not a valid polygon ({explain_validity(parsed)})")
    return json.dumps(geom)


def width(column) -> int:
    """The length of a String column of models.py, e.g. ``width(Village.code)``."""
    return column.property.columns[0].type.length


def crew_prefix(short: str) -> str:
    """The start of a crew code: ``Posko Yantek Taman Sari`` -> ``TAMANSARI``."""
    return short.upper().replace(" ", "")[:10]


# --- organization.json ----------------------------------------------------------------


def organisation(root: Where, org: dict, areas) -> None:
    names: dict[str, Where] = {}
    posko: dict[str, Where] = {}
    prefixes: dict[str, Where] = {crew_prefix("P2D"): root.at("command_center.p2d_posko")}
    for index, ulp in enumerate(sequence(root, "ulps", org.get("ulps", []))):
        where = root.at(f"ulps[{index}]")
        ulp = mapping(where, None, ulp)
        name = text(where, ulp, "name", width(UlpArea.name))
        where = root.at(f"ulps[{index}] ({name})")
        unique(names, name, where, "name")
        if name not in areas:
            raise where.error("name", f"{show(name)} has no area in ulp_areas.geojson")
        vehicles(where, ulp, "cars")
        vehicles(where, ulp, "motorbikes")
        personnel(where, ulp)
        for number, station in enumerate(sequence(where, "posko", ulp.get("posko", []))):
            place = root.at(f"ulps[{index}].posko[{number}]")
            short = _check_posko(place, station, posko).removeprefix(POSKO_PREFIX)
            _check_crew_names(place, short, prefixes)
    _check_p2d(root, org, areas, posko)


def _check_posko(where: Where, data, seen: dict[str, Where]) -> str:
    data = mapping(where, None, data)
    name = text(where, data, "name", width(Posko.name))
    where = where.at(f"{where.place} ({name})")
    unique(seen, name, where, "name")
    text(where, data, "district", width(Posko.district), required=False)
    latitude(where, "lat", data.get("lat"))
    longitude(where, "lon", data.get("lon"))
    return name


def _check_crew_names(where: Where, short: str, prefixes: dict[str, Where]) -> None:
    """Crew codes and names come from the posko name; they must be unique and fit."""
    longest = f"Regu {short} {2 * MAX_VEHICLES} ({Vehicle.MOBIL.value})"
    if len(longest) > width(Crew.name):
        raise where.error("name", f"{show(short)} is too long to name its crews")
    prefix = crew_prefix(short)
    if prefix in prefixes:
        problem = f"gives crew codes {prefix}-n, as {prefixes[prefix].place} does"
        raise where.error("name", problem)
    prefixes[prefix] = where


def _check_p2d(root: Where, org: dict, areas, posko: dict[str, Where]) -> None:
    center = mapping(root, "command_center", org.get("command_center", {}))
    data = center.get("p2d_posko")
    if data in (None, {}):
        return
    where = root.at("command_center.p2d_posko")
    _check_posko(where, data, posko)
    personnel(where, data)
    if P2D_ULP not in areas:
        raise where.error(None, f"belongs to ULP {P2D_ULP!r}, which ulp_areas.geojson lacks")
