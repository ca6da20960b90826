"""The report queue: every open report, sortable, filterable, draggable onto a crew."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop.i18n import tr
from services.queries import ReportView
from ui.qt_report_table import (
    COLUMNS,
    ID_ROLE,
    SORT_ROLE,
    QtReportFilterProxy,
    QtReportTableModel,
)


class QtReportQueueDock(QDockWidget):
    reportsSelected = Signal(list)  # report ids chosen in the table
    assignRequested = Signal(list)  # report ids for the keyboard "assign to…" path
    unassignRequested = Signal(list)  # report ids to take back from their crew
    historyRequested = Signal(int)  # report id: double-click or Enter on a row

    def __init__(self, parent=None):
        super().__init__(tr("Antrean laporan"), parent)
        self.setObjectName("queueDock")
        self.model = QtReportTableModel(self)
        self.proxy = QtReportFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self._syncing = False
        # Set by the window (ui.stage_menu): adds stage moves etc. to the row menu.
        self.menu_extender = None
        self.setWidget(self._build())

    def _build(self) -> QWidget:
        self.filter_edit = QLineEdit(
            placeholderText=tr("Cari nomor, desa, ULP, regu, nama, IDPEL, telepon…")
        )
        self.filter_edit.textChanged.connect(self._search)
        self.count_label = QLabel()
        self.assign_button = QPushButton(tr("Tugaskan ke…"))
        self.assign_button.setShortcut("Ctrl+T")
        self.assign_button.setToolTip("Ctrl+T")
        self.assign_button.clicked.connect(self._request_assign)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMNS.index("Waktu"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        # Sized once from the first reports, then left to the operator: resize-to-contents
        # measured every cell on every refresh (68,000 data() calls for 200 reports).
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._columns_sized = False
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        # Double-click and Enter "activate" a row: its history (Ctrl+T assigns).
        self.table.activated.connect(self._request_history)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.assign_button)
        layout = QVBoxLayout()
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        box = QWidget()
        box.setLayout(layout)
        return box

    def _search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_count()

    def _show_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if shown == total:
            self.count_label.setText(f"{total} {tr('laporan terbuka')}")
        else:
            self.count_label.setText(f"{shown} {tr('dari')} {total} {tr('laporan terbuka')}")

    def set_reports(self, reports: list[ReportView]) -> None:
        # A reset drops the selection; keep what the operator had chosen.
        chosen = set(self.selected_ids())
        self._syncing = True
        self.model.set_reports(reports)
        self._syncing = False
        self._show_count()
        if reports and not self._columns_sized:
            self.table.resizeColumnsToContents()
            self._columns_sized = True
        if chosen:
            self.select_ids(chosen, emit=False)

    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        return [self.proxy.data(index, ID_ROLE) for index in rows]

    def select_ids(self, ids, emit: bool = False) -> None:
        selection = QItemSelection()
        for report_id in ids:
            row = self.model.row_of(report_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index.siblingAtColumn(len(COLUMNS) - 1))
        self._syncing = not emit
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().select(selection, flags)
        if not selection.isEmpty():
            self.table.scrollTo(selection.indexes()[0])
        self._syncing = False

    def _selection_changed(self, *_args) -> None:
        if not self._syncing:
            self.reportsSelected.emit(self.selected_ids())

    def _request_assign(self) -> None:
        self.assignRequested.emit(self.selected_ids())

    def _request_history(self, index) -> None:
        report_id = self.proxy.data(index, ID_ROLE)
        if report_id is not None:
            self.historyRequested.emit(report_id)

    def _context_menu(self, pos) -> None:
        ids = self.selected_ids()
        if ids:
            menu = self.menu_for(ids)
            menu.exec(self.table.viewport().mapToGlobal(pos))
            menu.deleteLater()  # one menu per right-click, not one more child each time

    def menu_for(self, ids: list[int]) -> QMenu:
        """The row menu for these reports (built apart from exec() so it can be read)."""
        menu = QMenu(self)
        menu.addAction(tr("Tugaskan ke…"), self._request_assign)
        menu.addAction(tr("Batalkan penugasan"), lambda: self.unassignRequested.emit(ids))
        if self.menu_extender is not None:
            menu.addSeparator()
            self.menu_extender(menu, ids)
        return menu
