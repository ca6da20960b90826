"""The customer's answer to "sudah selesai?" and their 1–5 rating, after Selesai.

"Ya" closes the loop. "Tidak" reopens the job as a NEW report in Lapor, linked to the
old one by reopened_from_id: the old report keeps its times (its RPT and RCT were
measured and stay measured), and the new one is dispatched like any other. The new
report copies the customer, the place and the category; it is placed already (the
old report's ULP, district and village), so it needs no second placement.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from comcen_desktop.domain import STAGE_LABELS, Stage
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import as_utc
from services import authz, events, lifecycle, notices
from services.lifecycle import StageError

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000


def record_feedback(
    session,
    report: Report,
    *,
    resolved: bool,
    rating: int | None,
    comment: str | None,
    actor: str,
    now: datetime,
) -> Report | None:
    """Store the answer (and rating) in the caller's transaction; return the reopened
    report for "tidak", else None. Raise StageError (an Indonesian message) before
    Selesai, for a second answer, or for a rating outside 1–5; nothing is written then."""
    authz.require_current("report.rating")
    now = as_utc(now)
    _check(report, rating)
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None

    if rating is not None:
        lifecycle.record_rating(session, report, rating, actor, now)
    before = {"feedback_resolved": report.feedback_resolved}
    report.feedback_resolved = bool(resolved)
    report.feedback_comment = comment
    reopened = None if resolved else _reopen(session, report, comment, actor, now)
    session.flush()
    events.record(
        session,
        "feedback",
        "report",
        report.id,
        actor=actor,
        before=before,
        after={
            "feedback_resolved": bool(resolved),
            "rating": rating,
            "comment": comment is not None,  # the text stays in the report, not the log
            "reopened_as": reopened.number if reopened else None,
        },
    )
    return reopened


def _check(report: Report, rating: int | None) -> None:
    if report.stage != Stage.SELESAI.value:
        raise StageError(
            f"Laporan {report.number}: umpan balik hanya setelah "
            f"'{STAGE_LABELS[Stage.SELESAI]}' (sekarang '{STAGE_LABELS[Stage(report.stage)]}')."
        )
    if report.feedback_resolved is not None:
        raise StageError(f"Laporan {report.number}: umpan balik pelanggan sudah dicatat.")
    bad = isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    if rating is not None and bad:
        raise StageError(f"Laporan {report.number}: rating harus angka 1 sampai 5.")


def _reopen(session, old: Report, comment: str | None, actor: str, now: datetime) -> Report:
    from services.intake import report_number

    note = f"Dibuka kembali dari {old.number}: pelanggan menjawab belum selesai."
    new = Report(
        number=f"tmp-{uuid.uuid4().hex[:24]}",  # replaced by the id-based number below
        reported_at=now,
        idpel=old.idpel,
        name=old.name,
        phone=old.phone,
        address=old.address,
        village_id=old.village_id,
        district_id=old.district_id,
        ulp_id=old.ulp_id,
        lat=old.lat,
        lon=old.lon,
        category=old.category,
        media=old.media,
        description=f"{note} {comment}" if comment else note,
        stage=Stage.LAPOR.value,
        simulated=old.simulated,
        customers=old.customers,
        source=old.source,
        reopened_from_id=old.id,
    )
    session.add(new)
    session.flush()
    new.number = report_number(new.id, now)
    lifecycle.add_stage_row(session, new, Stage.LAPOR, now, actor, note=note)
    session.flush()
    events.record(
        session,
        "create",
        "report",
        new.id,
        actor=actor,
        after=lifecycle.report_snapshot(new) | {"number": new.number, "reopened_from_id": old.id},
    )
    notices.on_report_created(session, new)
    log.info("Report %s reopened as %s", old.number, new.number)
    return new


def find_report(database, number: str) -> tuple[int, str, str] | None:
    """(id, number, stage) of the report with this number, or None."""
    from sqlalchemy import select

    with database.read() as session:
        row = session.execute(
            select(Report.id, Report.number, Report.stage).where(Report.number == number.strip())
        ).first()
    return tuple(row) if row is not None else None


def feedback_now(
    database,
    report_id: int,
    *,
    resolved: bool,
    rating: int | None,
    comment: str | None,
    actor: str,
    now: datetime,
) -> str | None:
    """record_feedback in a transaction of its own; the reopened report's number."""
    with database.transaction() as session:
        report = session.get(Report, report_id)
        if report is None:
            raise StageError(f"Laporan id {report_id} tidak ada.")
        reopened = record_feedback(
            session,
            report,
            resolved=resolved,
            rating=rating,
            comment=comment,
            actor=actor,
            now=now,
        )
        return reopened.number if reopened else None
