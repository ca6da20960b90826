"""Printed pages: the same layout at every DPI, a vector PDF with embedded fonts."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import timedelta

import pytest
from PySide6.QtGui import QColor, QImage

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


PAGES = [(paper, landscape) for paper in ("A4", "A3", "A0") for landscape in (False, True)]


def paint_png(content, paper: str, landscape: bool, dpi: int, privacy: bool = False):
    """Paint one page into an image as render_print does; returns (image, layout)."""
    from PySide6.QtGui import QPainter

    from maps.print_layout import MM_PER_INCH
    from maps.print_page import paint_print_page

    layout = layout_page(*paper_size_mm(paper, landscape))
    size = [round(v / MM_PER_INCH * dpi) for v in (layout.page.width(), layout.page.height())]
    image = QImage(*size, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.scale(dpi / MM_PER_INCH, dpi / MM_PER_INCH)
    paint_print_page(painter, content, layout, dpi, privacy)
    painter.end()
    return image, layout


def ink_outside(image: QImage, inside, page_w_mm: float) -> list[tuple[int, int]]:
    """Pixels that are not white outside ``inside`` (mm) widened by one pixel."""
    s = image.width() / page_w_mm
    left, top = int(inside.left() * s) - 1, int(inside.top() * s) - 1
    right, bottom = int(inside.right() * s) + 2, int(inside.bottom() * s) + 2
    found = []
    for y in range(image.height()):
        for x in range(image.width()):
            if left <= x < right and top <= y < bottom:
                continue
            if image.pixel(x, y) & 0xFFFFFF != 0xFFFFFF:
                found.append((x, y))
    return found


@pytest.mark.parametrize(("paper", "landscape"), PAGES)
def test_side_column_stays_inside_the_margins(qapp, database_with_reports, paper, landscape):
    from maps.snapshot import load_content

    content = load_content(database_with_reports)
    image, layout = paint_png(content, paper, landscape, dpi=40)
    printable = layout.printable
    assert printable.width() < layout.page.width() and printable.left() > 0
    for name, rect in layout.side_boxes().items():
        assert printable.contains(rect), f"{paper} {landscape}: {name} {rect} outside {printable}"
    # Nothing is painted in the margins: no cut legend frame, table column or text line.
    assert ink_outside(image, printable, layout.page.width()) == []


@pytest.mark.parametrize(("paper", "landscape"), [("A3", True), ("A4", False)])
def test_legend_keeps_its_right_border(qapp, database_with_reports, paper, landscape):
    from maps.snapshot import load_content

    image, layout = paint_png(load_content(database_with_reports), paper, landscape, dpi=200)
    # The legend's background fill once covered the inner half of its frame line: the
    # pixel just inside the right edge must be the darker line, not the #fbfcfc fill.
    s = image.width() / layout.page.width()
    x = int((layout.legend.right() - 0.1) * s)
    ys = range(int(layout.legend.top() * s) + 4, int(layout.legend.bottom() * s) - 4)
    framed = [y for y in ys if QColor(image.pixel(x, y)).red() < 0xF0]
    assert len(framed) > 0.9 * len(ys), f"{paper} {landscape}: legend has no right border"


def test_long_texts_are_elided_to_their_box(qapp):
    from maps.print_page import fit_text, text_width

    line = "LP261205-00006 · Pangkalpinang · Kelurahan Yang Sangat Panjang Sekali"
    for width in (20.0, 45.0, 80.0):
        fitted = fit_text(line, width, 2.3, bold=True)
        assert fitted.endswith("…") and fitted.startswith("LP26")
        assert text_width(fitted, 2.3, bold=True) <= width
    assert fit_text("1 j 41 mnt", 30.0, 2.3) == "1 j 41 mnt"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
@pytest.mark.parametrize("privacy", [False, True])
def test_oldest_reports_keep_their_age_on_a3_landscape(
    qapp, database_with_reports, tmp_path, privacy
):
    from comcen_desktop.timeutil import format_age
    from maps.print_page import oldest_lines
    from maps.snapshot import load_content

    result = render_print(database_with_reports, tmp_path / "a3.pdf", "A3", True, privacy=privacy)
    words = subprocess.run(
        ["pdftotext", "-layout", str(result.path), "-"], capture_output=True, text=True
    ).stdout
    lines = oldest_lines(load_content(database_with_reports), privacy, 3)
    assert len(lines) == 3
    for first, age, _second in lines:
        assert age in words, f"age {age!r} of {first} is cut"
    assert "Lewat" in words
    oldest = max(r.age_min for r in load_content(database_with_reports).reports)
    assert format_age(oldest) in words


def with_incidents(content):
    """``content`` plus a tiny confirmed padam meluas and a proposal, far apart."""
    from dataclasses import replace
    from types import SimpleNamespace

    villages = sorted((v for v in content.villages), key=lambda v: v.lon)
    west, east = villages[0], villages[-1]
    confirmed = SimpleNamespace(lon=west.lon, lat=west.lat, radius_m=50.0, member_ids=(1, 2))
    proposal = SimpleNamespace(
        lon=east.lon, lat=east.lat, radius_m=80.0, member_ids=(3, 4), incident_id=None
    )
    joiner = SimpleNamespace(lon=0.0, lat=0.0, radius_m=1.0, member_ids=(5,), incident_id=7)
    return replace(content, incidents=[confirmed], incident_proposals=[proposal, joiner])


def test_padam_meluas_is_printed_with_a_minimum_size_and_in_the_legend(qapp, database_with_reports):
    from maps.snapshot import load_content

    plain = load_content(database_with_reports)
    marked = with_incidents(plain)
    assert (marked.counts().incidents, marked.counts().proposals) == (1, 1)  # no joiner
    assert (plain.counts().incidents, plain.counts().proposals) == (0, 0)
    before, layout = paint_png(plain, "A4", True, dpi=150)
    after, _ = paint_png(marked, "A4", True, dpi=150)
    s = before.width() / layout.page.width()
    changed = [
        (x / s, y / s)
        for y in range(int(layout.map.top() * s), int(layout.map.bottom() * s))
        for x in range(int(layout.map.left() * s), int(layout.map.right() * s))
        if before.pixel(x, y) != after.pixel(x, y)
    ]
    # Two circles, one in the far west and one in the far east, each at least the
    # minimum diameter although 50 m and 80 m are a fraction of a millimetre here.
    middle = layout.map.center().x()
    for side in ([p for p in changed if p[0] < middle], [p for p in changed if p[0] > middle]):
        assert side, "a padam meluas circle is missing"
        width = max(p[0] for p in side) - min(p[0] for p in side)
        height = max(p[1] for p in side) - min(p[1] for p in side)
        minimum = 4.0 * layout.k  # millimetres: visible on paper from a step away
        assert width >= minimum and height >= minimum, (width, height)
    # The legend got the two padam meluas rows only when there are some.
    assert ink_box(after, layout.legend, (layout.page.width(), layout.page.height()))
    legend_diff = sum(
        1
        for y in range(int(layout.legend.top() * s), int(layout.legend.bottom() * s))
        for x in range(int(layout.legend.left() * s), int(layout.legend.right() * s))
        if before.pixel(x, y) != after.pixel(x, y)
    )
    assert legend_diff > 500
