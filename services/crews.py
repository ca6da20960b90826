"""Crews as they are: finding one by code or name, and storing where it is.

A position comes from the crews' feed (the local JSON API), from the simulator,
or from an operator; all of them store it through ``update_position``, which
writes the same logged change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comcen_desktop.domain import CrewStatus
from comcen_desktop.storage.models import Crew
from comcen_desktop.timeutil import as_utc, format_wib, parse_iso, utc_now
from services import events
from services.organisation import LAT_RANGE, LON_RANGE

# A phone clock a little ahead is normal; a position from further ahead is a wrong clock.
MAX_CLOCK_AHEAD = timedelta(minutes=5)


class CrewNotFoundError(LookupError):
    """No crew has that code or name; the message is for the operator."""


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class PositionUpdate:
    """A checked position message, ready to store."""

    crew_id: int
    lon: float
    lat: float
    at: datetime
    status: str | None


def find_crew(session: Session, code_or_name: str) -> Crew:
    """The crew with this code (exact, any case) or else this name; raises if none."""
    text = code_or_name.strip()
    crew = session.scalar(select(Crew).where(func.lower(Crew.code) == text.lower()))
    if crew is None:
        crew = session.scalar(select(Crew).where(func.lower(Crew.name) == text.lower()))
    if crew is None:
        # "Regu Mentok 1" for "Regu Mentok 1 (mobil)": a name typed without its vehicle.
        starting = session.scalars(
            select(Crew).where(func.lower(Crew.name).like(f"{text.lower()} (%"))
        ).all()
        crew = starting[0] if len(starting) == 1 else None
    if crew is None:
        raise CrewNotFoundError(_not_found_message(session, code_or_name))
    return crew


def _not_found_message(session: Session, code_or_name: str) -> str:
    # "Mentok" names a posko with two crews: list them rather than only say no.
    pattern = f"%{code_or_name.strip().lower()}%"
    close = session.scalars(
        select(Crew.code)
        .where(func.lower(Crew.code).like(pattern) | func.lower(Crew.name).like(pattern))
        .order_by(Crew.code)
        .limit(6)
    ).all()
    if close:
        return f"Regu '{code_or_name}' tidak tepat; maksudnya salah satu dari: {', '.join(close)}?"
    return f"Regu '{code_or_name}' tidak dikenal."


def in_bangka(lon: float, lat: float) -> bool:
    return LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]


def update_position(
    session: Session,
    crew: Crew | int,
    lon: float,
    lat: float,
    at: datetime,
    actor: str,
    status: str | None = None,
) -> dict[str, Any]:
    """Store where a crew is (and optionally its status) with one logged event.

    Returns the stored position as plain data. The crew's version column makes a
    concurrent change of the same crew fail with StaleDataError, never overwrite it.
    """
    if isinstance(crew, int):
        crew = session.get(Crew, crew)
    before = {"lon": crew.lon, "lat": crew.lat, "status": crew.status}
    crew.lon, crew.lat, crew.position_at = lon, lat, as_utc(at)
    if status is not None:
        crew.status = CrewStatus(status).value
    session.flush()
    after = {"lon": lon, "lat": lat, "at": crew.position_at.isoformat(), "status": crew.status}
    events.record(session, "position", "crew", crew.id, actor=actor, before=before, after=after)
    return {"crew": crew.code, "name": crew.name, **after}


def check_position_message(
    session: Session, payload: Any, now: datetime | None = None
) -> tuple[PositionUpdate | None, list[FieldError]]:
    """Validate a feed message {"crew", "lat", "lon", "at", "status"?}.

    Returns the update, or None and every field error found (not just the first),
    so a feed developer fixes a message in one round.
    """
    if not isinstance(payload, dict):
        return None, [FieldError("", "Pesan harus objek JSON.")]
    now = now or utc_now()
    errors: list[FieldError] = []
    crew_id = _check_crew(session, payload.get("crew"), errors)
    lon = _check_number(payload, "lon", LON_RANGE, errors)
    lat = _check_number(payload, "lat", LAT_RANGE, errors)
    at = _check_time(payload.get("at"), now, errors)
    status = _check_status(payload.get("status"), errors)
    if crew_id is not None and at is not None:
        _check_not_older(session, crew_id, at, errors)
    if errors:
        return None, errors
    return PositionUpdate(crew_id, lon, lat, at, status), []


def _check_not_older(session: Session, crew_id: int, at: datetime, errors) -> None:
    # Phones resend queued fixes after a dead zone: an old fix must not replace a newer
    # one, or the crew would look silent and proposals would start from the wrong place.
    known = session.get(Crew, crew_id).position_at
    if known is not None and at < known:
        errors.append(
            FieldError("at", f"Lebih lama dari posisi tersimpan ({format_wib(known)}); diabaikan.")
        )


def _check_crew(session: Session, value: Any, errors: list[FieldError]) -> int | None:
    if not isinstance(value, str) or not value.strip():
        errors.append(FieldError("crew", "Kode regu wajib diisi (teks)."))
        return None
    try:
        return find_crew(session, value).id
    except CrewNotFoundError as exc:
        errors.append(FieldError("crew", str(exc)))
        return None


def _check_number(
    payload: dict, name: str, bounds: tuple[float, float], errors: list[FieldError]
) -> float | None:
    value = payload.get(name)
    # bool is an int in Python; true/false is never a coordinate.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.append(FieldError(name, f"'{name}' wajib berupa angka."))
        return None
    if not bounds[0] <= value <= bounds[1]:
        errors.append(
            FieldError(name, f"'{name}' {value} di luar Bangka ({bounds[0]}…{bounds[1]}).")
        )
        return None
    return float(value)


def _check_time(value: Any, now: datetime, errors: list[FieldError]) -> datetime | None:
    if not isinstance(value, str):
        errors.append(FieldError("at", "'at' wajib berupa waktu ISO 8601 dengan zona."))
        return None
    try:
        if datetime.fromisoformat(value.strip()).tzinfo is None:
            errors.append(FieldError("at", "'at' tanpa zona waktu (mis. +07:00 atau Z)."))
            return None
        at = parse_iso(value)
    except (ValueError, OverflowError):
        errors.append(FieldError("at", f"'at' '{value[:40]}' bukan waktu ISO 8601."))
        return None
    if at > now + MAX_CLOCK_AHEAD:
        errors.append(FieldError("at", "'at' lebih dari 5 menit di masa depan."))
        return None
    return at


def _check_status(value: Any, errors: list[FieldError]) -> str | None:
    if value is None:
        return None
    allowed = [s.value for s in CrewStatus]
    if value not in allowed:
        errors.append(FieldError("status", f"'status' harus salah satu dari {allowed}."))
        return None
    return value
