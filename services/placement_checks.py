"""Checks on a typed or received point before a report is placed with it.

Point-in-polygon (services.placement.Placer) answers "which village"; this module
answers "is this point believable", and when it is not, what the operator most
likely meant. The slips it knows are the ones coordinates really suffer on the way
from a phone or a caller to the form: a GPS that had no fix yet (0, 0), latitude and
longitude in the wrong boxes, the minus sign of a southern latitude lost, degrees
sent as integers times 1,000,000, and a point a little off the coast (a house on
stilts, a pier, a GPS drifting over water).

A proposed fix is only a proposal: the operator confirms it. Nothing here changes a
report.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

import shapely
from pyproj import Geod
from shapely.geometry import Point
from shapely.ops import nearest_points

from services.gazetteer import Gazetteer
from services.placement import Place, Placer

# PlacementCheck.issues values.
OUTSIDE = "outside"  # in no village and not near one: at sea or off Bangka
ZERO = "zero"  # at or near 0, 0: a GPS without a fix, an empty field
SWAPPED = "swapped"  # latitude and longitude exchanged
SIGN_LOST = "sign_lost"  # positive latitude; Bangka lies south of the equator
SCALED = "scaled"  # degrees sent as an integer times 1e6
OFFSHORE = "offshore"  # outside every village polygon but within COAST_M of one
INVALID = "invalid"  # not a number

COAST_M = 2000.0  # how far off a village edge a point is still taken as that village
ZERO_DEG = 1.0  # "near 0, 0": nothing of Bangka is within 100 km of it
SCALE = 1_000_000

_GEOD = Geod(ellps="WGS84")
# Degrees per metre along a meridian is smallest; a search box this wide in degrees
# holds every point within COAST_M at Bangka's latitude (cos 3.2 deg ~ 0.998).
_COAST_DEG = COAST_M / 110_000.0


@dataclass(frozen=True)
class Landing:
    """Where a point falls: the village polygon and its names."""

    lon: float
    lat: float
    place: Place
    village: str | None  # names are None when no gazetteer was given
    kind: str | None
    district: str | None
    ulp: str | None
    distance_m: float = 0.0  # from the village edge; 0 inside it

    def describe(self) -> str:
        """'Desa Belo Laut, Kec. Mentok, ULP Mentok'."""
        if self.village is None:
            return self.short()
        return f"{self.short()}, Kec. {self.district}, ULP {self.ulp}"

    def short(self) -> str:
        if self.village is None:
            return f"desa id {self.place.village_id}"
        kind = "Kel." if self.kind == "kelurahan" else "Desa"
        return f"{kind} {self.village}"


@dataclass(frozen=True)
class PlacementCheck:
    lon: float  # as given
    lat: float
    ok: bool  # inside a village polygon as given: accept silently
    issues: tuple[str, ...]  # empty when ok
    message: str  # for the operator, in Indonesian
    landing: Landing | None  # where the point as given falls (None unless ok)
    fix: Landing | None  # the likely intended point and its place, if one was found


def check_point(
    placer: Placer, lon: float, lat: float, gazetteer: Gazetteer | None = None
) -> PlacementCheck:
    """Judge a point given as (lon, lat) in degrees. With a gazetteer, messages and
    landings carry the village, district and ULP names; without, the village id."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return _rejected(lon, lat, (INVALID,), "Koordinat tidak valid (bukan angka).")

    here = placer.place(lon, lat)
    if here is not None:
        landing = _landing(lon, lat, here, gazetteer)
        return PlacementCheck(
            lon, lat, True, (), f"Titik berada di {landing.describe()}.", landing, None
        )

    if abs(lon) < ZERO_DEG and abs(lat) < ZERO_DEG:
        return _rejected(lon, lat, (ZERO,), _ZERO_MESSAGE)

    fix = _first_fix(placer, lon, lat, gazetteer)
    if fix is None:
        return _rejected(lon, lat, (OUTSIDE,), _outside_message(lon, lat))
    issues, landing = fix
    return PlacementCheck(lon, lat, False, issues, _fix_message(issues, landing), None, landing)


def _first_fix(
    placer: Placer, lon: float, lat: float, gazetteer: Gazetteer | None
) -> tuple[tuple[str, ...], Landing] | None:
    """The simplest correction that lands inside a village; failing that, the simplest
    that lands within COAST_M of one."""
    candidates = list(_candidates(lon, lat))
    for issues, x, y in candidates:
        if issues:
            place = placer.place(x, y)
            if place is not None:
                return issues, _landing(x, y, place, gazetteer)
    for issues, x, y in candidates:
        near = _nearest_village(placer, x, y)
        if near is not None:
            place, metres = near
            return (*issues, OFFSHORE), _landing(x, y, place, gazetteer, metres)
    return None


def _candidates(lon: float, lat: float) -> Iterator[tuple[tuple[str, ...], float, float]]:
    """(issues, lon, lat) readings of the point, fewest corrections first."""
    scaled: tuple[str, ...] = ()
    if abs(lon) > 180 or abs(lat) > 180:
        lon, lat = _unscale(lon), _unscale(lat)
        scaled = (SCALED,)
    yield scaled, lon, lat
    yield (*scaled, SWAPPED), lat, lon
    if lat > 0:
        yield (*scaled, SIGN_LOST), lon, -lat
    if lon > 0:
        yield (*scaled, SWAPPED, SIGN_LOST), lat, -lon


def _unscale(value: float) -> float:
    return value / SCALE if abs(value) > 180 else value


class _CoastIndex:
    def __init__(self, placer: Placer):
        pairs = placer.village_shapes()
        self.places = [place for place, _ in pairs]
        self.shapes = [shape for _, shape in pairs]
        self.tree = shapely.STRtree(self.shapes)


# One index per Placer, built on first use and dropped with it: check_point stays a
# plain function and a form checking every keystroke does not rebuild the tree.
_coast_indexes: weakref.WeakKeyDictionary[Placer, _CoastIndex] = weakref.WeakKeyDictionary()


def _nearest_village(placer: Placer, lon: float, lat: float) -> tuple[Place, float] | None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    index = _coast_indexes.get(placer)
    if index is None:
        index = _coast_indexes[placer] = _CoastIndex(placer)

    point = Point(lon, lat)
    best: tuple[Place, float] | None = None
    for i in index.tree.query(point, predicate="dwithin", distance=_COAST_DEG):
        edge, _ = nearest_points(index.shapes[int(i)], point)
        _, _, metres = _GEOD.inv(lon, lat, edge.x, edge.y)
        if metres <= COAST_M and (best is None or metres < best[1]):
            best = index.places[int(i)], metres
    return best


def _landing(
    lon: float, lat: float, place: Place, gazetteer: Gazetteer | None, metres: float = 0.0
) -> Landing:
    if gazetteer is None:
        return Landing(lon, lat, place, None, None, None, None, metres)
    village = gazetteer.village(place.village_id)
    return Landing(
        lon, lat, place, village.name, village.kind, village.district, village.ulp, metres
    )


def _rejected(lon: float, lat: float, issues: tuple[str, ...], message: str) -> PlacementCheck:
    return PlacementCheck(lon, lat, False, issues, message, None, None)


_ZERO_MESSAGE = (
    "Titik di 0, 0: koordinat kosong (GPS belum mendapat posisi). "
    "Pilih desa pelapor atau tandai lokasinya di peta."
)

_PHRASES = {
    SCALED: "Koordinat tanpa titik desimal (angka derajat dikali 1.000.000)",
    SWAPPED: "Lintang dan bujur tertukar",
    SIGN_LOST: "Lintang positif, padahal Bangka di selatan khatulistiwa (tanda minus hilang)",
}


def _fix_message(issues: tuple[str, ...], landing: Landing) -> str:
    slips = [_PHRASES[i] for i in issues if i in _PHRASES]
    if OFFSHORE in issues:
        slips.append(
            f"Titik di luar batas desa (laut atau pesisir), {_metres(landing.distance_m)} "
            f"dari {landing.short()}"
        )
    first, *rest = slips
    text = "; ".join([first, *(s[0].lower() + s[1:] for s in rest)])
    if issues == (OFFSHORE,):
        return f"{text}; kemungkinan termasuk {landing.describe()}."
    return (
        f"{text}; kemungkinan maksudnya {_coords(landing.lat, landing.lon)} ({landing.describe()})."
    )


def _outside_message(lon: float, lat: float) -> str:
    return (
        f"Titik {_coords(lat, lon)} di luar wilayah UP3 Bangka: tidak di desa mana pun "
        f"dan lebih dari {_metres(COAST_M)} dari desa terdekat. "
        "Periksa koordinat atau pilih desa pelapor."
    )


def _coords(lat: float, lon: float) -> str:
    """'-2,13100, 106,11000': latitude first, as phones and map apps show it, with the
    Indonesian decimal comma."""
    return f"{_decimal(lat, 5)}, {_decimal(lon, 5)}"


def _metres(metres: float) -> str:
    if metres < 1000:
        return f"{round(metres)} m"
    km = metres / 1000
    return f"{km:.0f} km" if km.is_integer() else f"{_decimal(km, 1)} km"


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}".replace(".", ",")
