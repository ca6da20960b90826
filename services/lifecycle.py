"""Moving a report through its stages, each timestamped, each logged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.domain import (
    CLOSED_STAGES,
    RESTORED_STAGES,
    STAGE_LABELS,
    CrewStatus,
    Stage,
    can_move,
)
from comcen_desktop.storage.models import Crew, Report, ReportStage
from services import events

# What a crew is doing while its current job sits in a stage.
CREW_STATUS_FOR_STAGE = {
    Stage.PERJALANAN: CrewStatus.PERJALANAN,
    Stage.PENGERJAAN: CrewStatus.BEKERJA,
    Stage.NYALA_SEMENTARA: CrewStatus.BEKERJA,
}


class StageError(ValueError):
    """A move the stage rules do not allow; the message is for the operator."""


def report_snapshot(report: Report) -> dict:
    return {"stage": report.stage, "crew_id": report.crew_id, "version": report.version}


def add_stage_row(
    session: Session,
    report: Report,
    stage: Stage,
    at: datetime,
    actor: str,
    note: str | None = None,
) -> None:
    # Moving back (Penugasan → Lapor, Nyala Sementara → Pengerjaan) and forward
    # again keeps one row per stage; the event log keeps every move.
    existing = session.scalar(
        select(ReportStage).where(
            ReportStage.report_id == report.id, ReportStage.stage == stage.value
        )
    )
    if existing is not None:
        # The crew's first arrival is the response; a return after Nyala Sementara
        # must not stretch RPT. Other stages take the newest time.
        if stage is not Stage.PENGERJAAN:
            existing.at, existing.actor, existing.note = at, actor, note
        return
    session.add(ReportStage(report_id=report.id, stage=stage.value, at=at, actor=actor, note=note))


def advance(
    session: Session,
    report: Report,
    target: Stage,
    at: datetime,
    actor: str,
    note: str | None = None,
) -> None:
    """Move ``report`` to ``target`` at ``at``, or raise StageError saying why not."""
    current = Stage(report.stage)
    if not can_move(current, target):
        raise StageError(
            f"Laporan {report.number}: dari '{STAGE_LABELS[current]}' tidak bisa ke "
            f"'{STAGE_LABELS[target]}'."
        )

    before = report_snapshot(report)
    report.stage = target.value
    add_stage_row(session, report, target, at, actor, note)
    if report.crew_id is not None:
        _update_crew(session, report.crew_id, target)
    session.flush()
    events.record(
        session,
        "stage",
        "report",
        report.id,
        actor=actor,
        before=before,
        after=report_snapshot(report) | {"at": at.isoformat()},
    )


def _update_crew(session: Session, crew_id: int, stage: Stage) -> None:
    crew = session.get(Crew, crew_id)
    if crew is None or crew.status == CrewStatus.LIBUR.value:
        return
    if stage in CREW_STATUS_FOR_STAGE:
        crew.status = CREW_STATUS_FOR_STAGE[stage].value
    elif stage in RESTORED_STAGES | CLOSED_STAGES and not _has_active_job(session, crew_id):
        crew.status = CrewStatus.SIAGA.value


def _has_active_job(session: Session, crew_id: int) -> bool:
    active = [Stage.PERJALANAN.value, Stage.PENGERJAAN.value, Stage.NYALA_SEMENTARA.value]
    query = select(Report.id).where(Report.crew_id == crew_id, Report.stage.in_(active))
    return session.scalar(query.limit(1)) is not None
