"""First-start seeding refuses bad bundled data with one clear line and writes nothing.

Each case copies data/bangka, breaks one thing, and opens a fresh SQLite database on
the copy: the SeedError must name the file, the row or feature and the field, and the
database must stay unseeded so that the good data still loads afterwards.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comcen_desktop import paths
from comcen_desktop.storage.models import Crew, District, Posko, UlpArea, Village
from services.database import open_database
from services.seed import SeedError

DATA_DIR = paths.bundled_data_dir()
SQUARE = [[[106.0, -2.0], [106.1, -2.0], [106.1, -2.1], [106.0, -2.1], [106.0, -2.0]]]
CSV, ORG = "villages.csv", "organization.json"
AREAS, DISTRICTS, SHAPES = "ulp_areas.geojson", "districts.geojson", "villages.geojson"
BOWTIE = [[[106.0, -2.0], [106.1, -2.1], [106.1, -2.0], [106.0, -2.1], [106.0, -2.0]]]


# --- corrupting a copy of the data ---------------------------------------------------


def edit_json(name: str, change: Callable[[dict], object]) -> Callable[[Path], None]:
    """Change the parsed file in place (whatever ``change`` returns is ignored)."""
    return replace_json(name, lambda data: (change(data), data)[1])


def replace_json(name: str, make: Callable[[dict], object]) -> Callable[[Path], None]:
    """Write ``make(parsed file)`` as the whole file."""

    def corrupt(folder: Path) -> None:
        path = folder / name
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(make(data)), encoding="utf-8")

    return corrupt


def org(change: Callable[[dict], object]) -> Callable[[Path], None]:
    return edit_json("organization.json", change)


def feature(name: str, index: int, change: Callable[[dict], object]) -> Callable[[Path], None]:
    return edit_json(name, lambda data: change(data["features"][index]))


def edit_rows(change: Callable[[list[dict]], object]) -> Callable[[Path], None]:
    def corrupt(folder: Path) -> None:
        path = folder / "villages.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        change(rows)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)

    return corrupt


def cell(data_row: int, field: str, value: str) -> Callable[[Path], None]:
    """Set one villages.csv cell; data row 15 is line 17 (line 1 is the header)."""
    return edit_rows(lambda rows: rows[data_row].__setitem__(field, value))


def write_bytes(name: str, content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(content)


def prepend_bytes(name: str, prefix: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(prefix + (folder / name).read_bytes())


def posko(ulp: int, station: int, field: str, value) -> Callable[[Path], None]:
    return org(lambda o: o["ulps"][ulp]["posko"][station].__setitem__(field, value))


def ulp_field(ulp: int, field: str, value) -> Callable[[Path], None]:
    return org(lambda o: o["ulps"][ulp].__setitem__(field, value))


def p2d(field: str, value) -> Callable[[Path], None]:
    return org(lambda o: o["command_center"]["p2d_posko"].__setitem__(field, value))


def rename_ulp_except_p2d(folder: Path) -> None:
    """Rename Pangkalpinang everywhere the data names it; the P2D posko still needs it."""
    new = "Pangkal Pinang"
    for name in ("ulp_areas.geojson", "districts.geojson", "villages.geojson"):
        path = folder / name
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["features"]:
            if item["properties"]["ulp"] == "Pangkalpinang":
                item["properties"]["ulp"] = new
        path.write_text(json.dumps(data), encoding="utf-8")
    edit_rows(
        lambda rows: [r.__setitem__("ulp", new) for r in rows if r["ulp"] == "Pangkalpinang"]
    )(folder)
    org(lambda o: o["ulps"][0].__setitem__("name", new))(folder)


def prop(name: str, index: int, field: str, value) -> Callable[[Path], None]:
    return feature(name, index, lambda item: item["properties"].__setitem__(field, value))


def geom(name: str, index: int, value) -> Callable[[Path], None]:
    return feature(name, index, lambda item: item.__setitem__("geometry", value))


def case(ident: str, corrupt: Callable[[Path], None], file: str, *fragments: str):
    """One corruption, the file its message must name, and what else it must say."""
    return pytest.param(corrupt, file, fragments, id=ident)


def duplicate_code(rows: list[dict]) -> None:
    rows[40]["code"] = rows[39]["code"]


# --- the cases -----------------------------------------------------------------------

CASES = [
    # villages.csv: values that used to be stored as they came
    case("lat-nan", cell(15, "latitude", "nan"), CSV, "row 17", "'latitude'", "'nan'"),
    case("lat-999", cell(15, "latitude", "999"), CSV, "row 17", "'latitude'", "'999'"),
    case("lat-inf", cell(15, "latitude", "inf"), CSV, "row 17", "'latitude'"),
    case("lon-outside", cell(15, "longitude", "-106.1"), CSV, "row 17", "'longitude'"),
    case("lat-without-lon", cell(15, "longitude", ""), CSV, "row 17", "'longitude'"),
    case("area-negative", cell(15, "area_km2", "-3"), CSV, "row 17", "'area_km2'"),
    case("csv-header-only", edit_rows(lambda rows: rows.clear()), CSV, "no villages"),
    case("csv-empty-file", write_bytes(CSV, b""), CSV, "no villages"),
    case("village-code-empty", cell(20, "code", ""), CSV, "row 22", "'code'"),
    case("village-code-long", cell(20, "code", "1" * 21), CSV, "row 22", "'code'", "20"),
    case("village-name-long", cell(20, "name", "x" * 81), CSV, "row 22", "'name'", "80"),
    case("village-code-duplicate", edit_rows(duplicate_code), CSV, "row 42", "'code'", "row 41"),
    case(
        "village-district-unknown",
        cell(20, "district_code", "19.99.99"),
        CSV,
        "row 22",
        "'district_code'",
    ),
    case("village-ulp-not-its-districts", cell(0, "ulp", "Koba"), CSV, "row 2", "'ulp'", "'Koba'"),
    case("csv-not-utf8", write_bytes(CSV, "code,name\n1,Désa\n".encode("latin-1")), CSV, "UTF-8"),
    # organization.json: numbers
    case("posko-lat-95", posko(1, 2, "lat", 95), ORG, "ulps[1].posko[2]", "'lat'", "95"),
    case("posko-lat-text", posko(1, 2, "lat", "abc"), ORG, "ulps[1].posko[2]", "'lat'", "'abc'"),
    case(
        "posko-lat-numeric-string",
        posko(1, 2, "lat", "-2.1"),
        ORG,
        "ulps[1].posko[2]",
        "'lat'",
        "'-2.1'",
    ),
    case("posko-lon-missing", posko(1, 2, "lon", None), ORG, "ulps[1].posko[2]", "'lon'"),
    case("posko-lat-bool", posko(1, 2, "lat", True), ORG, "ulps[1].posko[2]", "'lat'"),
    case(
        "cars-huge",
        ulp_field(3, "cars", 10_000_000),
        ORG,
        "ulps[3] (Koba)",
        "'cars'",
        "10000000",
        "0 … 200",
    ),
    case("cars-negative", ulp_field(3, "cars", -1), ORG, "ulps[3] (Koba)", "'cars'", "-1"),
    case("cars-float", ulp_field(3, "cars", 2.5), ORG, "ulps[3] (Koba)", "'cars'", "2.5"),
    case("cars-bool", ulp_field(3, "cars", True), ORG, "ulps[3] (Koba)", "'cars'", "true"),
    case(
        "motorbikes-string",
        ulp_field(0, "motorbikes", "3"),
        ORG,
        "ulps[0] (Pangkalpinang)",
        "'motorbikes'",
    ),
    case(
        "personnel-string",
        ulp_field(0, "personnel", "two"),
        ORG,
        "ulps[0] (Pangkalpinang)",
        "'personnel'",
        "'two'",
    ),
    case(
        "personnel-negative",
        ulp_field(0, "personnel", -3),
        ORG,
        "ulps[0] (Pangkalpinang)",
        "'personnel'",
    ),
    case(
        "p2d-personnel-string",
        p2d("personnel", "8"),
        ORG,
        "command_center.p2d_posko",
        "'personnel'",
    ),
    case("p2d-lat-text", p2d("lat", "abc"), ORG, "command_center.p2d_posko", "'lat'"),
    # organization.json: structure, names, duplicates
    case("ulps-not-a-list", org(lambda o: o.__setitem__("ulps", 5)), ORG, "'ulps'", "list"),
    case(
        "ulp-is-a-string",
        org(lambda o: o["ulps"].__setitem__(2, "Mentok")),
        ORG,
        "ulps[2]",
        "object",
    ),
    case(
        "posko-not-a-list", ulp_field(2, "posko", {"name": "x"}), ORG, "ulps[2] (Mentok)", "'posko'"
    ),
    case(
        "posko-name-missing",
        org(lambda o: o["ulps"][2]["posko"][1].pop("name")),
        ORG,
        "ulps[2].posko[1]",
        "'name'",
    ),
    case(
        "posko-name-duplicate",
        posko(4, 1, "name", "Posko Yantek Toboali"),
        ORG,
        "ulps[4].posko[1]",
        "'name'",
        "ulps[4].posko[0]",
    ),
    case(
        "posko-crew-codes-clash",
        posko(4, 1, "name", "Posko Yantek Tamansari"),
        ORG,
        "ulps[4].posko[1]",
        "'name'",
        "TAMANSARI",
    ),
    case(
        "posko-name-too-long-for-crews",
        posko(4, 1, "name", "Posko Yantek " + "x" * 67),
        ORG,
        "ulps[4].posko[1]",
        "'name'",
    ),
    case(
        "ulp-duplicate",
        org(lambda o: o["ulps"].append(dict(o["ulps"][3], posko=[]))),
        ORG,
        "ulps[5] (Koba)",
        "'name'",
        "ulps[3]",
    ),
    case("ulp-without-area", ulp_field(4, "name", "Atlantis"), ORG, "ulps[4] (Atlantis)", "'name'"),
    case(
        "p2d-ulp-missing", rename_ulp_except_p2d, ORG, "command_center.p2d_posko", "Pangkalpinang"
    ),
    case(
        "command-center-list",
        org(lambda o: o.__setitem__("command_center", [])),
        ORG,
        "'command_center'",
        "object",
    ),
    case("org-top-level-list", replace_json(ORG, lambda o: [o]), ORG, "top level", "object"),
    case("org-bad-json", write_bytes(ORG, b'{"ulps": [}'), ORG, "line 1", "JSON"),
    case("org-not-utf8", prepend_bytes(ORG, b" \xe9 "), ORG, "UTF-8"),
    # GeoJSON: structure
    case(
        "features-not-a-list",
        edit_json(AREAS, lambda d: d.__setitem__("features", 5)),
        AREAS,
        "'features'",
        "list",
    ),
    case("features-missing", edit_json(AREAS, lambda d: d.pop("features")), AREAS, "'features'"),
    case(
        "feature-is-a-string",
        edit_json(DISTRICTS, lambda d: d["features"].__setitem__(7, "Koba")),
        DISTRICTS,
        "features[7]",
        "object",
    ),
    case(
        "properties-null",
        feature(SHAPES, 7, lambda f: f.__setitem__("properties", None)),
        SHAPES,
        "features[7]",
        "'properties'",
    ),
    case(
        "geometry-missing",
        feature(DISTRICTS, 7, lambda f: f.pop("geometry")),
        DISTRICTS,
        "features[7]",
        "'geometry'",
    ),
    case(
        "district-name-missing",
        feature(DISTRICTS, 7, lambda f: f["properties"].pop("name")),
        DISTRICTS,
        "features[7]",
        "'name'",
    ),
    case(
        "district-name-number", prop(DISTRICTS, 7, "name", 12), DISTRICTS, "features[7]", "'name'"
    ),
    case(
        "district-code-duplicate",
        prop(DISTRICTS, 8, "code", "19.01.01"),
        DISTRICTS,
        "features[8]",
        "'code'",
        "features[0]",
    ),
    case(
        "district-ulp-unknown",
        prop(DISTRICTS, 8, "ulp", "Atlantis"),
        DISTRICTS,
        "features[8]",
        "'ulp'",
    ),
    case(
        "village-shape-duplicate",
        prop(SHAPES, 9, "code", "19.01.01.1001"),
        SHAPES,
        "features[9]",
        "'code'",
    ),
    case("area-duplicate", prop(AREAS, 0, "ulp", "Koba"), AREAS, "'ulp'", "'Koba'"),
    case(
        "area-missing",
        edit_json(AREAS, lambda d: d["features"].pop()),
        AREAS,
        "'features'",
        "4 ULP areas",
    ),
    case(
        "area-renamed",
        prop(AREAS, 0, "ulp", "Pangkal Pinang"),
        DISTRICTS,
        "'ulp'",
        "'Pangkalpinang'",
    ),
    case(
        "geojson-top-level-list",
        replace_json(AREAS, lambda d: d["features"]),
        AREAS,
        "top level",
        "object",
    ),
    case("geojson-not-utf8", prepend_bytes(AREAS, b"\xff"), AREAS, "UTF-8"),
    case("geojson-truncated", write_bytes(DISTRICTS, b"{"), DISTRICTS, "JSON"),
    # GeoJSON: geometry
    case(
        "geometry-point",
        geom(AREAS, 2, {"type": "Point", "coordinates": [106.0, -2.0]}),
        AREAS,
        "features[2]",
        "'geometry'",
        "Point",
    ),
    case(
        "geometry-self-crossing",
        geom(DISTRICTS, 3, {"type": "Polygon", "coordinates": BOWTIE}),
        DISTRICTS,
        "features[3]",
        "'geometry'",
        "valid",
    ),
    case(
        "geometry-empty",
        geom(DISTRICTS, 3, {"type": "Polygon", "coordinates": []}),
        DISTRICTS,
        "features[3]",
        "'geometry'",
        "empty",
    ),
    case(
        "geometry-garbage",
        geom(SHAPES, 3, {"type": "MultiPolygon", "coordinates": "abc"}),
        SHAPES,
        "features[3]",
        "'geometry'",
    ),
    case(
        "geometry-short-ring",
        geom(SHAPES, 3, {"type": "Polygon", "coordinates": [SQUARE[0][:2]]}),
        SHAPES,
        "features[3]",
        "'geometry'",
    ),
    case(
        "geometry-string", geom(SHAPES, 3, "Polygon"), SHAPES, "features[3]", "'geometry'", "object"
    ),
]


def ulp_area_count(url: str) -> int:
    from comcen_desktop.storage import engine as storage

    engine = storage.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(UlpArea))
    finally:
        engine.dispose()


@pytest.fixture
def copy(tmp_path) -> Path:
    folder = tmp_path / "bangka"
    shutil.copytree(DATA_DIR, folder)
    return folder


@pytest.mark.parametrize(("corrupt", "file", "fragments"), CASES)
def test_bad_data_is_refused_with_one_clear_line(copy, tmp_path, corrupt, file, fragments):
    corrupt(copy)
    url = f"sqlite:///{tmp_path / 'x.db'}"

    with pytest.raises(SeedError) as caught:
        open_database(url, data_dir=copy)

    message = str(caught.value)
    assert "\n" not in message and len(message) < 300, message
    assert file in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert ulp_area_count(url) == 0

    # Nothing was half-written: the good data still seeds the same database.
    database = open_database(url, data_dir=DATA_DIR)
    try:
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(UlpArea)) == 5
    finally:
        database.dispose()


def test_good_data_still_seeds(copy, tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'x.db'}", data_dir=copy)
    try:
        with database.read() as session:
            counted = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (UlpArea, District, Village, Posko, Crew)
            }
            no_point = session.scalar(
                select(func.count()).select_from(Village).where(Village.lat.is_(None))
            )
    finally:
        database.dispose()
    assert counted == {"ulp_area": 5, "district": 35, "village": 305, "posko": 16, "crew": 25}
    assert no_point == 2  # two villages in the data have no coordinates, and may not
