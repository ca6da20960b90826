"""HTML map, CSV and XLSX exports: offline, escaped, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import re

import pytest
from openpyxl import load_workbook

from comcen_desktop.timeutil import utc_now
from services.export_html import export_html
from services.export_tables import COLUMNS, export_reports, neutralise
from services.intake import NewReport, create_report
from services.placement import Placer

EVIL_NAME = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","klik")'
LAT, LON = -2.13, 106.11  # Pangkalpinang


@pytest.fixture
def database_with_evil_report(database):
    with database.transaction() as session:
        new = NewReport(
            utc_now(), LON, LAT, name=EVIL_NAME, phone="+6281234", description=FORMULA,
            address="@SUM(A1)",
        )  # fmt: skip
        create_report(session, Placer(session), new, "tester")
    return database


def test_neutralise_only_touches_text():
    assert neutralise("=1+1") == "'=1+1"
    for start in ("+", "-", "@", "\t", "\r"):
        assert neutralise(start + "x") == "'" + start + "x"
    assert neutralise(-2.13) == -2.13
    assert neutralise(5) == 5
    assert neutralise("Koba") == "Koba"


def test_html_export_is_offline_and_escaped(database_with_evil_report, tmp_path):
    out = tmp_path / "peta.html"
    assert export_html(database_with_evil_report, out) == 1
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page.lower()
    assert "onerror=alert(1)>" not in page
    # Escaped once for HTML (&lt;) and once more by the JSON of the marker data (\u0026).
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page
    remote = re.findall(r"<(?:script|link)[^>]*(?:src|href)\s*=\s*[\"']?https?://", page, re.I)
    assert remote == [], "the page must not need the internet"
    assert "L.map(" in page and "markerClusterGroup" in page
    assert '"maxZoom": 18' in page


def test_html_privacy_leaves_out_customer(database_with_evil_report, tmp_path):
    out = tmp_path / "peta.html"
    export_html(database_with_evil_report, out, privacy=True)
    page = out.read_text(encoding="utf-8")
    assert "alert(1)" not in page
    assert "+6281234" not in page


def test_html_fills_match_the_map_style():
    from comcen_desktop.domain import ULP_FILLS
    from maps import style

    for name, fill in ULP_FILLS.items():
        assert style.ulp_fill(name).name() == fill


def test_csv_keeps_numbers_and_defuses_formulas(database_with_evil_report, tmp_path):
    out = tmp_path / "laporan.csv"
    assert export_reports(database_with_evil_report, out) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == COLUMNS
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Lintang"] == "-2.13"  # a number, not '-2.13
    assert float(row["Bujur"]) == LON
    assert row["Keterangan"] == "'" + FORMULA
    assert row["Telepon"] == "'+6281234"
    assert row["Alamat"] == "'@SUM(A1)"
    assert row["Lapor (UTC)"].endswith("+00:00")


def test_xlsx_numbers_are_numbers_and_formulas_are_text(database_with_evil_report, tmp_path):
    out = tmp_path / "laporan.xlsx"
    export_reports(database_with_evil_report, out)
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["Lintang"].data_type == "n" and cells["Lintang"].value == LAT
    assert cells["Keterangan"].data_type == "s"
    assert cells["Keterangan"].value == "'" + FORMULA
    assert all(c.data_type != "f" for c in sheet[2])


def test_privacy_blanks_personal_columns(database_with_evil_report, tmp_path):
    out = tmp_path / "laporan.csv"
    export_reports(database_with_evil_report, out, privacy=True)
    text = out.read_text(encoding="utf-8-sig")
    assert "+6281234" not in text and "<img" not in text


def test_bad_export_requests_are_refused(database, tmp_path):
    with pytest.raises(ValueError, match="csv or xlsx"):
        export_reports(database, tmp_path / "a.txt")
    with pytest.raises(ValueError, match=r"\.html"):
        export_html(database, tmp_path / "a.htm.txt")
