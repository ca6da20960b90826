"""The shift handover recap as a one-page A4 PDF (QTextDocument on a QPdfWriter).

Loaded by name from `comcen handover --out FILE.pdf`; without a display, set
QT_QPA_PLATFORM=offscreen before the first Qt call (the command does).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QApplication

from comcen_desktop.domain import CATEGORY_LABELS, Category
from comcen_desktop.timeutil import format_age, to_wib
from services.kpi_engine.handover import DAYS, MAX_LISTED, HandoverRecap

_app: QApplication | None = None
RESOLUTION = 300
MARGIN_MM = 15
SCREEN_DPI = 96
# What fits on one A4 page beside the other blocks; the rest is counted, not listed.
MAX_CREWS = 26
BODY_PT_STEPS = (9, 8.5, 8, 7.5, 7, 6.5)  # the last one is used even if still too long
MAX_INCIDENTS = 8

STYLE = """
body { font-family: 'DejaVu Sans'; font-size: 9pt; color: #2c3e50; }
h1 { font-size: 15pt; margin: 0; }
h2 { font-size: 10.5pt; margin-top: 10px; margin-bottom: 3px; color: #1b4f72;
     border-bottom: 1px solid #1b4f72; }
.sub { color: #566573; font-size: 9pt; }
table { border-collapse: collapse; }
td, th { padding: 2px 6px; }
th { background: #eaf2f8; text-align: left; }
.num { text-align: right; }
.muted { color: #7f8c8d; }
"""


def ensure_app() -> QApplication:
    # A QApplication, not a QGuiApplication: a later widget in the same process
    # (the console, a test) aborts when only the GUI-level application exists.
    global _app
    app = QApplication.instance()
    if app is None:
        _app = app = QApplication([])
    return app


def render_pdf(recap: HandoverRecap, out: Path) -> Path:
    """Write the one-page recap; raise OSError naming the file when it cannot be written
    (QPdfWriter itself only logs a warning and carries on)."""
    ensure_app()
    out = Path(out)
    if not out.parent.is_dir():
        raise OSError(f"cannot write {out}: folder {out.parent} does not exist")
    out.unlink(missing_ok=True)
    writer = QPdfWriter(str(out))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(f"Rekap shift {recap.shift} {recap.day:%d-%m-%Y}")
    # The document lays text out in screen pixels (96 per inch) and print_() scales
    # that to the writer; a page size in the writer's own pixels shrank the text
    # to a third.
    page = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    size = QSizeF(page.width() * SCREEN_DPI / 72, page.height() * SCREEN_DPI / 72)
    document = one_page_document(recap_html(recap), size)
    document.print_(writer)
    del writer  # flushes and closes the file
    if not out.is_file() or out.stat().st_size == 0:
        raise OSError(f"cannot write {out}")
    return out


def one_page_document(html: str, size: QSizeF) -> QTextDocument:
    """The recap laid out on one page: a busy shift (many crews, many incidents) gets
    a smaller type, down to the last of BODY_PT_STEPS, rather than a second page."""
    for body_pt in BODY_PT_STEPS:
        document = QTextDocument()
        # Table cells take the document's font, not the body rule: set both.
        font = QFont("DejaVu Sans")
        font.setPointSizeF(body_pt)
        document.setDefaultFont(font)
        document.setDefaultStyleSheet(STYLE.replace("font-size: 9pt;", f"font-size: {body_pt}pt;"))
        document.setHtml(html)
        document.setPageSize(size)
        if document.pageCount() == 1:
            break
    return document


def recap_html(recap: HandoverRecap) -> str:
    k = recap.kpi
    start, end = to_wib(recap.start), to_wib(recap.end)
    parts = [
        f"<h1>Rekap Shift {escape(recap.shift)} — UP3 Bangka</h1>",
        f"<div class='sub'>{DAYS[recap.day.weekday()]}, {recap.day:%d-%m-%Y} · "
        f"{start:%H:%M}–{end:%H:%M} WIB · dibuat {to_wib(recap.made_at):%d-%m-%Y %H:%M} WIB</div>",
        "<h2>Laporan</h2>",
        _table(
            ["Diterima", "Ditutup", "Dari shift lalu", "Masih terbuka"],
            [[recap.received, recap.closed, recap.carried_in, len(recap.still_open)]],
            numeric=True,
        ),
        "<h2>KPI shift</h2>",
        _table(
            ["", "Rata-rata", "Median", "P90", "Target", "Capaian"],
            [
                [
                    "RPT",
                    *_kpi_cells(
                        k.rpt_mean_min,
                        k.rpt_median_min,
                        k.rpt_p90_min,
                        k.rpt_target_min,
                        k.rpt_achievement_pct,
                    ),
                ],
                [
                    "RCT",
                    *_kpi_cells(
                        k.rct_mean_min,
                        k.rct_median_min,
                        k.rct_p90_min,
                        k.rct_target_min,
                        k.rct_achievement_pct,
                    ),
                ],
            ],
        ),
        f"<p>Pengaduan berulang: <b>{k.repeat_complaints}</b> · Rating negatif: "
        f"<b>{k.negative_ratings}</b> dari {k.rated_reports} · Padam meluas: "
        f"<b>{len(recap.incidents)}</b> kejadian; dengan jumlah pelanggan (&gt; 5 mnt, "
        f"untuk SAIDI): {k.incidents}, {k.customers_interrupted} pelanggan</p>",
        "<h2>Diserahkan ke shift berikutnya</h2>",
        _open_table(recap),
        "<h2>Kejadian menonjol</h2>",
        _incident_table(recap),
        "<h2>Kerja regu</h2>",
        _crew_table(recap),
    ]
    return "<html><body>" + "".join(parts) + "</body></html>"


def _kpi_cells(mean, median, p90, target, achieved) -> list[str]:
    minutes = [_minutes(value) for value in (mean, median, p90, target)]
    return [*minutes, "–" if achieved is None else f"{achieved:.0f} %"]


def _open_table(recap: HandoverRecap) -> str:
    if not recap.still_open:
        return "<p class='muted'>Tidak ada laporan terbuka.</p>"
    rows = [
        [
            item.number,
            item.ulp,
            CATEGORY_LABELS.get(Category(item.category), item.category),
            item.stage,
            format_age(item.age_min),
        ]
        for item in recap.still_open[:MAX_LISTED]
    ]
    html = _table(["Nomor", "ULP", "Kategori", "Tahap", "Umur"], rows)
    if len(recap.still_open) > MAX_LISTED:
        html += f"<p class='muted'>… dan {len(recap.still_open) - MAX_LISTED} lainnya.</p>"
    return html


def _incident_table(recap: HandoverRecap) -> str:
    if not recap.incidents:
        return "<p class='muted'>Tidak ada padam meluas.</p>"
    rows = [
        [
            incident.number,
            incident.ulp,
            f"{to_wib(incident.reported_at):%H:%M}",
            "–" if incident.customers is None else incident.customers,
            "belum nyala" if incident.duration_min is None else format_age(incident.duration_min),
        ]
        for incident in recap.incidents[:MAX_INCIDENTS]
    ]
    html = _table(["Padam meluas", "ULP", "Lapor", "Pelanggan", "Lama"], rows)
    return html + _more(len(recap.incidents) - MAX_INCIDENTS, "padam meluas")


def _crew_table(recap: HandoverRecap) -> str:
    if not recap.crews:
        return "<p class='muted'>Tidak ada pekerjaan regu.</p>"
    rows = [
        [crew.crew, crew.reports, _minutes(crew.rpt_mean_min), _minutes(crew.rct_mean_min)]
        for crew in recap.crews[:MAX_CREWS]
    ]
    html = _table(["Regu", "Laporan", "RPT rata-rata", "RCT rata-rata"], rows)
    return html + _more(len(recap.crews) - MAX_CREWS, "regu")


def _more(left_out: int, what: str) -> str:
    # One page is the promise; what does not fit is counted, never silently dropped.
    return f"<p class='muted'>… dan {left_out} {what} lainnya.</p>" if left_out > 0 else ""


def _table(headers: list[str], rows: list[list], numeric: bool = False) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    cls = " class='num'" if numeric else ""
    body = "".join(
        "<tr>" + "".join(f"<td{cls}>{escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table border='0' cellspacing='0'><tr>{head}</tr>{body}</table>"


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} mnt".replace(".", ",")
