"""The history import: a file in, every good row stored, every bad row listed.

The caller owns the transaction (``with database.transaction() as session``): all
good rows go in together or, on a file error or cancel, nothing does. Rows are
checked and inserted in batches as they stream by, so memory stays flat however
long the file; only the set of source ids already seen grows with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from comcen_desktop.domain import CLOSED_STAGES, IMPORTED_LIVE_HOURS
from services import events
from services.report_import import store
from services.report_import.mapping import APKT, Mapping, load_mapping
from services.report_import.organisation import OrgLookup
from services.report_import.readers import FileError, Table, open_table
from services.report_import.rows import ImportRow, RowError, RowParser
from services.report_import.values import is_blank

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Asia/Jakarta"  # WIB
BATCH_ROWS = 500
PROGRESS_EVERY = 100  # rows between progress calls and cancel checks

Progress = Callable[[int, int | None], None]  # rows done, rows expected (None: unknown)


class ImportCancelledError(Exception):
    """The user stopped the import; the transaction must roll back (nothing stored)."""


@dataclass
class ImportSummary:
    file: str
    mapping: str = ""
    read: int = 0
    imported: int = 0
    skipped: int = 0  # already in the database, or earlier in the same file
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        return (
            f"{self.file}: {self.read} baris dibaca, {self.imported} diimpor, "
            f"{self.skipped} dilewati (sudah ada), {len(self.rejected)} ditolak "
            f"— {self.seconds:.2f} s, {self.rows_per_second:.0f} baris/detik"
        )

    def rejected_lines(self) -> list[str]:
        return [f"baris {line}: {reason}" for line, reason in self.rejected]

    def as_text(self) -> str:
        lines = [self.describe(), *(f"peringatan: {w}" for w in self.warnings)]
        return "\n".join(lines + self.rejected_lines()) + "\n"


def load_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise FileError(
            f"zona waktu '{name}' tidak dikenal (contoh: Asia/Jakarta, "
            "Asia/Makassar, Asia/Jayapura)"
        ) from None


def import_file(
    session: Session,
    path: Path,
    *,
    actor: str,
    mapping_path: Path | None = None,
    source_tz: str = DEFAULT_ZONE,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import ``path`` (CSV or XLSX; APKT columns unless ``mapping_path`` is given).
    Raises FileError when the file or mapping cannot be used, ImportCancelledError when
    ``cancelled()`` turns true; in both cases the caller's transaction rolls back."""
    started = time.perf_counter()
    zone = load_zone(source_tz)
    mapping = load_mapping(mapping_path) if mapping_path else APKT
    table = open_table(Path(path), mapping.is_header)
    try:
        columns = mapping.resolve(table.name, table.header)
        summary = ImportSummary(table.name, mapping.name, warnings=list(table.warnings))
        parser = RowParser(mapping, columns, zone, OrgLookup(session))
        run = _Run(session, mapping, actor, summary)
        _stream(table, parser, run, progress, cancelled or (lambda: False))
    finally:
        table.close()
    if run.left_open:
        summary.warnings.append(
            f"{run.left_open} laporan tidak ditutup di berkas (tanpa waktu nyala atau status "
            f"selesai/batal); disimpan pada tahap terakhirnya. Yang lebih tua dari "
            f"{IMPORTED_LIVE_HOURS} jam tidak masuk antrean, peta dan papan regu (riwayat, bukan "
            "pekerjaan hari ini)."
        )
    summary.seconds = time.perf_counter() - started
    events.record(session, "import", "report", None, actor=actor, after=_event(summary))
    log.info("Import %s", summary.describe())
    return summary


def _stream(table: Table, parser: RowParser, run: _Run, progress, cancelled) -> None:
    for line, cells in table.rows:
        if all(is_blank(c) for c in cells):
            continue  # an empty row is layout, not a report
        run.summary.read += 1
        if run.summary.read % PROGRESS_EVERY == 0:
            if cancelled():
                raise ImportCancelledError(
                    f"{table.name}: impor dibatalkan, tidak ada yang disimpan"
                )
            if progress is not None:
                progress(run.summary.read, table.total)
        try:
            run.take(parser.parse(line, cells))
        except RowError as exc:
            run.summary.rejected.append((line, str(exc)))
    run.flush()
    if progress is not None:
        progress(run.summary.read, run.summary.read)


class _Run:
    """The rows of one import waiting for their batch insert, and what is known."""

    def __init__(self, session: Session, mapping: Mapping, actor: str, summary: ImportSummary):
        self.session = session
        self.mapping = mapping
        self.actor = actor
        self.summary = summary
        self.known = store.known_sources(session, mapping.prefix)
        self.batch: list[ImportRow] = []
        self.left_open = 0  # rows the file leaves before Selesai/Batal

    def take(self, row: ImportRow) -> None:
        source = store.source_id(self.mapping.prefix, row.key)
        if source in self.known:
            self.summary.skipped += 1
            return
        self.known.add(source)
        self.batch.append(row)
        if row.stage not in CLOSED_STAGES:
            self.left_open += 1
        if len(self.batch) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        reports = [self._columns(row) for row in self.batch]
        store.insert_reports(self.session, reports, [r.stages for r in self.batch], self.actor)
        self.summary.imported += len(self.batch)
        self.batch = []

    def _columns(self, row: ImportRow) -> dict:
        prefix = self.mapping.prefix
        return {
            "number": store.report_number(prefix, row.key),
            "source_id": store.source_id(prefix, row.key),
            "reported_at": row.reported_at,
            "idpel": row.idpel,
            "name": row.name,
            "phone": row.phone,
            "address": row.address,
            "ulp_id": row.ulp_id,
            "category": row.category.value,
            "media": row.media.value,
            "description": row.description,
            "cause": row.cause,
            "stage": row.stage.value,
            "crew_id": row.crew_id,
            "customers": row.customers,
        }


def _event(summary: ImportSummary) -> dict:
    return {
        "file": summary.file,
        "mapping": summary.mapping,
        "read": summary.read,
        "imported": summary.imported,
        "skipped": summary.skipped,
        "rejected": len(summary.rejected),
    }
