"""Table model of open reports for the queue dock: sortable, draggable."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from comcen_desktop.domain import (
    AGE_LATE,
    AGE_WARN,
    CATEGORY_LABELS,
    STAGE_COLOURS,
    STAGE_LABELS,
    STAGE_ORDER,
    Category,
    Stage,
)
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import format_age, to_wib
from maps.dnd import encode_reports
from services.queries import ReportView

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

COLUMNS = ("Nomor", "Waktu", "Umur", "ULP", "Desa", "Tahap", "Regu", "Kategori")
# The queue is narrow: "Gangguan individu" would push Regu off screen.
SHORT_CATEGORY = {
    Category.INDIVIDU.value: "Individu",
    Category.MELUAS.value: "Padam meluas",
    Category.KELUHAN.value: "Keluhan",
}
AGE_BRUSHES = {AGE_WARN: QColor("#fde3b5"), AGE_LATE: QColor("#f5b7b1")}
# A report whose point could not be trusted (report.placement_flag) waits for the
# operator to place it: marked on its number ("Tempatkan…" in the row menu).
FLAG_MARK = "⚠ "
FLAG_BRUSH = QColor("#f9d56e")


def is_flagged(report: ReportView) -> bool:
    return bool(getattr(report, "placement_flag", None))


class QtReportTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ReportView] = []

    def set_reports(self, reports: list[ReportView]) -> None:
        self.beginResetModel()
        self._rows = list(reports)
        self.endResetModel()

    def report_at(self, row: int) -> ReportView:
        return self._rows[row]

    def row_of(self, report_id: int) -> int | None:
        for row, report in enumerate(self._rows):
            if report.id == report_id:
                return row
        return None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return tr(COLUMNS[section])
        return None

    def flags(self, index):
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        report = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(report, column)
        if role == SORT_ROLE:
            return _sort_key(report, column)
        if role == ID_ROLE:
            return report.id
        if role == Qt.ItemDataRole.BackgroundRole:
            return _background(report, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            label = CATEGORY_LABELS.get(Category(report.category), report.category)
            flag = f"\n{tr('Lokasi perlu ditempatkan')}" if is_flagged(report) else ""
            return f"{report.number} · {label}\n{report.description or ''}".strip() + flag
        return None

    def mimeTypes(self) -> list[str]:
        from maps.dnd import MIME_REPORTS

        return [MIME_REPORTS]

    def mimeData(self, indexes):
        ids = sorted({self._rows[i.row()].id for i in indexes if i.isValid()})
        return encode_reports(ids)

    def supportedDragActions(self):
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction


def _display(report: ReportView, column: str):
    match column:
        case "Nomor":
            return FLAG_MARK + report.number if is_flagged(report) else report.number
        case "Waktu":
            return to_wib(report.reported_at).strftime("%d-%m %H:%M")
        case "ULP":
            return report.ulp
        case "Desa":
            return report.village
        case "Kategori":
            return SHORT_CATEGORY.get(report.category, report.category)
        case "Tahap":
            return STAGE_LABELS[report.stage]
        case "Umur":
            return format_age(report.age_min)
        case "Regu":
            return report.crew or "–"
    return None


def _sort_key(report: ReportView, column: str):
    match column:
        case "Waktu":
            return report.reported_at.timestamp()
        case "Umur":
            return report.age_min
        case "Tahap":
            return STAGE_ORDER.index(report.stage) if report.stage in STAGE_ORDER else 99
    return str(_display(report, column) or "")


def _background(report: ReportView, column: str):
    if column == "Nomor" and is_flagged(report):
        return QBrush(FLAG_BRUSH)
    if column == "Tahap":
        colour = QColor(STAGE_COLOURS[Stage(report.stage)])
        colour.setAlpha(70)
        return QBrush(colour)
    if column == "Umur" and report.age_class in AGE_BRUSHES:
        return QBrush(AGE_BRUSHES[report.age_class])
    return None


def search_text(report: ReportView) -> str:
    """Everything an operator may type to find a report: number, place, crew, and the
    caller (name, IDPEL, phone, address), lower-cased; phone digits also without +62/0."""
    phone = "".join(ch for ch in (report.phone or "") if ch.isdigit())
    local = phone[2:] if phone.startswith("62") else phone.lstrip("0")
    parts = [
        report.number,
        report.ulp,
        report.district,
        report.village,
        report.crew or "",
        report.name or "",
        report.idpel or "",
        report.address or "",
        report.phone or "",
        phone,
        local,
    ]
    return " ".join(parts).lower()


class QtReportFilterProxy(QSortFilterProxyModel):
    """Filters the queue on what the operator types: every word must match somewhere
    (number, place, crew, or the caller's name, IDPEL, phone, address)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._words: list[str] = []

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        # "+62 812…" is how callers say a number stored as "0812…".
        words = text.lower().split()
        self._words = ["0" + w[3:] if w.startswith("+62") else w for w in words]
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self._words:
            return True
        haystack = search_text(self.sourceModel().report_at(source_row))
        return all(word in haystack for word in self._words)
