"""Many raw reports in one transaction and one flush: a drop-folder file, a burst
from PLN Mobile (POST /api/reports with a list), the simulator in fast-forward.

The same checks as ``intake.receive``, report by report and in the given order.
What differs is how often the database is asked: once per batch for source ids
already stored, once for earlier fault reports of the batch's IDPELs, once for the
next ids; and everything is written in one flush, which SQLAlchemy sends as a few
multi-row INSERTs. That is what brings intake past a thousand reports a second.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from comcen_desktop.domain import Category, Source, Stage
from comcen_desktop.storage.models import Report
from services import intake
from services.intake import IntakeResult, NewReport
from services.placement import Placer
from services.report_fields import FieldError, ParsedReport, parse_report

log = logging.getLogger(__name__)

# Built once with expanding parameters: SQLAlchemy then caches their compiled form,
# which a single report (the call form, one POST) would otherwise pay for each time.
_STORED = select(Report).where(Report.source_id.in_(bindparam("source_ids", expanding=True)))
_EARLIER_FAULTS = select(Report.idpel, Report.reported_at, Report.id).where(
    Report.idpel.in_(bindparam("idpels", expanding=True)),
    Report.category != Category.KELUHAN.value,
    Report.stage != Stage.BATAL.value,
    Report.reported_at >= bindparam("since"),
)


def receive_batch(
    session: Session,
    placer: Placer,
    raws: list,
    *,
    source: str,
    actor: str,
    gazetteer=None,
    now: datetime | None = None,
) -> list[IntakeResult]:
    """One IntakeResult per raw report, in order, all stored in the caller's
    transaction. A source id seen earlier in the same batch is a duplicate of it."""
    origin = Source(source)
    with session.no_autoflush:
        if gazetteer is None and any(isinstance(r, dict) and r.get("village") for r in raws):
            gazetteer = intake.village_index(session)
        stored = _stored_by_source_id(session, raws)
        results: list[IntakeResult | None] = []
        accepted: list[tuple[int, ParsedReport]] = []
        seen: dict[str, int] = {}

        for index, raw in enumerate(raws):
            source_id = _source_id(raw)
            if source_id in stored:
                earlier = stored[source_id]
                results.append(IntakeResult(earlier, False, True, flag=earlier.placement_flag))
                continue
            if source_id in seen:
                results.append(None)  # filled in below, once the first one is stored
                continue
            parsed, errors = _parse(raw, origin, now, gazetteer)
            if parsed is None:
                results.append(IntakeResult(None, False, False, errors=errors))
                continue
            if source_id is not None:
                seen[source_id] = index
            results.append(None)
            accepted.append((index, parsed))

        _store(session, placer, accepted, results, origin, actor, gazetteer)
        for index, raw in enumerate(raws):
            if results[index] is None:  # a repeat of a source id earlier in the batch
                first = results[seen[_source_id(raw)]]
                results[index] = IntakeResult(first.report, False, True, flag=first.flag)
    session.flush()
    return results


def _parse(raw, origin: Source, now, gazetteer) -> tuple[ParsedReport | None, list[FieldError]]:
    missing = [
        FieldError(key, f"'{key}' wajib untuk laporan dari {origin.value}.")
        for key in intake.REQUIRED.get(origin, ())
        if isinstance(raw, dict) and intake.is_blank(raw.get(key))
    ]
    parsed, errors = parse_report(raw, now=now, gazetteer=gazetteer)
    if missing or parsed is None:
        return None, missing + errors
    return parsed, []


def _store(session, placer, accepted, results, origin, actor, gazetteer) -> None:
    if not accepted:
        return
    ids = intake.next_report_ids(session, len(accepted))
    days = intake.repeat_days(session)
    earlier = _earlier_faults(session, [p for _, p in accepted], days)
    in_batch: dict[str, list[tuple[datetime, int, Report]]] = {}

    for n, (index, parsed) in enumerate(accepted):
        new = intake.new_report_from(parsed, origin)
        place, flag, fix, message = intake.judge_point(placer, parsed, gazetteer)
        if flag is not None:
            new.lon = new.lat = None  # the point as given is in placement_fix["given"]
        repeat_of = _repeat_of(session, new, days, earlier, in_batch)
        report = intake.insert_report(
            session,
            new,
            place,
            actor,
            report_id=ids[n] if ids else intake.ASK_ID,
            placement_flag=flag,
            placement_fix=fix,
            repeat_of_id=repeat_of.id if repeat_of else None,
        )
        if new.idpel and new.category is not Category.KELUHAN:
            in_batch.setdefault(new.idpel, []).append((new.reported_at, report.id, report))
        results[index] = IntakeResult(report, True, False, [], flag, repeat_of, message)


def _source_id(raw) -> str | None:
    if not isinstance(raw, dict):
        return None
    value = raw.get("source_id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value.strip() or None if isinstance(value, str) else None


def _stored_by_source_id(session: Session, raws: list) -> dict[str, Report]:
    wanted = {sid for sid in map(_source_id, raws) if sid is not None}
    if not wanted:
        return {}
    found = session.scalars(_STORED, {"source_ids": list(wanted)})
    return {report.source_id: report for report in found}


def _earlier_faults(
    session: Session, parsed: list[ParsedReport], days: float
) -> dict[str, list[tuple[datetime, int]]]:
    """Stored fault reports (not keluhan, not Batal) of the batch's IDPELs that may
    make one of its reports a repeat: (reported_at, id) per IDPEL."""
    idpels = {p.idpel for p in parsed if p.idpel and p.category is not Category.KELUHAN}
    if not idpels:
        return {}
    since = min(p.reported_at for p in parsed) - timedelta(days=days)
    earlier: dict[str, list[tuple[datetime, int]]] = {}
    rows = session.execute(_EARLIER_FAULTS, {"idpels": list(idpels), "since": since})
    for idpel, at, report_id in rows:
        earlier.setdefault(idpel, []).append((at, report_id))
    return earlier


def _repeat_of(
    session: Session, new: NewReport, days: float, earlier: dict, in_batch: dict
) -> Report | None:
    """The most recent earlier fault report of the IDPEL within ``days``, stored or
    earlier in this batch: the same rule as the KPI engine's repeat count."""
    if not new.idpel or new.category is Category.KELUHAN:
        return None
    since = new.reported_at - timedelta(days=days)
    candidates = [
        (at, report_id, None)
        for at, report_id in earlier.get(new.idpel, ())
        if since <= at < new.reported_at
    ]
    candidates += [c for c in in_batch.get(new.idpel, ()) if since <= c[0] < new.reported_at]
    if not candidates:
        return None
    _at, report_id, report = max(candidates, key=lambda c: (c[0], c[1]))
    return report if report is not None else session.get(Report, report_id)
