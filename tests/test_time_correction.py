"""A time correction that changes nothing is refused: in the dialog (which shows
minutes) and in the service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Report
from services import lifecycle
from tests.test_report_history import ACTOR, on_the_way, stage_row
from ui.time_correction import QtTimeCorrectionDialog


def test_saving_the_time_as_shown_is_refused_and_keeps_the_seconds(qtbot, database):
    report_id, set_off = on_the_way(database)
    dialog = QtTimeCorrectionDialog(database, report_id, stage=Stage.PERJALANAN)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.reason_edit, "cek saja")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)

    assert "belum diubah" in dialog.error_label.text()
    row = stage_row(database, report_id, Stage.PERJALANAN)
    assert (row.at, row.original_at) == (set_off, None)

    qtbot.keyClicks(dialog.reason_edit, "!")  # editing clears the old message
    assert dialog.error_label.isHidden()


def test_the_service_refuses_the_same_time(database):
    report_id, set_off = on_the_way(database)
    with database.transaction() as session, pytest.raises(lifecycle.StageError) as refused:
        report = session.get(Report, report_id)
        lifecycle.correct_stage_time(session, report, Stage.PERJALANAN, set_off, ACTOR, "sama")
    assert "tidak berubah" in str(refused.value)
