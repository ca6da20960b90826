"""The audit trail: the event log, filtered, in words, exportable. Read-only.

The log itself cannot be edited: migration 0004 makes the database refuse UPDATE and
DELETE on table event, and nothing here writes to it.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comcen_desktop.storage.models import Event, Report
from comcen_desktop.timeutil import as_utc, format_wib, to_wib
from services import crews, event_words
from services.export_tables import neutralise

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 5000
ASSIGN_KINDS = ("assign", "proposal_accept", "proposal_override")
COLUMNS = ["Seq", "Waktu (WIB)", "Pengguna", "Konsol", "Jenis", "Kode jenis", "Objek",
           "Uraian", "Sebelum", "Sesudah"]  # fmt: skip
FORMATS = ("csv", "xlsx")


class AuditError(ValueError):
    """A filter that cannot be applied; the message names the field."""


@dataclass
class AuditFilter:
    report: str | None = None  # number (LP…) or database id
    crew: str | None = None  # code or name
    actor: str | None = None
    console: str | None = None
    kind: str | None = None
    start: datetime | None = None  # aware; WIB or UTC alike
    end: datetime | None = None  # exclusive
    limit: int = DEFAULT_LIMIT


@dataclass
class AuditRow:
    seq: int
    at: datetime
    actor: str
    console: str | None
    kind: str
    entity: str
    entity_id: int | None
    subject: str
    description: str
    before: dict | None = None
    after: dict | None = None
    changes: list[tuple[str, object, object]] = field(default_factory=list)

    @property
    def at_wib(self) -> str:
        """The console's WIB format, dd-mm-yyyy HH:MM WIB."""
        return format_wib(self.at)

    @property
    def at_wib_seconds(self) -> str:
        # Exports keep the seconds: two events of one minute stay apart in a sheet.
        return to_wib(self.at).strftime("%d-%m-%Y %H:%M:%S")

    @property
    def kind_label(self) -> str:
        return event_words.kind_label(self.kind)


def query(session: Session, wanted: AuditFilter) -> list[AuditRow]:
    """The events matching every given filter, newest first, described."""
    statement = select(Event)
    for condition in _conditions(session, wanted):
        statement = statement.where(condition)
    statement = statement.order_by(Event.seq.desc()).limit(max(1, wanted.limit))
    found = list(session.scalars(statement))
    return _describe_all(session, found)


def _conditions(session: Session, wanted: AuditFilter) -> list:
    conditions = []
    if wanted.report and wanted.report.strip():
        report_id = _report_id(session, wanted.report.strip())
        conditions.append((Event.entity == "report") & (Event.entity_id == report_id))
    if wanted.crew and wanted.crew.strip():
        conditions.append(_crew_condition(session, wanted.crew.strip()))
    kind = event_words.kind_code(wanted.kind or "")  # a label typed in works too
    for column, value in ((Event.actor, wanted.actor), (Event.console, wanted.console),
                          (Event.kind, kind)):  # fmt: skip
        if value and value.strip():
            conditions.append(column == value.strip())
    if wanted.start is not None:
        conditions.append(Event.at >= as_utc(wanted.start))
    if wanted.end is not None:
        conditions.append(Event.at < as_utc(wanted.end))
    if wanted.start and wanted.end and wanted.end <= wanted.start:
        raise AuditError("Filter waktu: 'sampai' harus sesudah 'dari'.")
    return conditions


def _report_id(session: Session, reference: str) -> int:
    report = session.scalar(select(Report).where(Report.number == reference))
    if report is None and reference.isdigit():
        report = session.get(Report, int(reference))
    if report is None:
        raise AuditError(f"Filter laporan: laporan '{reference}' tidak ada.")
    return report.id


def _crew_condition(session: Session, reference: str):
    """Events of the crew itself and of every report it was ever given."""
    try:
        crew = crews.find_crew(session, reference)
    except crews.CrewNotFoundError as exc:
        raise AuditError(f"Filter regu: {exc}") from None
    held = set(session.scalars(select(Report.id).where(Report.crew_id == crew.id)))
    assigned = session.execute(
        select(Event.entity_id, Event.after).where(Event.kind.in_(ASSIGN_KINDS))
    )
    # JSON is read in Python: SQLite and PostgreSQL query JSON differently.
    held |= {rid for rid, after in assigned if (after or {}).get("crew_id") == crew.id}
    on_crew = (Event.entity == "crew") & (Event.entity_id == crew.id)
    if not held:
        return on_crew
    return or_(on_crew, (Event.entity == "report") & Event.entity_id.in_(sorted(held)))


# --- words -----------------------------------------------------------------------------


def _describe_all(session: Session, found: list[Event]) -> list[AuditRow]:
    names = event_words.load_names(session, found)
    return [_row(e, names) for e in found]


def _row(event: Event, names: event_words.Names) -> AuditRow:
    before, after = event.before or {}, event.after or {}
    return AuditRow(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        console=event.console,
        kind=event.kind,
        entity=event.entity,
        entity_id=event.entity_id,
        subject=event_words.subject(event.entity, event.entity_id, after, names),
        description=event_words.describe(event.kind, before, after, event.entity, names),
        before=event.before,
        after=event.after,
        changes=_changes(before, after),
    )


def describe(kind: str, before: dict, after: dict, entity: str = "report") -> str:
    """One Indonesian sentence for an event (services.event_words, without names)."""
    return event_words.describe(kind, before, after, entity)


def _changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


# --- export ----------------------------------------------------------------------------


def table_rows(rows: list[AuditRow]) -> list[list]:
    return [
        [
            r.seq,
            r.at_wib_seconds,
            r.actor,
            r.console or "",
            r.kind_label,
            r.kind,
            r.subject,
            r.description,
            _json(r.before),
            _json(r.after),
        ]
        for r in rows
    ]


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def export(rows: list[AuditRow], out: Path) -> int:
    """Write the rows to ``out`` (.csv or .xlsx); the count written."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise AuditError(f"Ekspor audit '{out.name}': akhiri nama berkas dengan .csv atau .xlsx.")
    table = table_rows(rows)
    if fmt == "csv":
        with open(out, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows([[neutralise(v) for v in row] for row in table])
    else:
        _write_xlsx(table, out)
    log.info("Audit exported: %d rows to %s", len(table), out)
    return len(table)


def _write_xlsx(table: list[list], out: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Audit")
    sheet.append(COLUMNS)
    for row in table:
        sheet.append([neutralise(v) for v in row])
    book.save(out)
