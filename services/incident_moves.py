"""Moving a confirmed padam meluas: all members together, all or nothing.

Every move checks every member first and changes nothing when one of them cannot
move, so a caller that catches the IncidentError inside its transaction still holds
no half-moved incident. Members that are already at the target (or past it, on a
forward move) are left where they are: a straggler catches up, nobody goes back.

lifecycle.advance and dispatch.assign refuse a member on its own (``via_incident``):
a member's stage changes only through its incident.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop.domain import (
    CLOSED_STAGES,
    RESTORED_STAGES,
    STAGE_LABELS,
    STAGE_ORDER,
    Stage,
    can_move,
)
from comcen_desktop.storage.models import Crew, Incident, Report
from comcen_desktop.timeutil import as_utc
from services import dispatch, events, lifecycle
from services.incidents import (
    AKTIF,
    BATAL,
    SELESAI,
    IncidentError,
    _ineligible,
    check_version,
    incident_snapshot,
    members_of,
    refresh_shape,
)

log = logging.getLogger(__name__)


def advance_incident(
    session: Session,
    incident: Incident,
    target: Stage,
    at: datetime,
    actor: str,
    note: str | None = None,
    *,
    expected_version: int | None = None,
) -> list[str]:
    """Move every member to ``target``; return the numbers moved, or raise
    IncidentError naming each member that cannot move (then nothing moved)."""
    at = as_utc(at)
    _check_active(incident, expected_version)
    if target is Stage.PENUGASAN:
        raise IncidentError(f"Padam meluas {incident.number}: tugaskan lewat 'Tugaskan ke…'.")
    if target is Stage.BATAL and not (note or "").strip():
        raise IncidentError(f"Padam meluas {incident.number}: Batal butuh alasan.")

    forward = _is_forward(Stage(incident.stage), target)
    moving, problems = [], []
    for report in members_of(session, incident):
        if _already_there(Stage(report.stage), target, forward):
            continue
        if can_move(Stage(report.stage), target):
            moving.append(report)
        else:
            problems.append(_stuck(report, target))
    if problems:
        raise IncidentError(problems)

    before = incident_snapshot(incident)
    for report in moving:
        lifecycle.advance(session, report, target, at, actor, note, via_incident=True)
    incident.stage = target.value
    if target is Stage.SELESAI:
        incident.status = SELESAI
    elif target is Stage.BATAL:
        incident.status = BATAL
    session.flush()
    _record(session, "incident_stage", incident, actor, before, {"at": at.isoformat()})
    return [report.number for report in moving]


def _is_forward(current: Stage, target: Stage) -> bool:
    if target is Stage.BATAL:
        return True
    return STAGE_ORDER.index(target) > STAGE_ORDER.index(current)


def _already_there(stage: Stage, target: Stage, forward: bool) -> bool:
    if stage is target:
        return True
    if not forward or target is Stage.BATAL or stage is Stage.BATAL:
        return False
    return STAGE_ORDER.index(stage) > STAGE_ORDER.index(target)


def _stuck(report: Report, target: Stage) -> str:
    return (
        f"Laporan {report.number}: dari '{STAGE_LABELS[Stage(report.stage)]}' tidak bisa ke "
        f"'{STAGE_LABELS[target]}'."
    )


def _check_active(incident: Incident, expected_version: int | None) -> None:
    check_version(incident, expected_version)
    if incident.status != AKTIF:
        raise IncidentError(f"Padam meluas {incident.number} sudah '{incident.status}'.")


def assign_incident(
    session: Session,
    incident: Incident,
    crew: Crew,
    actor: str,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> dispatch.AssignResult:
    """Give every member still before Dalam Perjalanan to ``crew`` (dispatch's rules,
    events and version checks); members already on their way keep their crew."""
    now = as_utc(now)
    _check_active(incident, expected_version)
    members = [
        report
        for report in members_of(session, incident)
        if Stage(report.stage) in dispatch.ASSIGNABLE_STAGES and report.crew_id != crew.id
    ]
    if not members:
        raise IncidentError(
            f"Padam meluas {incident.number}: tidak ada laporan yang bisa ditugaskan ke "
            f"{crew.name}."
        )
    problems = [
        why
        for report in members
        if (why := dispatch.refusal(Stage(report.stage), report.crew_id, crew.id,
                                    crew.status, report.number))
    ]  # fmt: skip
    if problems:
        raise IncidentError(problems)

    before = incident_snapshot(incident)
    ids = [report.id for report in members]
    reason = f"padam meluas {incident.number}"
    result = dispatch.assign(session, ids, crew.id, actor, now, reason=reason, via_incident=True)
    if result.refused:  # the checks above make this a bug, not an operator's mistake
        raise IncidentError(result.refused)
    if incident.stage == Stage.LAPOR.value:
        incident.stage = Stage.PENUGASAN.value
    session.flush()
    _record(session, "incident_assign", incident, actor, before, {"crew": crew.name})
    return result


def add_member(
    session: Session, incident: Incident, report_id: int, actor: str, now: datetime
) -> Report:
    """Bring a report into an active incident still without power, catching it up to
    the incident's stage (with the crew of the other members)."""
    now = as_utc(now)
    _check_active(incident, None)
    if Stage(incident.stage) in RESTORED_STAGES | CLOSED_STAGES:
        raise IncidentError(f"Padam meluas {incident.number} sudah nyala; buat kejadian baru.")
    report = session.get(Report, report_id)
    problem = _ineligible(session, report, report_id)
    if problem:
        raise IncidentError(problem)

    before = incident_snapshot(incident)
    _catch_up(session, incident, report, actor, now)
    report.incident_id = incident.id
    session.flush()
    refresh_shape(session, incident)
    session.flush()
    _record(session, "incident_join", incident, actor, before, {"report": report.number})
    return report


def join(session: Session, incident: Incident, report_ids, actor: str, now: datetime) -> None:
    """Accept a joiner proposal: every report joins, or none (caller's transaction)."""
    for report_id in sorted(set(report_ids)):
        add_member(session, incident, report_id, actor, now)


def _catch_up(session, incident: Incident, report: Report, actor: str, at: datetime) -> None:
    target = STAGE_ORDER.index(Stage(incident.stage))
    crew_id = next((m.crew_id for m in members_of(session, incident) if m.crew_id), None)
    while STAGE_ORDER.index(Stage(report.stage)) < target:
        step = STAGE_ORDER[STAGE_ORDER.index(Stage(report.stage)) + 1]
        if step is Stage.NYALA_SEMENTARA and incident.stage != Stage.NYALA_SEMENTARA.value:
            step = Stage.NYALA
        if step is Stage.PENUGASAN:
            _assign_to_members_crew(session, incident, report, crew_id, actor, at)
        else:
            lifecycle.advance(session, report, step, at, actor, f"ikut {incident.number}")


def _assign_to_members_crew(session, incident, report, crew_id, actor, at) -> None:
    if crew_id is None:
        raise IncidentError(f"Padam meluas {incident.number} belum punya regu.")
    result = dispatch.assign(
        session, [report.id], crew_id, actor, at, reason=f"padam meluas {incident.number}"
    )
    if result.refused:
        raise IncidentError(result.refused)


def remove_member(
    session: Session, incident: Incident, report_id: int, actor: str, now: datetime
) -> Report:
    """Take a report out of its incident; it moves on its own from then on."""
    report = session.get(Report, report_id)
    if report is None or report.incident_id != incident.id:
        raise IncidentError(f"Laporan {report_id} bukan anggota padam meluas {incident.number}.")
    if len(incident.member_ids or []) <= 1:
        raise IncidentError(
            f"Laporan {report.number} anggota terakhir {incident.number}; batalkan kejadiannya."
        )
    before = incident_snapshot(incident)
    report.incident_id = None
    session.flush()
    refresh_shape(session, incident)
    session.flush()
    extra = {"report": report.number, "at": as_utc(now).isoformat()}
    _record(session, "incident_leave", incident, actor, before, extra)
    return report


def _record(session, kind: str, incident: Incident, actor: str, before: dict, extra: dict):
    events.record(
        session,
        kind,
        "incident",
        incident.id,
        actor=actor,
        before=before,
        after=incident_snapshot(incident) | extra,
    )


def write(database, change: Callable[[Session], object]) -> tuple[object | None, str | None]:
    """Run ``change`` in a transaction of its own: (its result, None), or (None, the
    operator's message) when it was refused, lost a race, or the database said no."""
    try:
        with database.transaction() as session:
            return change(session), None
    except (IncidentError, lifecycle.StageError) as exc:
        return None, str(exc)
    except StaleDataError:
        return None, "Padam meluas baru saja diubah di konsol lain; muat ulang."
    except OperationalError as exc:
        log.warning("Incident write: database busy (%s)", exc.orig)
        return None, "Database sibuk; perubahan belum tersimpan, coba lagi."
    except SQLAlchemyError as exc:
        log.exception("Incident write failed")
        return None, f"Database menolak perubahan: {str(getattr(exc, 'orig', exc)).splitlines()[0]}"
