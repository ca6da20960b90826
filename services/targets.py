"""Per-ULP figures the unit sets: customers served (N_T for SAIDI/SAIFI) and the
RPT/RCT targets of a year. Validated and logged like every other change."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.storage.models import KpiTarget, UlpArea
from services import events
from services.organisation import OrganisationError

MAX_CUSTOMERS = 5_000_000
MAX_TARGET_MIN = 24 * 60


@dataclass
class UlpFigures:
    ulp_id: int
    name: str
    customers: int | None
    rpt_target_min: float
    rct_target_min: float


def load(session: Session, year: int) -> list[UlpFigures]:
    targets = {
        t.ulp_id: t for t in session.scalars(select(KpiTarget).where(KpiTarget.year == year))
    }
    default_rpt = float(settings.get(session, "kpi.rpt_target_min"))
    default_rct = float(settings.get(session, "kpi.rct_target_min"))
    return [
        UlpFigures(
            area.id,
            area.name,
            area.customers,
            targets[area.id].rpt_min if area.id in targets else default_rpt,
            targets[area.id].rct_min if area.id in targets else default_rct,
        )
        for area in session.scalars(select(UlpArea).order_by(UlpArea.id))
    ]


def save(session: Session, figures: UlpFigures, year: int, actor: str) -> bool:
    _check(figures)
    area = session.get(UlpArea, figures.ulp_id)
    target = session.scalar(
        select(KpiTarget).where(KpiTarget.ulp_id == figures.ulp_id, KpiTarget.year == year)
    )
    before = _snapshot(area, target)
    area.customers = figures.customers
    if target is None:
        target = KpiTarget(ulp_id=area.id, year=year, rpt_min=0.0, rct_min=0.0)
        session.add(target)
    target.rpt_min, target.rct_min = figures.rpt_target_min, figures.rct_target_min
    after = _snapshot(area, target)
    if before == after:
        return False
    events.record(session, "update", "ulp", area.id, actor=actor, before=before,
                  after=after | {"year": year})  # fmt: skip
    return True


def _check(figures: UlpFigures) -> None:
    label = f"ULP {figures.name}"
    if figures.customers is not None and not 0 < figures.customers <= MAX_CUSTOMERS:
        raise OrganisationError(f"{label}: jumlah pelanggan harus 1–{MAX_CUSTOMERS:,}.")
    for field, value in (("target RPT", figures.rpt_target_min),
                         ("target RCT", figures.rct_target_min)):  # fmt: skip
        if not math.isfinite(value) or not 0 < value <= MAX_TARGET_MIN:
            raise OrganisationError(f"{label}: {field} harus lebih dari 0 dan paling lama 24 jam.")
    if figures.rct_target_min < figures.rpt_target_min:
        raise OrganisationError(f"{label}: target RCT tidak boleh lebih cepat dari target RPT.")


def _snapshot(area: UlpArea, target: KpiTarget | None) -> dict:
    return {
        "customers": area.customers,
        "rpt_min": target.rpt_min if target else None,
        "rct_min": target.rct_min if target else None,
    }
