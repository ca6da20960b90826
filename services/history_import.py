"""Importing third-party ticket histories (CSV) as reports, through a column mapping.

Used to check the KPI engine against real timestamps (data/real/SOURCES.md). An
imported report keeps its source in ``source_id`` ("sf:<call number>"), has no place
(lat/lon and ULP stay empty: it is not in Bangka) and gets a stage row for each
mapped time. Nothing is invented: a call without an on-scene time has no Dalam
Pengerjaan, and the report stays in the furthest stage its data shows.
Bad rows are skipped and listed with their line numbers; they never stop an import.
The Bangka history import (APKT exports, any table with a mapping) is
services/report_import; this module shares its storage (report_import.store).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from comcen_desktop.domain import STAGE_ORDER, Category, Media, Stage
from services import events
from services.report_import import store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ColumnMapping:
    id_column: str  # one report per value; several rows may share it
    received: str  # → Lapor and the report time
    stages: dict[Stage, str]  # later stages → their time column
    time_format: str  # strptime pattern of every time column
    timezone: str  # the source's local zone (IANA name)
    source_prefix: str
    # How the rows of one report combine per stage: "min" (first) or "max" (last).
    combine: dict[Stage, str] = field(default_factory=dict)
    category: Category = Category.INDIVIDU
    media: Media = Media.CC123


# SF Fire Department calls: one row per unit sent. The call's response is the first
# unit on scene; the job is over when the last unit is available again.
SF_FIRE_CALLS = ColumnMapping(
    id_column="Call Number",
    received="Received DtTm",
    stages={Stage.PENGERJAAN: "On Scene DtTm", Stage.NYALA: "Available DtTm"},
    time_format="%m/%d/%Y %I:%M:%S %p",
    timezone="America/Los_Angeles",
    source_prefix="sf",
    combine={Stage.PENGERJAAN: "min", Stage.NYALA: "max"},
)


@dataclass
class ImportResult:
    rows: int = 0
    reports: int = 0
    already_there: int = 0  # reports whose source_id was imported before
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)

    def describe(self) -> str:
        return (
            f"{self.rows} baris, {self.reports} laporan baru, {self.already_there} sudah ada, "
            f"{len(self.skipped)} baris dilewati"
        )


@dataclass
class _Ticket:
    received: datetime
    stages: dict[Stage, datetime] = field(default_factory=dict)


def import_csv(session: Session, path: Path, mapping: ColumnMapping, actor: str) -> ImportResult:
    result = ImportResult()
    tickets = _read(Path(path), mapping, result)
    known = _known_sources(session, mapping)
    new = {key: ticket for key, ticket in tickets.items() if _source(mapping, key) not in known}
    result.already_there = len(tickets) - len(new)
    _store(session, new, mapping, actor)
    result.reports = len(new)
    events.record(
        session,
        "import",
        "report",
        None,
        actor=actor,
        after={"file": Path(path).name, "reports": result.reports, "skipped": len(result.skipped)},
    )
    log.info("Imported %s: %s", path, result.describe())
    return result


def _read(path: Path, mapping: ColumnMapping, result: ImportResult) -> dict[str, _Ticket]:
    zone = ZoneInfo(mapping.timezone)
    tickets: dict[str, _Ticket] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            result.rows += 1
            try:
                key, ticket = _parse_row(row, mapping, zone)
            except ValueError as exc:
                result.skipped.append((reader.line_num, str(exc)))
                continue
            _merge(tickets, key, ticket, mapping)
    return tickets


def _parse_row(row: dict, mapping: ColumnMapping, zone: ZoneInfo) -> tuple[str, _Ticket]:
    key = (row.get(mapping.id_column) or "").strip()
    if not key:
        raise ValueError(f"no {mapping.id_column}")
    received = _time(row, mapping.received, mapping, zone)
    if received is None:
        raise ValueError(f"no {mapping.received}")
    ticket = _Ticket(received)
    previous = (received, mapping.received)
    for stage in sorted(mapping.stages, key=STAGE_ORDER.index):
        at = _time(row, mapping.stages[stage], mapping, zone)
        if at is None:
            continue
        if at < previous[0]:
            raise ValueError(f"{mapping.stages[stage]} before {previous[1]}")
        ticket.stages[stage] = at
        previous = (at, mapping.stages[stage])
    return key, ticket


def _time(row: dict, column: str, mapping: ColumnMapping, zone: ZoneInfo) -> datetime | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        local = datetime.strptime(text, mapping.time_format)
    except ValueError:
        raise ValueError(f"{column} '{text[:40]}' is not a time") from None
    return local.replace(tzinfo=zone)


def _merge(tickets: dict[str, _Ticket], key: str, ticket: _Ticket, mapping) -> None:
    known = tickets.get(key)
    if known is None:
        tickets[key] = ticket
        return
    known.received = min(known.received, ticket.received)
    for stage, at in ticket.stages.items():
        pick = max if mapping.combine.get(stage) == "max" else min
        known.stages[stage] = pick(known.stages[stage], at) if stage in known.stages else at


def _source(mapping: ColumnMapping, key: str) -> str:
    return store.source_id(mapping.source_prefix, key)


def _known_sources(session: Session, mapping: ColumnMapping) -> set[str]:
    return store.known_sources(session, mapping.source_prefix)


def _store(session: Session, tickets: dict[str, _Ticket], mapping, actor: str) -> None:
    reports, stages = [], []
    for key, ticket in tickets.items():
        furthest = max([Stage.LAPOR, *ticket.stages], key=STAGE_ORDER.index)
        reports.append(
            {
                "number": store.report_number(mapping.source_prefix, key),
                "source_id": _source(mapping, key),
                "reported_at": ticket.received,
                "category": mapping.category.value,
                "media": mapping.media.value,
                "stage": furthest.value,
            }
        )
        times = {Stage.LAPOR: ticket.received, **ticket.stages}
        stages.append({stage: (at, "impor") for stage, at in times.items()})
    store.insert_reports(session, reports, stages, actor)
