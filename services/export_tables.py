"""Reports with their stage times as CSV (Excel-friendly UTF-8) or XLSX.

A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab
or a carriage return) is neutralised with a leading apostrophe. Numbers (latitude,
longitude, counts) are written as numbers, so a latitude of -2.13 stays a number.
With ``privacy`` the customer's IDPEL, name, phone and address are left empty.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from comcen_desktop.domain import CATEGORY_LABELS, MEDIA_LABELS, STAGE_LABELS, STAGE_ORDER, Stage
from comcen_desktop.storage.models import Crew, District, Report, UlpArea, Village
from comcen_desktop.timeutil import as_utc, to_wib

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_STAGES = [*STAGE_ORDER, Stage.BATAL]
PERSONAL = ("IDPEL", "Nama", "Telepon", "Alamat")
BASE_COLUMNS = [
    "Nomor",
    "Waktu lapor (WIB)",
    "Waktu lapor (UTC)",
    "ULP",
    "Kecamatan",
    "Desa",
    "Kategori",
    "Media",
    "Tahap",
    "Regu",
    "Lintang",
    "Bujur",
    "Pelanggan padam",
    "Rating",
    *PERSONAL,
    "Keterangan",
]
COLUMNS = BASE_COLUMNS + [
    f"{STAGE_LABELS[s]} ({zone})" for s in EXPORT_STAGES for zone in ("WIB", "UTC")
]
FORMATS = ("csv", "xlsx")


def neutralise(value):
    """A text a spreadsheet would evaluate, made inert; every other value unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _wib_text(moment: datetime | None) -> str:
    return to_wib(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _utc_text(moment: datetime | None) -> str:
    return as_utc(moment).replace(microsecond=0).isoformat() if moment else ""


def report_rows(
    session, start: datetime | None = None, end: datetime | None = None, privacy: bool = False
) -> list[list]:
    """One row per report reported in [start, end), oldest first, in COLUMNS order."""
    query = select(Report).options(selectinload(Report.stages)).order_by(Report.reported_at)
    if start is not None:
        query = query.where(Report.reported_at >= start)
    if end is not None:
        query = query.where(Report.reported_at < end)
    names = {
        "ulp": dict(session.execute(select(UlpArea.id, UlpArea.name)).all()),
        "district": dict(session.execute(select(District.id, District.name)).all()),
        "village": dict(session.execute(select(Village.id, Village.name)).all()),
        "crew": dict(session.execute(select(Crew.id, Crew.name)).all()),
    }
    return [_row(report, names, privacy) for report in session.scalars(query)]


def _label(labels: dict, value: str) -> str:
    return labels.get(value, value)  # StrEnum keys match their plain string values


def _row(report: Report, names: dict, privacy: bool) -> list:
    personal = (
        ["", "", "", ""]
        if privacy
        else [
            report.idpel or "",
            report.name or "",
            report.phone or "",
            report.address or "",
        ]
    )
    row = [
        report.number,
        _wib_text(report.reported_at),
        _utc_text(report.reported_at),
        names["ulp"].get(report.ulp_id, ""),
        names["district"].get(report.district_id, ""),
        names["village"].get(report.village_id, ""),
        _label(CATEGORY_LABELS, report.category),
        _label(MEDIA_LABELS, report.media),
        _label(STAGE_LABELS, report.stage),
        names["crew"].get(report.crew_id, ""),
        report.lat,
        report.lon,
        report.customers,
        report.rating,
        *personal,
        report.description or "",
    ]
    times = {row_stage.stage: row_stage.at for row_stage in report.stages}
    for stage in EXPORT_STAGES:
        row += [_wib_text(times.get(stage.value)), _utc_text(times.get(stage.value))]
    return row


def write_csv(rows: list[list], out: Path) -> None:
    # The byte-order mark makes Excel read UTF-8 (village names, "–") correctly.
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if v is None else neutralise(v) for v in row])


def write_xlsx(rows: list[list], out: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Laporan")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    book.save(out)


def export_reports(
    database,
    out: Path,
    fmt: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    privacy: bool = False,
) -> int:
    """Write the reports to ``out``; the format comes from ``fmt`` or the suffix."""
    out = Path(out)
    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"Cannot export reports as '{fmt}': use csv or xlsx.")
    if out.suffix.lower() != f".{fmt}":
        raise ValueError(f"--out '{out}' must end in .{fmt}")
    with database.read() as session:
        rows = report_rows(session, start, end, privacy)
    (write_csv if fmt == "csv" else write_xlsx)(rows, out)
    return len(rows)
