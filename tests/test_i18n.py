"""English is available; Indonesian domain words stay as operators say them."""

from __future__ import annotations

import pytest

from comcen_desktop import i18n
from comcen_desktop.domain import CrewStatus, Stage
from services import dispatch


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language("id")


def test_refusals_follow_the_language(english):
    reason = dispatch.refusal(Stage.SELESAI, None, 1, CrewStatus.SIAGA.value, "LP1")
    assert reason == "Report LP1 is already 'Selesai'."  # stage name stays Indonesian


def test_indonesian_is_the_default():
    reason = dispatch.refusal(Stage.SELESAI, None, 1, CrewStatus.SIAGA.value, "LP1")
    assert reason == "Laporan LP1 sudah 'Selesai'."


def test_queue_headers_in_english(english, qtbot):
    from ui.qt_report_table import QtReportTableModel

    model = QtReportTableModel()
    from PySide6.QtCore import Qt

    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)]
    assert headers[:3] == ["Number", "Time", "Age"]
    assert "Crew" in headers
