"""Point-in-polygon placement: which ULP, district and village a point lies in."""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Village


@dataclass(frozen=True)
class Place:
    village_id: int
    district_id: int
    ulp_id: int


class Placer:
    """Looks points up in the village coverage (villages tile every district and ULP)."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(Village.id, Village.district_id, Village.ulp_id, Village.geojson).where(
                Village.geojson.is_not(None)
            )
        ).all()
        self._places = [Place(r.id, r.district_id, r.ulp_id) for r in rows]
        self._shapes = [shape(json.loads(r.geojson)) for r in rows]
        self._tree = shapely.STRtree(self._shapes)

    def place(self, lon: float, lat: float) -> Place | None:
        hits = self._tree.query(Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self._places[int(hits[0])]

    def village_shapes(self) -> list[tuple[Place, object]]:
        return list(zip(self._places, self._shapes, strict=True))
