"""A KpiReport as JSON, CSV or an aligned text table, for `comcen kpi`.

A missing value is JSON null, an empty CSV cell and "–" in the table, never 0.
"""

from __future__ import annotations

import csv
import io
import json

from services.kpi_engine.engine import KpiReport
from services.kpi_engine.figures import KpiFigures

# The columns of CSV and table, in order; JSON carries every field.
COLUMNS = [
    "reports",
    "rpt_mean_min",
    "rpt_median_min",
    "rpt_p90_min",
    "rct_mean_min",
    "rct_median_min",
    "rct_p90_min",
    "rpt_achievement_pct",
    "rct_achievement_pct",
    "repeat_complaints",
    "negative_rating_pct",
    "saidi_min",
    "saifi",
    "caidi_min",
]
HEADERS = {
    "reports": "lap",
    "rpt_mean_min": "RPT",
    "rpt_median_min": "RPT med",
    "rpt_p90_min": "RPT p90",
    "rct_mean_min": "RCT",
    "rct_median_min": "RCT med",
    "rct_p90_min": "RCT p90",
    "rpt_achievement_pct": "RPT %",
    "rct_achievement_pct": "RCT %",
    "repeat_complaints": "ulang",
    "negative_rating_pct": "neg %",
    "saidi_min": "SAIDI",
    "saifi": "SAIFI",
    "caidi_min": "CAIDI",
}
OVERALL = "UP3 (semua)"
NO_GROUP = "(tanpa)"


DECIMALS = 4  # minutes to well under a second; hides 28.380000000000003


def to_json(report: KpiReport) -> str:
    return json.dumps(_rounded(report.as_dict()), ensure_ascii=False, indent=2)


def _rounded(value):
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def to_csv(report: KpiReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "key", *COLUMNS])
    for _, figures in _rows(report):
        values = _rounded(figures.as_dict())
        kind = "overall" if figures is report.overall else "group"
        cells = ("" if values[column] is None else values[column] for column in COLUMNS)
        writer.writerow([kind, figures.key or "", *cells])
    return buffer.getvalue()


def to_table(report: KpiReport) -> str:
    header = ["", *(HEADERS[column] for column in COLUMNS)]
    body = [
        [label, *(_cell(column, figures.as_dict()[column]) for column in COLUMNS)]
        for label, figures in _rows(report)
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(header))
    return "\n".join([line(header), rule, *(line(row) for row in body)]) + "\n"


def _rows(report: KpiReport) -> list[tuple[str, KpiFigures]]:
    rows = [("overall", report.overall)] if report.by is None else []
    rows += [(group.key or NO_GROUP, group) for group in report.groups]
    if report.by is not None:
        rows.append((OVERALL, report.overall))
    return [(OVERALL if label == "overall" else label, figures) for label, figures in rows]


def _cell(column: str, value) -> str:
    if value is None:
        return "–"
    if column == "saifi":
        return f"{value:.4f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
