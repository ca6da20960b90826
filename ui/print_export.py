"""Print preview and the HTML / CSV / XLSX exports, as the main window's Berkas menu runs them.

The preview paints with the same page painter as `comcen snapshot --paper`: paper and
orientation come from the printer's page layout, chosen in the preview dialog.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from comcen_desktop.i18n import tr
from maps.print_output import paint_to_device
from maps.snapshot import load_content

log = logging.getLogger(__name__)


def new_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)  # the layout has its own margins
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    return printer


def paint_printer(printer: QPrinter, content, privacy: bool):
    """Paint one page on ``printer`` at its paper size; returns the layout used."""
    paper = printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter)
    painter = QPainter(printer)
    try:
        return paint_to_device(
            painter, printer.resolution(), content, paper.width(), paper.height(), privacy
        )
    finally:
        painter.end()


def ask_privacy(parent: QWidget) -> bool:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        tr("Pratinjau cetak…"),
        tr("Sembunyikan data pelanggan (nama, telepon, IDPEL, alamat)?"),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    # Standard buttons say "Yes/No" in English whatever the UI language.
    box.button(QMessageBox.StandardButton.Yes).setText(tr("Ya"))
    box.button(QMessageBox.StandardButton.No).setText(tr("Tidak"))
    return box.exec() == QMessageBox.StandardButton.Yes


def print_preview(parent: QWidget, database) -> None:
    privacy = ask_privacy(parent)
    content = load_content(database)
    printer = new_printer()
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(tr("Pratinjau cetak…"))
    dialog.paintRequested.connect(lambda p: paint_printer(p, content, privacy))
    dialog.exec()


def export_html_dialog(parent: QWidget, database) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, tr("Ekspor HTML…"), "peta-comcen.html", "HTML (*.html)"
    )
    if not path:
        return None
    from services.export_html import export_html

    count = export_html(database, Path(path), privacy=ask_privacy(parent))
    return f"{count} {tr('laporan diekspor ke')} {path}"


def export_table_dialog(parent: QWidget, database) -> str | None:
    path, chosen = QFileDialog.getSaveFileName(
        parent, tr("Ekspor CSV/XLSX…"), "laporan-comcen.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
    )
    if not path:
        return None
    out = Path(path)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        out = out.with_suffix(".csv" if "csv" in chosen.lower() else ".xlsx")
    from services.export_tables import export_reports

    count = export_reports(database, out, privacy=ask_privacy(parent))
    return f"{count} {tr('laporan diekspor ke')} {out}"
