"""Assigning reports to crews: the one path behind a drop, a key and the CLI.

An assignment is one transaction holding the report's new stage, its stage row
and the event. The report's version column makes two consoles that assign the
same report at once end with one winner; the loser is told who got it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from comcen_desktop.domain import (
    CLOSED_STAGES,
    CREW_STATUS_LABELS,
    STAGE_LABELS,
    UNAVAILABLE_CREW,
    CrewStatus,
    Stage,
)
from comcen_desktop.i18n import tr
from comcen_desktop.storage.models import Crew, Report, ReportStage
from comcen_desktop.timeutil import utc_now
from services import authz, crews, events, lifecycle

log = logging.getLogger(__name__)

# A report may be (re)assigned only before the crew has set off.
ASSIGNABLE_STAGES = frozenset({Stage.LAPOR, Stage.PENUGASAN})
BUSY_ATTEMPTS = 3
BUSY_PAUSE_S = 0.2


@dataclass
class AssignResult:
    assigned: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per refused report
    # Reports another console or process got first: number -> the crew holding it now.
    lost_to: dict[str, str | None] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.assigned) and not self.refused

    @property
    def lost_race(self) -> bool:
        """Refused only because someone else changed the reports first."""
        return bool(self.lost_to) and len(self.lost_to) == len(self.refused)


# Runs inside the assignment's transaction once every report is assigned: a proposal
# acceptance is logged with the assignment or not at all.
AfterAssign = Callable[[Session, AssignResult], None]


def refusal(
    stage: Stage, current_crew_id: int | None, crew_id: int, crew_status: str, number: str
) -> str | None:
    """Why this report cannot go to this crew, in the operator's words; None when it can."""
    if crew_status in {s.value for s in UNAVAILABLE_CREW}:
        label = CREW_STATUS_LABELS[CrewStatus(crew_status)]
        return tr("Regu sedang '{status}' dan tidak menerima tugas.").format(status=label)
    if stage in CLOSED_STAGES:
        return tr("Laporan {n} sudah '{stage}'.").format(n=number, stage=STAGE_LABELS[stage])
    if stage not in ASSIGNABLE_STAGES:
        return tr("Laporan {n} sudah '{stage}'; regu tidak bisa diganti lagi.").format(
            n=number, stage=STAGE_LABELS[stage]
        )
    if current_crew_id == crew_id:
        return tr("Laporan {n} sudah ditugaskan ke regu ini.").format(n=number)
    return None


def assign(
    session: Session,
    report_ids: list[int],
    crew_id: int,
    actor: str,
    at: datetime | None = None,
    *,
    expected_versions: dict[int, int] | None = None,
    only_unassigned: bool = False,
    reason: str | None = None,
    via_incident: bool = False,
) -> AssignResult:
    """Assign each report to the crew inside the caller's transaction.

    ``expected_versions`` are the versions the console showed: a report at another
    version was changed meanwhile and is refused, naming who has it now. The check is
    made on the very row object that gets updated, and that UPDATE carries the version
    in its WHERE clause, so a change committed in between raises StaleDataError.

    ``only_unassigned`` is for callers that saw no version (a script, auto-dispatch):
    a report another crew already holds counts as lost to that crew, not reassigned.
    ``reason`` is kept in the event (a reassignment's why, a proposal's rank).
    A padam meluas member is assigned only with its incident (``via_incident``, from
    services.incident_moves.assign_incident).
    """
    at = at or utc_now()
    expected = expected_versions or {}
    result = AssignResult()
    if why_not := authz.refusal_now("dispatch.assign"):
        result.refused.append(why_not)
        return result
    crew = session.get(Crew, crew_id)
    if crew is None:
        result.refused.append(f"Regu {crew_id} tidak ada.")
        return result

    for report_id in report_ids:
        report = session.get(Report, report_id)
        if report is None:
            result.refused.append(f"Laporan {report_id} tidak ada.")
            continue
        taken = (
            only_unassigned
            and report.crew_id not in (None, crew.id)
            and Stage(report.stage) not in CLOSED_STAGES
        )
        if taken or expected.get(report_id, report.version) != report.version:
            _refuse_as_lost(session, report, result)
            continue
        why_not = refusal(Stage(report.stage), report.crew_id, crew.id, crew.status, report.number)
        if report.incident_id is not None and not via_incident:
            why_not = tr("Laporan {n} bagian dari padam meluas; tugaskan lewat kejadiannya.")
            why_not = why_not.format(n=report.number)
        if why_not:
            result.refused.append(why_not)
            continue
        _assign_one(session, report, crew, actor, at, reason)
        result.assigned.append(report.number)
    return result


def _refuse_as_lost(session: Session, report: Report, result: AssignResult) -> None:
    holder = session.get(Crew, report.crew_id) if report.crew_id else None
    result.refused.append(_changed_message(session, report))
    result.lost_to[report.number] = holder.name if holder else None


def _assign_one(
    session: Session,
    report: Report,
    crew: Crew,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> None:
    before = lifecycle.report_snapshot(report)
    previous = session.get(Crew, report.crew_id) if report.crew_id else None
    report.crew_id = crew.id
    report.stage = Stage.PENUGASAN.value
    lifecycle.add_stage_row(session, report, Stage.PENUGASAN, at, actor, note=crew.name)
    session.flush()
    events.record(
        session,
        "assign",
        "report",
        report.id,
        actor=actor,
        before=before,
        after=lifecycle.report_snapshot(report)
        | {"crew": crew.name}
        | ({"previous_crew": previous.name} if previous else {})
        | ({"reason": reason} if reason else {}),
    )


def assign_now(
    database,
    report_ids: list[int],
    crew_id: int,
    actor: str,
    expected_versions: dict[int, int] | None = None,
    *,
    only_unassigned: bool = False,
    reason: str | None = None,
    after_assign: AfterAssign | None = None,
) -> AssignResult:
    """Assign in a transaction of its own; a lost race or a busy database becomes a
    refusal the operator can read, never an exception."""
    if not report_ids:
        return AssignResult(refused=[tr("Tidak ada laporan untuk ditugaskan.")])
    options = _Options(only_unassigned, reason, after_assign)
    seen: dict[int, int] = dict(expected_versions or {})
    return _write_with_retries(
        database,
        lambda: _assign_once(database, report_ids, crew_id, actor, seen, options),
        report_ids,
        seen,
    )


def _write_with_retries(database, write, report_ids: list[int], seen: dict) -> AssignResult:
    """Run one dispatch write; every way it can fail becomes a refusal in words."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return write()
        except _RefusedError as refused:
            return refused.result
        except StaleDataError as exc:
            # Another console committed between our read and our UPDATE (which matched no
            # row of the version we read): say who has the report now all the same.
            log.info("Dispatch write lost a race: %s", exc)
            return _changed_result(database, report_ids, seen)
        except OperationalError as exc:
            # SQLite's busy timeout ran out behind a long run of other writers (a
            # simulation, a bulk import): try again a few times, then say so plainly.
            log.warning("Dispatch write attempt %d: database busy (%s)", attempt, exc.orig)
            time.sleep(BUSY_PAUSE_S * attempt)
        except SQLAlchemyError as exc:
            log.exception("Dispatch write failed")
            first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
            return AssignResult(
                refused=[tr("Database menolak perubahan: {e}").format(e=first_line)]
            )
    return AssignResult(
        refused=[tr("Database sibuk atau tidak terjangkau; perubahan belum tersimpan, coba lagi.")]
    )


@dataclass(frozen=True)
class _Options:
    only_unassigned: bool = False
    reason: str | None = None
    after_assign: AfterAssign | None = None


def _assign_once(database, report_ids, crew_id, actor, seen, options: _Options) -> AssignResult:
    with database.transaction() as session:
        # Without the console's versions, the versions read here are the ones held.
        for report_id in report_ids:
            if report_id not in seen and (report := session.get(Report, report_id)):
                seen[report_id] = report.version
        result = assign(
            session,
            report_ids,
            crew_id,
            actor,
            expected_versions=seen,
            only_unassigned=options.only_unassigned,
            reason=options.reason,
        )
        if result.refused:
            # All or nothing: a multi-drop with one bad report stores nothing.
            raise _RefusedError(result)
        if options.after_assign is not None:
            options.after_assign(session, result)
        return result


class _RefusedError(Exception):
    def __init__(self, result: AssignResult):
        super().__init__("; ".join(result.refused))
        self.result = AssignResult(refused=result.refused, lost_to=result.lost_to)


def _changed_message(session: Session, report: Report) -> str:
    crew = session.get(Crew, report.crew_id) if report.crew_id else None
    who = f" ke {crew.name}" if crew else ""
    return (
        f"Laporan {report.number} baru saja diubah di konsol lain{who} "
        f"('{STAGE_LABELS[Stage(report.stage)]}')."
    )


def _changed_result(database, report_ids: list[int], seen: dict[int, int]) -> AssignResult:
    result = AssignResult()
    with database.read() as session:
        for report_id in report_ids:
            report = session.get(Report, report_id)
            if report is not None and report.version != seen.get(report_id):
                _refuse_as_lost(session, report, result)
    if not result.refused:
        result.refused.append("Laporan baru saja diubah di konsol lain.")
    return result


# --- undo and reassign -----------------------------------------------------------------


def unassign(
    session: Session,
    report_id: int,
    actor: str,
    reason: str,
    at: datetime | None = None,
    *,
    expected_version: int | None = None,
) -> AssignResult:
    """Take a report back from its crew (Penugasan → Lapor) inside the caller's
    transaction; refused once the crew has set off (Dalam Perjalanan or later).

    The Penugasan stage row goes: the report is as if never assigned, and the event
    keeps who had it, since when, and why it was taken back.
    """
    at = at or utc_now()
    result = AssignResult()
    if why_not := authz.refusal_now("dispatch.unassign"):
        result.refused.append(why_not)
        return result
    report = session.get(Report, report_id)
    if report is None:
        result.refused.append(f"Laporan {report_id} tidak ada.")
        return result
    if expected_version is not None and expected_version != report.version:
        _refuse_as_lost(session, report, result)
        return result
    stage = Stage(report.stage)
    if stage is not Stage.PENUGASAN:
        result.refused.append(_unassign_refusal(report.number, stage))
        return result
    if report.incident_id is not None:
        # Taking one member back would split the incident: remove it from it first.
        result.refused.append(
            tr("Laporan {n} bagian dari padam meluas; keluarkan dulu dari kejadiannya.").format(
                n=report.number
            )
        )
        return result

    crew = session.get(Crew, report.crew_id)
    row = session.scalar(
        select(ReportStage).where(
            ReportStage.report_id == report.id, ReportStage.stage == Stage.PENUGASAN.value
        )
    )
    before = lifecycle.report_snapshot(report) | {"crew": crew.name if crew else None}
    if row is not None:
        before |= {"assigned_at": row.at.isoformat(), "assigned_by": row.actor}
        session.delete(row)
    report.stage, report.crew_id = Stage.LAPOR.value, None
    session.flush()
    events.record(
        session,
        "unassign",
        "report",
        report.id,
        actor=actor,
        before=before,
        after=lifecycle.report_snapshot(report) | {"reason": reason, "at": at.isoformat()},
    )
    result.assigned.append(report.number)
    return result


def _unassign_refusal(number: str, stage: Stage) -> str:
    if stage is Stage.LAPOR:
        return tr("Laporan {n} belum ditugaskan.").format(n=number)
    return tr("Laporan {n} sudah '{stage}'; penugasan tidak bisa dibatalkan lagi.").format(
        n=number, stage=STAGE_LABELS[stage]
    )


def unassign_now(
    database,
    report_ids: list[int],
    actor: str,
    reason: str,
    expected_versions: dict[int, int] | None = None,
) -> AssignResult:
    """Undo assignments in one transaction of their own: all of them or none."""
    expected = dict(expected_versions or {})
    return _write_with_retries(
        database,
        lambda: _unassign_once(database, report_ids, actor, reason, expected),
        report_ids,
        expected,
    )


def _unassign_once(database, report_ids, actor, reason, expected) -> AssignResult:
    with database.transaction() as session:
        result = AssignResult()
        for report_id in report_ids:
            one = unassign(
                session, report_id, actor, reason, expected_version=expected.get(report_id)
            )
            result.assigned += one.assigned
            result.refused += one.refused
            result.lost_to |= one.lost_to
        if result.refused:
            raise _RefusedError(result)
        return result


def reassign(
    session: Session,
    report_id: int,
    crew_id: int,
    actor: str,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
) -> AssignResult:
    """Give an assigned report (still Penugasan) to another crew, with the reason logged.

    The same rules as a drop: refused once the crew has set off."""
    report = session.get(Report, report_id)
    if report is not None and Stage(report.stage) is Stage.LAPOR:
        return AssignResult(refused=[tr("Laporan {n} belum ditugaskan.").format(n=report.number)])
    expected = {report_id: expected_version} if expected_version is not None else None
    return assign(session, [report_id], crew_id, actor, expected_versions=expected, reason=reason)


# --- the scriptable path ---------------------------------------------------------------

OUTCOME_STORED, OUTCOME_TAKEN, OUTCOME_INVALID = "stored", "taken", "invalid"


@dataclass(frozen=True)
class Outcome:
    kind: str  # stored / taken / invalid
    message: str  # one line


def assign_by_reference(database, number: str, crew_ref: str, actor: str) -> Outcome:
    """``comcen assign REPORT_NO CREW``: the same service as a drop, for a script.

    Without a console's view there is no version to compare, so a report another crew
    already holds is "taken" (never silently reassigned), naming that crew.
    """
    if not number.strip():
        return Outcome(OUTCOME_INVALID, "Nomor laporan kosong.")
    with database.read() as session:
        report = session.scalar(select(Report).where(Report.number == number.strip()))
        try:
            crew = crews.find_crew(session, crew_ref)
            crew_id, crew_name = crew.id, crew.name
        except crews.CrewNotFoundError as exc:
            return Outcome(OUTCOME_INVALID, str(exc))
    if report is None:
        return Outcome(OUTCOME_INVALID, f"Laporan {number.strip()} tidak ada.")
    if report.crew_id == crew_id and Stage(report.stage) is Stage.PENUGASAN:
        # Asking twice for what is already so: a retrying script must see success.
        return Outcome(OUTCOME_STORED, f"Laporan {number} sudah ditugaskan ke {crew_name}.")
    report_id = report.id

    result = assign_now(database, [report_id], crew_id, actor, only_unassigned=True)
    if result.ok:
        return Outcome(OUTCOME_STORED, f"Laporan {number} ditugaskan ke {crew_name}.")
    if result.lost_race:
        holder = result.lost_to.get(number) or "regu lain"
        return Outcome(OUTCOME_TAKEN, f"Laporan {number} sudah ditugaskan ke {holder}.")
    return Outcome(OUTCOME_INVALID, f"{crew_name}: " + "; ".join(result.refused))
