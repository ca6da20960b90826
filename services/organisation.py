"""Editing posko and crews from the console, validated and logged.

The unit replaces the placeholder posko positions and its crews here instead of
editing code or JSON; every change is one transaction with its event.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from comcen_desktop.domain import CrewStatus, Vehicle
from comcen_desktop.storage.models import Crew, Posko
from services import events

# Bangka with its small islands, with a margin: a posko outside is a typing error.
LON_RANGE = (104.9, 107.3)
LAT_RANGE = (-3.4, -1.3)


class OrganisationError(ValueError):
    """Bad input; the message names the record and the field."""


@dataclass
class PoskoEdit:
    id: int
    name: str
    lat: float
    lon: float
    personnel: int | None


@dataclass
class CrewEdit:
    id: int | None  # None adds a new crew
    code: str
    name: str
    posko_id: int
    vehicle: str
    members: int
    status: str
    shift: str | None = None  # pagi / sore / malam; None = on call around the clock


SHIFTS = ("pagi", "sore", "malam")
NAME_MAX, CODE_MAX = 80, 40  # the column lengths in storage.models


def check_text(label: str, field: str, value: str, limit: int) -> None:
    if not value.strip():
        raise OrganisationError(f"{label}: {field} kosong.")
    if len(value.strip()) > limit:
        raise OrganisationError(f"{label}: {field} lebih dari {limit} karakter.")


def check_unique(label: str, field: str, values: list[str]) -> None:
    """Names the first value used twice, before the database's constraint would."""
    seen: set[str] = set()
    for value in values:
        key = value.strip().casefold()
        if key in seen:
            raise OrganisationError(f"{label}: {field} '{value.strip()}' dipakai dua kali.")
        seen.add(key)


def check_position(label: str, lat: float, lon: float) -> None:
    if not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        raise OrganisationError(f"{label}: lintang {lat} di luar Bangka ({LAT_RANGE}).")
    if not LON_RANGE[0] <= lon <= LON_RANGE[1]:
        raise OrganisationError(f"{label}: bujur {lon} di luar Bangka ({LON_RANGE}).")


def update_posko(session: Session, edit: PoskoEdit, actor: str) -> bool:
    station = session.get(Posko, edit.id)
    if station is None:
        raise OrganisationError(f"Posko {edit.id} tidak ada.")
    check_text(f"Posko {station.name}", "nama", edit.name, NAME_MAX)
    check_position(f"Posko {edit.name}", edit.lat, edit.lon)
    if edit.personnel is not None and edit.personnel < 0:
        raise OrganisationError(f"Posko {edit.name}: personel tidak boleh negatif.")

    before = _posko_dict(station)
    station.name, station.lat, station.lon = edit.name.strip(), edit.lat, edit.lon
    station.personnel = edit.personnel
    after = _posko_dict(station)
    if before == after:
        return False
    _move_idle_crews(station)
    events.record(session, "update", "posko", station.id, actor=actor, before=before, after=after)
    return True


def _move_idle_crews(station: Posko) -> None:
    # Crews waiting at the posko move with it; crews out on a job keep their position.
    for crew in station.crews:
        if crew.status in (
            CrewStatus.SIAGA.value,
            CrewStatus.ISTIRAHAT.value,
            CrewStatus.LIBUR.value,
        ):
            crew.lat, crew.lon = station.lat, station.lon


def save_crew(session: Session, edit: CrewEdit, actor: str) -> bool:
    label = f"Regu {edit.code or edit.name}"
    _check_crew(session, edit, label)
    crew = session.get(Crew, edit.id) if edit.id is not None else None
    if edit.id is not None and crew is None:
        raise OrganisationError(f"{label}: regu {edit.id} tidak ada.")
    if crew is None:
        crew = _new_crew(session, edit)
        session.flush()
        events.record(session, "create", "crew", crew.id, actor=actor, after=_crew_dict(crew))
        return True

    before = _crew_dict(crew)
    crew.code, crew.name, crew.posko_id = (
        edit.code.strip(),
        edit.name.strip(),
        edit.posko_id,
    )
    crew.vehicle, crew.members, crew.status = edit.vehicle, edit.members, edit.status
    crew.shift = edit.shift
    after = _crew_dict(crew)
    if before == after:
        return False
    events.record(session, "update", "crew", crew.id, actor=actor, before=before, after=after)
    return True


def _check_crew(session: Session, edit: CrewEdit, label: str) -> None:
    if edit.shift is not None and edit.shift not in SHIFTS:
        raise OrganisationError(f"{label}: shift '{edit.shift}' tidak dikenal.")
    check_text(label, "kode", edit.code, CODE_MAX)
    check_text(label, "nama", edit.name, NAME_MAX)
    if edit.vehicle not in {v.value for v in Vehicle}:
        raise OrganisationError(f"{label}: kendaraan '{edit.vehicle}' tidak dikenal.")
    if edit.status not in {s.value for s in CrewStatus}:
        raise OrganisationError(f"{label}: status '{edit.status}' tidak dikenal.")
    if not 1 <= edit.members <= 12:
        raise OrganisationError(f"{label}: jumlah anggota harus 1–12.")
    if session.get(Posko, edit.posko_id) is None:
        raise OrganisationError(f"{label}: posko {edit.posko_id} tidak ada.")


def _new_crew(session: Session, edit: CrewEdit) -> Crew:
    station = session.get(Posko, edit.posko_id)
    crew = Crew(
        code=edit.code.strip(),
        name=edit.name.strip(),
        posko_id=edit.posko_id,
        vehicle=edit.vehicle,
        members=edit.members,
        status=edit.status,
        shift=edit.shift,
        lat=station.lat,
        lon=station.lon,
    )
    session.add(crew)
    return crew


def _posko_dict(station: Posko) -> dict:
    return {
        "name": station.name,
        "lat": station.lat,
        "lon": station.lon,
        "personnel": station.personnel,
    }


def _crew_dict(crew: Crew) -> dict:
    return {
        "code": crew.code,
        "name": crew.name,
        "posko_id": crew.posko_id,
        "vehicle": crew.vehicle,
        "members": crew.members,
        "status": crew.status,
        "shift": crew.shift,
    }
