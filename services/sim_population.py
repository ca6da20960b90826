"""Who reports and where: the sampling half of the simulation.

Plausible Indonesian customers (names, IDPEL, phone numbers as text) and report
locations inside real Bangka villages. Kept apart from the simulated world so
the calibration work can change one without reading the other.
"""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo
from comcen_desktop.domain import Category, Media
from comcen_desktop.storage.models import Posko, Village
from services.placement import Placer

# About 55 % of the province's people live in urban places (BPS, census 2020, Kep.
# Bangka Belitung in the mid-50s); Bangka's 75 kelurahan are its towns and its 228
# desa the rest, so one kelurahan holds (0.55 / 75) / (0.45 / 228) ≈ 3.7 desa.
KELURAHAN_WEIGHT = 3.7
# People (and so customers and faults) thin out away from the kecamatan towns where
# the posko stand. Without village populations this decay length stands in for
# them; it is the one figure chosen so that the calibrated month's response time
# matches Bangka's 2021 result (services/sim_calibration.py).
TOWN_DECAY_KM = 14.0
CATEGORY_SHARES = {Category.INDIVIDU: 0.85, Category.KELUHAN: 0.12, Category.MELUAS: 0.03}
MEDIA_SHARES = {
    Media.PLN_MOBILE: 0.40,
    Media.CC123: 0.35,
    Media.WHATSAPP: 0.12,
    Media.SOSMED: 0.08,
    Media.WALK_IN: 0.05,
}
MELUAS_CUSTOMERS_MEDIAN = 80
# Standard deviation of a report around its village's centre, as a share of the
# village's larger bounding-box side.
SETTLEMENT_SPREAD = 0.15

FIRST_NAMES = (
    "Ahmad", "Budi", "Siti", "Dewi", "Rudi", "Agus", "Sri", "Hendra", "Yanti", "Rahmat",
    "Nurhayati", "Fitri", "Joko", "Rina", "Suryadi", "Hasan", "Ani", "Wahyu", "Lestari",
    "Andi", "Yusuf", "Maria", "Fransiska", "Akiong", "Ahui", "Meilani", "Rosita",
    "Irwan", "Dedi", "Novi",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Saputra", "Wijaya", "Hidayat", "Setiawan", "Kurniawan", "Lestari",
    "Rahman", "Pratama", "Susanto", "Gunawan", "Halim", "Tan", "Lim", "Syahputra",
    "Hartono", "Nasution", "Ramadhan", "Permata", "Anggraini",
)  # fmt: skip
STREETS = (
    "Jl. Jenderal Sudirman", "Jl. Ahmad Yani", "Jl. Depati Amir", "Jl. Diponegoro",
    "Jl. Merdeka", "Jl. Masjid Jamik", "Jl. Pahlawan", "Jl. Kampung Melayu",
    "Gg. Melati", "Gg. Mawar", "Jl. Raya Koba", "Jl. Batin Tikal", "Jl. Soekarno Hatta",
)  # fmt: skip
PHONE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896")
DESCRIPTIONS = {
    Category.INDIVIDU: (
        "Listrik padam satu rumah",
        "MCB turun, tidak bisa dinaikkan",
        "Kabel SR putus",
        "kWh meter tidak menyala",
        "Listrik padam, tetangga menyala",
    ),
    Category.MELUAS: (
        "Padam satu lingkungan",
        "Pohon tumbang menimpa jaringan",
        "Trafo berbunyi lalu padam",
        "Padam satu jalan",
    ),
    Category.KELUHAN: (
        "Token tidak masuk",
        "Tagihan tidak sesuai",
        "Permintaan pemeriksaan meter",
        "Tegangan kurang stabil",
    ),
}


class VillageSampler:
    """Draws a random point inside a village polygon.

    Which village: reports follow customers, and customers follow people, not
    land. Weighting by area (or its square root) gave the city of Pangkalpinang
    1–3 % of the reports and put the mean drive near 36 min, far from any published
    response time. Desa and kelurahan are split as they grow, so one village is a
    rough unit of population; a kelurahan (a town) counts KELURAHAN_WEIGHT, and the
    weight decays with the distance from the nearest posko (TOWN_DECAY_KM).

    Where in it: houses in a large rural desa line the road near its centre, not
    the plantations at its edge, so points scatter normally around the village's
    gazetteer point and are kept only when they fall inside the polygon.
    """

    def __init__(self, session: Session, placer: Placer):
        rows = session.execute(select(Village.id, Village.kind, Village.lon, Village.lat))
        info = {row.id: row for row in rows}
        pairs = sorted(placer.village_shapes(), key=lambda pair: pair[0].village_id)
        self._shapes = [shape for _place, shape in pairs]
        self._centres = [_centre(info[p.village_id], shape) for p, shape in pairs]
        self._ulps = np.array([p.ulp_id for p, _shape in pairs])
        for polygon in self._shapes:
            shapely.prepare(polygon)
        kinds = np.array(
            [
                KELURAHAN_WEIGHT if info[p.village_id].kind == "kelurahan" else 1.0
                for p, _shape in pairs
            ]
        )
        weights = kinds * np.exp(-_posko_distance_km(session, self._centres) / TOWN_DECAY_KM)
        self._weights = weights / weights.sum()

    def sample(self, rng: np.random.Generator) -> tuple[float, float]:
        return self._point_in(rng, int(rng.choice(len(self._shapes), p=self._weights)))

    def sample_in_ulp(self, rng: np.random.Generator, ulp_id: int | None) -> tuple[float, float]:
        """A point in one of the ULP's villages (by the same weights); anywhere without."""
        inside = self._ulps == ulp_id if ulp_id is not None else np.zeros(0, dtype=bool)
        if not inside.any():
            return self.sample(rng)
        weights = np.where(inside, self._weights, 0.0)
        return self._point_in(rng, int(rng.choice(len(self._shapes), p=weights / weights.sum())))

    def _point_in(self, rng: np.random.Generator, index: int) -> tuple[float, float]:
        polygon, (lon, lat) = self._shapes[index], self._centres[index]
        minx, miny, maxx, maxy = polygon.bounds
        spread = max(maxx - minx, maxy - miny) * SETTLEMENT_SPREAD

        # A handful of batches always hits; the centre itself is the last resort.
        for _attempt in range(20):
            xs = rng.normal(lon, spread, 16)
            ys = rng.normal(lat, spread, 16)
            inside = np.flatnonzero(shapely.contains_xy(polygon, xs, ys))
            if inside.size:
                return float(xs[inside[0]]), float(ys[inside[0]])
        return lon, lat


def _posko_distance_km(session: Session, centres: list[tuple[float, float]]) -> np.ndarray:
    stations = session.execute(select(Posko.lon, Posko.lat).order_by(Posko.id)).all()
    if not stations or not centres:
        return np.zeros(len(centres))
    px, py = geo.to_utm(np.array([s[0] for s in stations]), np.array([s[1] for s in stations]))
    cx, cy = geo.to_utm(np.array([c[0] for c in centres]), np.array([c[1] for c in centres]))
    px, py, cx, cy = map(np.asarray, (px, py, cx, cy))
    gaps = np.hypot(cx[:, None] - px[None, :], cy[:, None] - py[None, :])
    return gaps.min(axis=1) / 1000


def _centre(row, polygon) -> tuple[float, float]:
    if row.lon is not None and shapely.contains_xy(polygon, row.lon, row.lat):
        return row.lon, row.lat
    point = polygon.representative_point()
    return point.x, point.y


def person(rng: np.random.Generator) -> dict[str, str]:
    # Random digits, not a real PLN unit prefix: the unit's IDPEL scheme is not public.
    idpel = str(rng.integers(1, 10)) + "".join(str(d) for d in rng.integers(0, 10, 11))
    phone = str(rng.choice(PHONE_PREFIXES)) + "".join(
        str(d) for d in rng.integers(0, 10, int(rng.integers(7, 9)))
    )
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    street = f"{rng.choice(STREETS)} No. {int(rng.integers(1, 200))}"
    return {"idpel": idpel, "name": name, "phone": phone, "street": street}


def pick(rng: np.random.Generator, shares: dict):
    keys = list(shares)
    probabilities = np.array([shares[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=probabilities / probabilities.sum()))]


def raw_report(rng, at, category: Category, lon: float, lat: float, village: str) -> dict:
    """One report as a feed sends it (the API's field names), from a random caller."""
    caller = person(rng)
    return {
        "reported_at": at.isoformat(),
        "idpel": caller["idpel"],
        "name": caller["name"],
        "phone": caller["phone"],
        "address": f"{caller['street']}, {village}".rstrip(", "),
        "lat": lat,
        "lon": lon,
        "category": category.value,
        "media": pick(rng, MEDIA_SHARES).value,
        "description": str(rng.choice(DESCRIPTIONS[category])),
        "customers": customers(rng, category),
    }


def customers(rng: np.random.Generator, category: Category) -> int | None:
    # A padam meluas behind one distribution transformer: tens to a few hundred.
    if category is not Category.MELUAS:
        return None
    return int(np.clip(rng.lognormal(np.log(MELUAS_CUSTOMERS_MEDIAN), 0.8), 5, 2000))
