"""Assigning reports to crews: the one path behind a drop, a key and the CLI.

An assignment is one transaction holding the report's new stage, its stage row
and the event. The report's version column makes two consoles that assign the
same report at once end with one winner; the loser is told who got it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

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
from comcen_desktop.storage.models import Crew, Report
from comcen_desktop.timeutil import utc_now
from services import events, lifecycle

log = logging.getLogger(__name__)

# A report may be (re)assigned only before the crew has set off.
ASSIGNABLE_STAGES = frozenset({Stage.LAPOR, Stage.PENUGASAN})
BUSY_ATTEMPTS = 3
BUSY_PAUSE_S = 0.2


@dataclass
class AssignResult:
    assigned: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one message per refused report

    @property
    def ok(self) -> bool:
        return bool(self.assigned) and not self.refused


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
) -> AssignResult:
    """Assign each report to the crew inside the caller's transaction.

    ``expected_versions`` are the versions the console showed: a report at another
    version was changed meanwhile and is refused, naming who has it now. The check is
    made on the very row object that gets updated, and that UPDATE carries the version
    in its WHERE clause, so a change committed in between raises StaleDataError.
    """
    at = at or utc_now()
    expected = expected_versions or {}
    result = AssignResult()
    crew = session.get(Crew, crew_id)
    if crew is None:
        result.refused.append(f"Regu {crew_id} tidak ada.")
        return result

    for report_id in report_ids:
        report = session.get(Report, report_id)
        if report is None:
            result.refused.append(f"Laporan {report_id} tidak ada.")
            continue
        if expected.get(report_id, report.version) != report.version:
            result.refused.append(_changed_message(session, report))
            continue
        reason = refusal(Stage(report.stage), report.crew_id, crew.id, crew.status, report.number)
        if reason:
            result.refused.append(reason)
            continue
        _assign_one(session, report, crew, actor, at)
        result.assigned.append(report.number)
    return result


def _assign_one(session: Session, report: Report, crew: Crew, actor: str, at: datetime) -> None:
    before = lifecycle.report_snapshot(report)
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
        after=lifecycle.report_snapshot(report) | {"crew": crew.name},
    )


def assign_now(
    database,
    report_ids: list[int],
    crew_id: int,
    actor: str,
    expected_versions: dict[int, int] | None = None,
) -> AssignResult:
    """Assign in a transaction of its own; a lost race or a busy database becomes a
    refusal the operator can read, never an exception."""
    if not report_ids:
        return AssignResult(refused=[tr("Tidak ada laporan untuk ditugaskan.")])
    seen: dict[int, int] = dict(expected_versions or {})
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return _assign_once(database, report_ids, crew_id, actor, seen)
        except _RefusedError as refused:
            return AssignResult(refused=refused.reasons)
        except StaleDataError as exc:
            # Another console committed between our read and our UPDATE (which matched no
            # row of the version we read): say who has the report now all the same.
            log.info("Assignment lost a race at write time: %s", exc)
            return AssignResult(refused=_changed_messages(database, report_ids, seen))
        except OperationalError as exc:
            # SQLite's busy timeout ran out behind a long run of other writers (a
            # simulation, a bulk import): try again a few times, then say so plainly.
            log.warning("Assignment attempt %d: database busy (%s)", attempt, exc.orig)
            time.sleep(BUSY_PAUSE_S * attempt)
        except SQLAlchemyError as exc:
            log.exception("Assignment failed")
            first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
            return AssignResult(
                refused=[tr("Database menolak penugasan: {e}").format(e=first_line)]
            )
    return AssignResult(
        refused=[tr("Database sibuk atau tidak terjangkau; penugasan belum tersimpan, coba lagi.")]
    )


def _assign_once(database, report_ids, crew_id, actor, seen) -> AssignResult:
    with database.transaction() as session:
        # Without the console's versions, the versions read here are the ones held.
        for report_id in report_ids:
            if report_id not in seen and (report := session.get(Report, report_id)):
                seen[report_id] = report.version
        result = assign(session, report_ids, crew_id, actor, expected_versions=seen)
        if result.refused:
            # All or nothing: a multi-drop with one bad report stores nothing.
            raise _RefusedError(result.refused)
        return result


class _RefusedError(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _changed_message(session: Session, report: Report) -> str:
    crew = session.get(Crew, report.crew_id) if report.crew_id else None
    who = f" ke {crew.name}" if crew else ""
    return (
        f"Laporan {report.number} baru saja diubah di konsol lain{who} "
        f"('{STAGE_LABELS[Stage(report.stage)]}')."
    )


def _changed_messages(database, report_ids: list[int], seen: dict[int, int]) -> list[str]:
    with database.read() as session:
        messages = []
        for report_id in report_ids:
            report = session.get(Report, report_id)
            if report is not None and report.version != seen.get(report_id):
                messages.append(_changed_message(session, report))
    return messages or ["Laporan baru saja diubah di konsol lain."]
