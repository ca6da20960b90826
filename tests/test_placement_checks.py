"""Placement checks on the real seeded village polygons of Bangka."""

from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import Point
from shapely.ops import unary_union

from services.gazetteer import Gazetteer
from services.placement import Placer
from services.placement_checks import (
    INVALID,
    OFFSHORE,
    OUTSIDE,
    SCALED,
    SIGN_LOST,
    SWAPPED,
    ZERO,
    check_point,
)

SUNGAILIAT = (106.122213, -1.857938)  # inside Kel. Sungailiat
OFF_JELITIK = (106.16, -1.86)  # in the sea about 1 km east of Kel. Jelitik
JAVA_SEA = (106.5, -3.5)  # far south of the island
PALEMBANG = (104.75, -2.99)  # Sumatra: land, but not Bangka's


@pytest.fixture
def placer_and_gazetteer(database) -> tuple[Placer, Gazetteer]:
    with database.read() as session:
        return Placer(session), Gazetteer(session)


@pytest.fixture
def placer(placer_and_gazetteer) -> Placer:
    return placer_and_gazetteer[0]


@pytest.fixture
def gazetteer(placer_and_gazetteer) -> Gazetteer:
    return placer_and_gazetteer[1]


def metres_to_island(placer: Placer, lon: float, lat: float) -> float:
    island = unary_union([shape for _, shape in placer.village_shapes()])
    edge = island.exterior if island.geom_type == "Polygon" else island.boundary
    nearest = edge.interpolate(edge.project(Point(lon, lat)))
    return Geod(ellps="WGS84").inv(lon, lat, nearest.x, nearest.y)[2]


def test_every_village_interior_point_is_ok(placer, gazetteer):
    for place, shape in placer.village_shapes():
        point = shape.representative_point()
        check = check_point(placer, point.x, point.y, gazetteer)

        assert check.ok and check.issues == () and check.fix is None
        assert check.landing.place == place
        assert check.landing.village in check.message


def test_ok_names_the_place(placer, gazetteer):
    check = check_point(placer, *SUNGAILIAT, gazetteer)

    assert check.ok
    assert (check.landing.village, check.landing.district, check.landing.ulp) == (
        "Sungailiat",
        "Sungailiat",
        "Sungailiat",
    )
    assert check.message == "Titik berada di Kel. Sungailiat, Kec. Sungailiat, ULP Sungailiat."


def assert_fixed_to_sungailiat(check, issues):
    assert not check.ok
    assert check.issues == issues
    assert check.fix.lon == pytest.approx(SUNGAILIAT[0])
    assert check.fix.lat == pytest.approx(SUNGAILIAT[1])
    assert check.fix.village == "Sungailiat"
    assert check.fix.ulp == "Sungailiat"
    assert "kemungkinan maksudnya -1,85794, 106,12221 (Kel. Sungailiat" in check.message


def test_swapped(placer, gazetteer):
    lon, lat = SUNGAILIAT
    check = check_point(placer, lat, lon, gazetteer)

    assert_fixed_to_sungailiat(check, (SWAPPED,))
    assert check.message.startswith("Lintang dan bujur tertukar; kemungkinan maksudnya")


def test_positive_latitude(placer, gazetteer):
    lon, lat = SUNGAILIAT
    check = check_point(placer, lon, -lat, gazetteer)

    assert_fixed_to_sungailiat(check, (SIGN_LOST,))
    assert check.message.startswith("Lintang positif")


def test_swapped_and_sign_lost(placer, gazetteer):
    lon, lat = SUNGAILIAT
    check = check_point(placer, -lat, lon, gazetteer)

    assert_fixed_to_sungailiat(check, (SWAPPED, SIGN_LOST))


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (106_122_213, -1_857_938),
        (106.122213, -1_857_938),  # only one box typed without the decimal point
        (106_122_213, -1.857938),
    ],
)
def test_scaled_by_a_million(placer, gazetteer, lon, lat):
    check = check_point(placer, lon, lat, gazetteer)

    assert_fixed_to_sungailiat(check, (SCALED,))
    assert "1.000.000" in check.message


def test_scaled_and_swapped(placer, gazetteer):
    check = check_point(placer, -1_857_938, 106_122_213, gazetteer)

    assert_fixed_to_sungailiat(check, (SCALED, SWAPPED))


@pytest.mark.parametrize(("lon", "lat"), [(0.0, 0.0), (0.3, -0.2), (-0.0001, 0.0002)])
def test_zero(placer, gazetteer, lon, lat):
    check = check_point(placer, lon, lat, gazetteer)

    assert (check.ok, check.issues, check.fix) == (False, (ZERO,), None)
    assert "0, 0" in check.message


def test_just_off_the_coast_goes_to_the_nearest_village(placer, gazetteer):
    assert placer.place(*OFF_JELITIK) is None
    assert 500 < metres_to_island(placer, *OFF_JELITIK) < 1500

    check = check_point(placer, *OFF_JELITIK, gazetteer)

    assert check.issues == (OFFSHORE,)
    assert (check.fix.village, check.fix.ulp) == ("Jelitik", "Sungailiat")
    assert (check.fix.lon, check.fix.lat) == OFF_JELITIK  # the point itself is kept
    assert check.fix.distance_m == pytest.approx(metres_to_island(placer, *OFF_JELITIK), rel=0.01)
    assert "m dari Kel. Jelitik" in check.message
    assert "kemungkinan termasuk Kel. Jelitik, Kec. Sungailiat, ULP Sungailiat" in check.message


def test_swapped_and_off_the_coast(placer, gazetteer):
    lon, lat = OFF_JELITIK
    check = check_point(placer, lat, lon, gazetteer)

    assert check.issues == (SWAPPED, OFFSHORE)
    assert check.fix.village == "Jelitik"
    assert (check.fix.lon, check.fix.lat) == OFF_JELITIK


def test_a_point_2_km_out_is_no_longer_a_village(placer, gazetteer):
    # Walk east from the coast off Jelitik until the sea is more than 2 km wide.
    lon, lat = OFF_JELITIK
    while metres_to_island(placer, lon, lat) <= 2100:
        lon += 0.002
    check = check_point(placer, lon, lat, gazetteer)

    assert (check.issues, check.fix) == ((OUTSIDE,), None)


@pytest.mark.parametrize("point", [JAVA_SEA, PALEMBANG])
def test_outside_bangka(placer, gazetteer, point):
    check = check_point(placer, *point, gazetteer)

    assert (check.ok, check.issues, check.fix) == (False, (OUTSIDE,), None)
    assert "di luar wilayah UP3 Bangka" in check.message


def test_not_a_number(placer):
    check = check_point(placer, float("nan"), -2.0)

    assert check.issues == (INVALID,)


def test_without_a_gazetteer_the_village_is_named_by_id(placer):
    lon, lat = SUNGAILIAT
    check = check_point(placer, lat, lon)

    assert check.issues == (SWAPPED,)
    assert check.fix.village is None
    assert f"(desa id {check.fix.place.village_id})" in check.message
