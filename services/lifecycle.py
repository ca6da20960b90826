"""Moving a report through its stages, each timestamped, each logged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop.domain import (
    CLOSED_STAGES,
    RESTORED_STAGES,
    STAGE_LABELS,
    STAGE_ORDER,
    CrewStatus,
    Stage,
    can_move,
)
from comcen_desktop.storage.models import Crew, Report, ReportStage
from comcen_desktop.timeutil import as_utc, format_wib, utc_now
from services import authz, events, notices

# What a crew is doing while its current job sits in a stage.
CREW_STATUS_FOR_STAGE = {
    Stage.PERJALANAN: CrewStatus.PERJALANAN,
    Stage.PENGERJAAN: CrewStatus.BEKERJA,
    Stage.NYALA_SEMENTARA: CrewStatus.BEKERJA,
}


class StageError(ValueError):
    """A move the stage rules do not allow; the message is for the operator."""


class StageRefusedError(StageError, authz.PermissionRefusedError):
    """The signed-in role may not make this move: handlers of either error show it."""


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
    *,
    via_incident: bool = False,
) -> None:
    """Move ``report`` to ``target`` at ``at``, or raise StageError saying why not.

    A member of a padam meluas moves only with its incident (services.incident_moves
    passes ``via_incident``), so the members never drift apart."""
    action = "report.cancel" if target is Stage.BATAL else "report.stage"
    authz.require_current(action, StageRefusedError)
    if report.incident_id is not None and not via_incident:
        raise StageError(
            f"Laporan {report.number} bagian dari padam meluas; ubah tahapnya lewat kejadiannya."
        )
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
        after=report_snapshot(report) | {"at": at.isoformat()} | ({"note": note} if note else {}),
    )
    notices.on_stage(session, report, target, at)  # the customer hears of the move


def cancel(session: Session, report: Report, reason: str, at: datetime, actor: str) -> None:
    """Batal with the operator's reason, kept as the stage note and in the event;
    raise StageError when the reason is empty or the report cannot be cancelled."""
    current = Stage(report.stage)
    if not can_move(current, Stage.BATAL):
        raise StageError(
            f"Laporan {report.number}: '{STAGE_LABELS[current]}' tidak bisa dibatalkan."
        )
    reason = (reason or "").strip()
    if not reason:
        raise StageError(f"Laporan {report.number}: Batal butuh alasan.")
    advance(session, report, Stage.BATAL, at, actor, note=reason)


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


def correct_stage_time(
    session: Session,
    report: Report,
    stage: Stage,
    new_at: datetime,
    actor: str,
    reason: str,
) -> None:
    """Correct the time of a stage already reached, keeping the first original time,
    who corrected it, when and why; raise StageError saying why a time is refused.

    Correcting Lapor moves the report time too: it is the same moment.
    """
    authz.require_current("report.correct_time", StageRefusedError)
    row = session.scalar(
        select(ReportStage).where(
            ReportStage.report_id == report.id, ReportStage.stage == stage.value
        )
    )
    label = STAGE_LABELS[stage]
    if row is None:
        raise StageError(
            f"Laporan {report.number}: tahap '{label}' belum ada, tidak bisa dikoreksi."
        )
    if not (reason or "").strip():
        raise StageError(f"Laporan {report.number}: koreksi waktu '{label}' butuh alasan.")
    new_at = as_utc(new_at)
    if new_at == as_utc(row.at):
        raise StageError(f"Laporan {report.number}: waktu '{label}' tidak berubah.")
    _check_stage_order(session, report, stage, new_at)

    before = {"stage": stage.value, "at": row.at.isoformat()}
    if row.original_at is None:
        row.original_at = row.at
    row.at = new_at
    row.corrected_by, row.corrected_at, row.correction_reason = actor, utc_now(), reason.strip()
    if stage is Stage.LAPOR:
        report.reported_at = new_at
    session.flush()
    events.record(
        session,
        "correct",
        "report",
        report.id,
        actor=actor,
        before=before,
        after={"stage": stage.value, "at": new_at.isoformat(), "reason": reason.strip()},
    )


def _check_stage_order(session: Session, report: Report, stage: Stage, new_at: datetime) -> None:
    label = STAGE_LABELS[stage]
    if stage is not Stage.LAPOR and new_at < as_utc(report.reported_at):
        raise StageError(
            f"Laporan {report.number}: waktu '{label}' {format_wib(new_at)} sebelum waktu "
            f"lapor {format_wib(report.reported_at)}."
        )
    if stage is Stage.BATAL:
        return
    position = STAGE_ORDER.index(stage)
    rows = session.execute(
        select(ReportStage.stage, ReportStage.at).where(
            ReportStage.report_id == report.id, ReportStage.stage != stage.value
        )
    )
    for other, at in rows:
        if other == Stage.BATAL.value:
            continue
        other_position = STAGE_ORDER.index(Stage(other))
        earlier_but_later = other_position < position and as_utc(at) > new_at
        later_but_earlier = other_position > position and as_utc(at) < new_at
        if earlier_but_later or later_but_earlier:
            raise StageError(
                f"Laporan {report.number}: waktu '{label}' {format_wib(new_at)} tidak urut "
                f"dengan '{STAGE_LABELS[Stage(other)]}' {format_wib(at)}."
            )


def record_rating(
    session: Session, report: Report, rating: int, actor: str, at: datetime | None = None
) -> None:
    """Store the customer's 1–5 rating of a finished job (Selesai only)."""
    authz.require_current("report.rating", StageRefusedError)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise StageError(f"Laporan {report.number}: rating harus angka 1 sampai 5.")
    if report.stage != Stage.SELESAI.value:
        raise StageError(
            f"Laporan {report.number}: rating hanya setelah '{STAGE_LABELS[Stage.SELESAI]}'."
        )
    before = {"rating": report.rating}
    report.rating = rating
    report.rated_at = as_utc(at) if at is not None else utc_now()
    session.flush()
    events.record(
        session,
        "rating",
        "report",
        report.id,
        actor=actor,
        before=before,
        after={"rating": rating, "rated_at": report.rated_at.isoformat()},
    )
