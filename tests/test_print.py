"""Printed pages: the same layout at every DPI, a vector PDF with embedded fonts."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import timedelta

import pytest
from PySide6.QtGui import QImage

from comcen_desktop.timeutil import utc_now
from maps.print_layout import layout_page, paper_size_mm
from maps.print_output import render_print
from services import queries
from services.intake import NewReport, create_report
from services.placement import Placer

CUSTOMER = "Budi Santoso Rahasia"


@pytest.fixture
def database_with_reports(database):
    now = utc_now()
    with database.transaction() as session:
        placer = Placer(session)
        villages = queries.load_villages(session)
        for n in range(40):
            village = villages[(n * 7) % len(villages)]
            new = NewReport(now - timedelta(minutes=5 * n), village.lon, village.lat, name=CUSTOMER)
            create_report(session, placer, new, "tester")
    return database


def ink_box(image: QImage, rect_mm, page_mm) -> tuple[float, float, float, float] | None:
    """Bounding box of non-background pixels inside a layout rect, as page fractions."""
    sx, sy = image.width() / page_mm[0], image.height() / page_mm[1]
    left, top = int(rect_mm.left() * sx), int(rect_mm.top() * sy)
    right, bottom = int(rect_mm.right() * sx), int(rect_mm.bottom() * sy)
    inset = round(sx)  # 1 mm: frame lines are not content
    background = image.pixel(left + inset, top + inset)
    xs, ys = [], []
    step = max(1, image.width() // 600)
    for y in range(top + inset, bottom - inset, step):
        for x in range(left + inset, right - inset, step):
            if image.pixel(x, y) != background:
                xs.append(x)
                ys.append(y)
    if not xs:
        return None
    return (min(xs) / image.width(), min(ys) / image.height(),
            max(xs) / image.width(), max(ys) / image.height())  # fmt: skip


def test_layout_is_in_millimetres_and_fits_the_paper():
    for paper in ("A4", "A3", "A0"):
        for landscape in (False, True):
            w, h = paper_size_mm(paper, landscape)
            layout = layout_page(w, h)
            for name, rect in layout.named().items():
                assert layout.page.contains(rect), f"{paper} {landscape}: {name} off the page"
            assert layout.map.width() > w * 0.5
    with pytest.raises(ValueError, match="A4, A3, A0"):
        paper_size_mm("B5", False)


def test_96_and_300_dpi_pages_have_the_same_layout(qapp, database_with_reports, tmp_path):
    low = render_print(database_with_reports, tmp_path / "low.png", "A4", True, 96)
    high = render_print(database_with_reports, tmp_path / "high.png", "A4", True, 300)
    assert high.pixels.width() == pytest.approx(low.pixels.width() * 300 / 96, abs=2)
    page = (low.layout.page.width(), low.layout.page.height())
    images = [QImage(str(low.path)), QImage(str(high.path))]
    # The layout rectangles are the same fractions of the page...
    for name in low.layout.named():
        assert low.layout.relative(name) == high.layout.relative(name)
    # ...and the ink in the title band, the legend and the scale bar sits in the same
    # place at the same printed size: a shrunken 300 dpi copy would fail here.
    for name in ("header", "legend", "scale_bar", "table"):
        rect = low.layout.named()[name]
        boxes = [ink_box(image, rect, page) for image in images]
        assert boxes[0] is not None and boxes[1] is not None, f"{name} is empty"
        for a, b in zip(boxes[0], boxes[1], strict=True):
            assert a == pytest.approx(b, abs=0.006), f"{name} moved or changed size"


def pdf_streams(data: bytes) -> bytes:
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out += zlib.decompress(match.group(1))
        except zlib.error:
            out += match.group(1)
    return out


def test_pdf_is_vector_with_embedded_fonts(qapp, database_with_reports, tmp_path):
    result = render_print(database_with_reports, tmp_path / "page.pdf", "A3", True)
    data = result.path.read_bytes()
    assert data.startswith(b"%PDF")
    content = pdf_streams(data)
    # Areas and pins are paths (move/line/curve operators), not one big picture.
    assert len(re.findall(rb"\s[\d.\-]+ [\d.\-]+ m\s", content)) > 200
    assert len(re.findall(rb"\sc\s", content)) > 200
    assert data.count(b"/FontFile2") >= 1
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(result.path)], capture_output=True, text=True)
        rows = fonts.stdout.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts.stdout
    if shutil.which("pdftotext"):
        words = subprocess.run(
            ["pdftotext", str(result.path), "-"], capture_output=True, text=True
        ).stdout
        assert "Comcen UP3 Bangka" in words
        assert "Laporan terbuka per ULP" in words
        assert CUSTOMER in words  # without the mask the oldest reports name the customer


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_privacy_mask_hides_customer_data(qapp, database_with_reports, tmp_path):
    result = render_print(database_with_reports, tmp_path / "p.pdf", "A4", privacy=True)
    words = subprocess.run(["pdftotext", str(result.path), "-"], capture_output=True, text=True)
    assert CUSTOMER not in words.stdout
    assert "PRIVASI" in words.stdout


def test_bad_print_choices_are_refused(qapp, database, tmp_path):
    with pytest.raises(ValueError, match="50–1200"):
        render_print(database, tmp_path / "a.png", dpi=20)
    with pytest.raises(ValueError, match="megapixels"):
        render_print(database, tmp_path / "a.png", "A0", dpi=600)
    with pytest.raises(ValueError, match=r"\.png or \.pdf"):
        render_print(database, tmp_path / "a.jpg")
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "a.jpg").exists()


def test_preview_paints_with_the_same_layout(qapp, database_with_reports, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from maps.snapshot import load_content
    from ui.print_export import new_printer, paint_printer

    printer = new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "preview.pdf"))
    layout = paint_printer(printer, load_content(database_with_reports), privacy=False)
    expected = layout_page(*paper_size_mm("A4", True))
    assert layout.relative("legend") == pytest.approx(expected.relative("legend"), abs=1e-3)
    assert (tmp_path / "preview.pdf").read_bytes().startswith(b"%PDF")
