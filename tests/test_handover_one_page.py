"""The handover recap stays on one page: a busy shift gets smaller type."""

from __future__ import annotations

from PySide6.QtCore import QSizeF

from ui.handover_pdf import BODY_PT_STEPS, ensure_app, one_page_document

A4_AT_96_DPI = QSizeF(718, 1047)  # the printable area the PDF writer hands over


def rows(count: int) -> str:
    cells = "".join(f"<tr><td>Regu {n}</td><td>{n}</td><td>{n}</td></tr>" for n in range(count))
    return f"<h1>Rekap</h1><table>{cells}</table>"


def body_pt(document) -> float:
    return float(document.defaultStyleSheet().split("font-size: ")[1].split("pt")[0])


def test_a_short_recap_keeps_its_type_size():
    ensure_app()
    document = one_page_document(rows(10), A4_AT_96_DPI)
    assert document.pageCount() == 1
    assert body_pt(document) == BODY_PT_STEPS[0]


def test_a_long_recap_shrinks_to_one_page():
    ensure_app()
    long = rows(62)
    assert one_page_document(long, A4_AT_96_DPI).pageCount() == 1
    assert body_pt(one_page_document(long, A4_AT_96_DPI)) < BODY_PT_STEPS[0]
