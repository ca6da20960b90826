"""Berkas → Impor riwayat… offscreen: the import runs in its thread, the bar reaches
100 %, the summary and the rejected rows are shown; a bad file says why."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from sqlalchemy import func, select

from comcen_desktop.storage.models import Report
from tests.test_report_import import big_file, write_csv

WAIT_MS = 120_000  # a generous limit, not a speed claim: the machine is shared


def stored(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).where(Report.source == "impor"))


def test_an_import_through_the_dialog(qtbot, database, tmp_path):
    from ui.import_dialog import QtImportDialog

    path = tmp_path / "besar.csv"
    bad_lines, repeats = big_file(path, count=600)
    dialog = QtImportDialog(database)
    qtbot.addWidget(dialog)
    values = []
    dialog.progress.valueChanged.connect(values.append)
    dialog.file_edit.setText(str(path))
    dialog.zone_box.setCurrentText("Asia/Jakarta")

    with qtbot.waitSignal(dialog.importFinished, timeout=WAIT_MS) as finished:
        dialog.start_button.click()
        assert not dialog.start_button.isEnabled() and dialog.cancel_button.isEnabled()
    summary = finished.args[0]

    assert (summary.read, summary.imported) == (600, 600 - len(bad_lines) - repeats)
    assert dialog.progress.value() == 100 and values[-1] == 100
    assert values == sorted(values)
    text = dialog.result.toPlainText().splitlines()
    assert text[0] == summary.describe()
    assert [line.split(":")[0] for line in text[1:]] == [f"baris {n}" for n in bad_lines]
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert stored(database) == summary.imported
    dialog.copy_result()
    assert QGuiApplication.clipboard().text() == dialog.result.toPlainText()
    dialog.reject()


def test_a_bad_file_says_why_and_stores_nothing(qtbot, database, tmp_path):
    from ui.import_dialog import QtImportDialog

    path = write_csv(tmp_path / "salah.csv", [["x"]], header=["kolom_lain"])
    dialog = QtImportDialog(database)
    qtbot.addWidget(dialog)
    dialog.file_edit.setText(str(path))
    with qtbot.waitSignal(dialog.importFailed, timeout=WAIT_MS) as failed:
        dialog.start_button.click()
    assert "salah.csv: kolom wajib 'no_laporan', 'waktu_lapor' tidak ada" in failed.args[0]
    assert "no_laporan" in dialog.result.toPlainText()
    assert stored(database) == 0
    dialog.reject()


def test_the_menu_has_the_item(window):
    action = window.actions["import"]
    assert action.text() == "Impor riwayat…"
    assert action in window.menuBar().actions()[0].menu().actions()
