"""The audit dialog offscreen: filters, table, before/after detail, export, roles."""

from __future__ import annotations

import csv
import re

import pytest
from PySide6.QtCore import Qt

from comcen_desktop.storage.models import Crew, Report
from comcen_desktop.timeutil import format_wib
from services import dispatch, events
from tests.factories import add_reports, crew_ids
from ui import audit_view, sign_in
from ui.audit_view import QtAuditDialog


@pytest.fixture
def assigned(database):
    first, _ = add_reports(database, 2)
    crew = crew_ids(database)[0]
    assert dispatch.assign_now(database, [first], crew, "budi").ok
    with database.read() as session:
        return session.get(Report, first).number, session.get(Crew, crew)


@pytest.fixture
def dialog(qtbot, database):
    events.set_actor("sari", "supervisor")
    view = QtAuditDialog(database)
    qtbot.addWidget(view)
    yield view
    view.reject()


def search(qtbot, view) -> int:
    with qtbot.waitSignal(view.rowsShown, timeout=20_000) as shown:
        view.search()
    return shown.args[0]


def test_filter_by_report_fills_the_table(qtbot, dialog, assigned):
    number, crew = assigned
    dialog.report_edit.setText(number)
    assert search(qtbot, dialog) == 2
    table = dialog.table
    cells = [[table.item(r, c).text() for c in range(1, 6)] for r in range(table.rowCount())]
    assert cells == [
        [
            "budi",
            events.console_name(),
            "Ditugaskan",
            f"Laporan {number}",
            f"Ditugaskan ke {crew.name}",
        ],
        [
            "tester",
            events.console_name(),
            "Dibuat",
            f"Laporan {number}",
            f"Laporan {number} dicatat di tahap Lapor",
        ],
    ]
    kind = table.item(0, 3)
    assert (kind.data(Qt.ItemDataRole.UserRole), kind.toolTip()) == ("assign", "assign")
    assert table.item(0, 0).text() == format_wib(dialog.rows[0].at)
    assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d WIB", table.item(0, 0).text())
    dialog.show_detail(0)
    detail = dialog.detail.toPlainText()
    assert f"crew_id: - → {crew.id}" in detail
    assert "stage: lapor → penugasan" in detail


def test_filter_by_user(qtbot, dialog, assigned):
    dialog.actor_edit.setText("budi")
    assert search(qtbot, dialog) == 1
    assert dialog.table.item(0, 3).text() == "Ditugaskan"


def test_unknown_report_is_named(qtbot, dialog, assigned):
    dialog.report_edit.setText("LP-TIDAK-ADA")
    assert search(qtbot, dialog) == -1
    assert dialog.message.text() == "Filter laporan: laporan 'LP-TIDAK-ADA' tidak ada."


def test_export_csv(qtbot, dialog, assigned, tmp_path):
    number, _ = assigned
    dialog.report_edit.setText(number)
    search(qtbot, dialog)
    assert dialog.export_to(tmp_path / "audit.csv") == 2
    with open(tmp_path / "audit.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[4:6] for row in rows[1:]] == [["Ditugaskan", "assign"], ["Dibuat", "create"]]


def test_operator_cannot_open_the_audit(window):
    events.set_actor("budi", "operator")
    sign_in.apply_role(window, "budi", "operator")
    assert window.actions["audit"].isEnabled() is False
    assert audit_view.open_audit(window) is None
    assert window.message_label.text() == (
        "Peran operator tidak boleh melihat jejak audit; yang boleh: supervisor dan admin."
    )


def test_supervisor_opens_the_audit_from_the_menu(qtbot, window, assigned):
    events.set_actor("sari", "supervisor")
    opened = audit_view.open_audit(window)
    try:
        with qtbot.waitSignal(opened.rowsShown, timeout=20_000):
            pass
        assert opened.table.rowCount() >= 3  # seed, two creates, one assign
        assert opened.export_button.isEnabled() is True
    finally:
        opened.reject()


def test_kind_filter_lists_labels_with_codes_as_data(qtbot, dialog, assigned):
    combo = dialog.kind_edit
    index = combo.findText("Ditugaskan")
    assert combo.itemText(0) == "(semua jenis)" and combo.itemData(0) == ""
    assert combo.itemData(index) == "assign"
    assert combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == "assign"
    assert combo.findText("sign_in") == -1  # no English codes in the list
    combo.setCurrentIndex(index)
    assert dialog.current_filter().kind == "assign"
    assert search(qtbot, dialog) == 1
    assert dialog.table.item(0, 1).text() == "budi"


def test_audit_sits_above_quit_in_the_file_menu(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and a.text() == "Berkas")
    texts = [a.text() for a in menu.actions()]
    assert texts[-1] == "Keluar"
    assert menu.actions()[-2].isSeparator()
    assert texts.index("Audit…") < texts.index("Keluar")
