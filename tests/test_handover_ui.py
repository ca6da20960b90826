"""The console's shift recap: on demand, and written by itself at a shift change."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtGui import QGuiApplication

from comcen_desktop.timeutil import WIB
from tests import factories
from ui.handover_dialog import QtHandoverDialog, ShiftWatch, build_recap, save_recap


def test_shift_watch_fires_once_per_shift_change(monkeypatch):
    start = datetime(2026, 12, 4, 14, 50, tzinfo=WIB)
    monkeypatch.setattr("ui.handover_dialog.utc_now", lambda: start)
    watch = ShiftWatch()

    assert watch.newly_finished(start + timedelta(minutes=5)) is None  # 14:55, Pagi runs
    assert watch.newly_finished(start + timedelta(minutes=11)) == (start.date(), "pagi")
    assert watch.newly_finished(start + timedelta(minutes=12)) is None  # only once


def test_recap_is_written_as_text_and_pdf(qtbot, database, tmp_path):
    factories.add_reports(database, 3)
    today = datetime.now(WIB)
    recap = build_recap(database, today.date(), "pagi")

    text, pdf = save_recap(recap, tmp_path)

    assert text.name.endswith("-pagi.txt")
    assert "SHIFT PAGI" in text.read_text(encoding="utf-8")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_dialog_starts_on_the_running_shift_and_copies_the_group_chat_text(qtbot, database):
    evening = datetime(2026, 12, 4, 16, 30, tzinfo=WIB)
    dialog = QtHandoverDialog(database, now=evening)
    qtbot.addWidget(dialog)

    assert "masih berjalan" in dialog.picker.currentText()
    assert dialog.text.toPlainText().startswith("(shift masih berjalan")
    dialog.copy_text()
    copied = QGuiApplication.clipboard().text()
    assert copied == dialog.text.toPlainText() and "SHIFT SORE" in copied

    dialog.picker.setCurrentIndex(1)  # the morning shift before it, finished
    assert "SHIFT PAGI" in dialog.text.toPlainText()
    assert "masih berjalan" not in dialog.text.toPlainText()


def test_recent_shifts_walk_back_over_midnight():
    from ui.handover_dialog import recent_shifts

    night = datetime(2026, 12, 5, 2, 0, tzinfo=WIB)  # Malam began on the 4th at 23:00
    shifts = [(day.day, shift) for day, shift, _running in recent_shifts(night, 4)]
    assert shifts == [(4, "malam"), (4, "sore"), (4, "pagi"), (3, "malam")]


def test_a_pdf_that_cannot_be_written_is_an_error_not_a_success(qtbot, database, tmp_path):
    import pytest

    from ui.handover_pdf import render_pdf

    recap = build_recap(database, datetime.now(WIB).date(), "pagi")
    with pytest.raises(OSError, match="cannot write"):
        render_pdf(recap, tmp_path / "missing" / "rekap.pdf")


def test_crews_that_do_not_fit_are_counted_not_dropped(qtbot, database):
    from dataclasses import replace

    from services.kpi_engine.handover import CrewWork
    from ui.handover_pdf import MAX_CREWS, recap_html

    recap = build_recap(database, datetime.now(WIB).date(), "pagi")
    crews = [CrewWork(f"Regu {n}", 1, 20.0, 30.0) for n in range(MAX_CREWS + 4)]

    html = recap_html(replace(recap, crews=crews))

    assert f"Regu {MAX_CREWS - 1}<" in html and f"Regu {MAX_CREWS}<" not in html
    assert "… dan 4 regu lainnya." in html
