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

from comcen_desktop.domain import Category
from comcen_desktop.storage.models import Village
from services.placement import Placer

KELURAHAN_WEIGHT = 1.5
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
    1–3 % of the reports. Desa and kelurahan are split as they grow, so one village
    is a fair unit of population; urban kelurahan count 1.5. That puts the five
    ULPs at about 18/27/20/20/16 %, close to the regencies' census shares.

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
        for polygon in self._shapes:
            shapely.prepare(polygon)
        weights = np.array(
            [
                KELURAHAN_WEIGHT if info[p.village_id].kind == "kelurahan" else 1.0
                for p, _shape in pairs
            ]
        )
        self._weights = weights / weights.sum()

    def sample(self, rng: np.random.Generator) -> tuple[float, float]:
        index = int(rng.choice(len(self._shapes), p=self._weights))
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
