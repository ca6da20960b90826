"""The report's history (service and view) and the time correction dialog, on a real
SQLite file: original and corrected times, who and why, the event log in words, and
the links between reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from comcen_desktop.domain import Source, Stage
from comcen_desktop.storage.models import Report, ReportStage
from comcen_desktop.timeutil import format_wib, utc_now
from services import dispatch, intake, lifecycle, report_history
from services.placement import Placer
from tests import factories
from ui.report_history import QtReportHistoryDialog
from ui.time_correction import QtTimeCorrectionDialog

ACTOR = "tester"


def on_the_way(database, minutes_ago: float = 30) -> tuple[int, object]:
    """A report 30 min old, assigned and its crew set off just now; (id, set-off time)."""
    (report_id,) = factories.add_reports(database, 1, minutes_ago=minutes_ago)
    crew = factories.crew_ids(database)[0]
    assert dispatch.assign_now(database, [report_id], crew, ACTOR).ok
    set_off = utc_now()
    with database.transaction() as session:
        report = session.get(Report, report_id)
        lifecycle.advance(session, report, Stage.PERJALANAN, set_off, ACTOR)
    return report_id, set_off


def stage_row(database, report_id: int, stage: Stage) -> ReportStage:
    with database.read() as session:
        return session.query(ReportStage).filter_by(report_id=report_id, stage=stage.value).one()


def correct_in_dialog(qtbot, database, report_id, new_at, reason: str) -> QtTimeCorrectionDialog:
    dialog = QtTimeCorrectionDialog(database, report_id, stage=Stage.PERJALANAN)
    qtbot.addWidget(dialog)
    dialog.set_time(new_at)
    qtbot.keyClicks(dialog.reason_edit, reason)
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    return dialog


def test_history_shows_the_original_and_corrected_time_who_and_why(qtbot, database):
    report_id, set_off = on_the_way(database)
    # The crew really set off later than recorded (the editor has whole minutes).
    corrected = (set_off + timedelta(minutes=3)).replace(second=0, microsecond=0)

    dialog = correct_in_dialog(qtbot, database, report_id, corrected, "regu lapor terlambat")
    assert dialog.result() == QtTimeCorrectionDialog.DialogCode.Accepted

    view = QtReportHistoryDialog(database, report_id)
    qtbot.addWidget(view)
    stages = view.stages_table
    labels = [view.cell(stages, r, "Tahap") for r in range(stages.rowCount())]
    assert labels == ["Lapor", "Penugasan Regu", "Dalam Perjalanan"]
    row = labels.index("Dalam Perjalanan")
    assert view.cell(stages, row, "Waktu (WIB)") == format_wib(corrected)
    assert view.cell(stages, row, "Waktu asli") == format_wib(set_off)
    assert view.cell(stages, row, "Dikoreksi oleh") == ACTOR
    assert view.cell(stages, row, "Alasan koreksi") == "regu lapor terlambat"
    assert view.cell(stages, row, "Dikoreksi pada").endswith("WIB")
    assert view.cell(stages, 0, "Waktu asli") == ""  # Lapor was never corrected

    events = view.events_table
    kinds = [view.cell(events, r, "Kejadian") for r in range(events.rowCount())]
    assert kinds == ["Laporan dibuat", "Ditugaskan", "Pindah tahap", "Koreksi waktu"]
    text = view.cell(events, 3, "Perubahan")
    assert text == (
        f"Waktu Dalam Perjalanan dikoreksi {format_wib(set_off)} → {format_wib(corrected)}"
        " · alasan: regu lapor terlambat"
    )
    assert view.cell(events, 3, "Oleh") == ACTOR


def test_a_refused_correction_is_shown_in_the_dialog_and_nothing_changes(qtbot, database):
    report_id, set_off = on_the_way(database)
    with database.read() as session:
        reported_at = session.get(Report, report_id).reported_at

    dialog = correct_in_dialog(
        qtbot, database, report_id, reported_at - timedelta(minutes=5), "salah ketik"
    )

    assert dialog.result() != QtTimeCorrectionDialog.DialogCode.Accepted
    assert "sebelum waktu lapor" in dialog.error_label.text()
    row = stage_row(database, report_id, Stage.PERJALANAN)
    assert (row.at, row.original_at) == (set_off, None)


def test_a_correction_without_reason_is_refused(qtbot, database):
    report_id, set_off = on_the_way(database)

    dialog = correct_in_dialog(qtbot, database, report_id, set_off - timedelta(minutes=1), "")

    assert "butuh alasan" in dialog.error_label.text()
    assert stage_row(database, report_id, Stage.PERJALANAN).at == set_off


def test_the_dialog_lists_only_reached_stages(qtbot, database):
    report_id, _ = on_the_way(database)
    dialog = QtTimeCorrectionDialog(database, report_id)
    qtbot.addWidget(dialog)

    items = [dialog.stage_combo.itemText(i) for i in range(dialog.stage_combo.count())]

    assert items == ["Lapor", "Penugasan Regu", "Dalam Perjalanan"]


def test_cancel_reason_is_in_the_stage_note_and_the_log(qtbot, database):
    (report_id,) = factories.add_reports(database, 1)
    with database.transaction() as session:
        report = session.get(Report, report_id)
        lifecycle.cancel(session, report, "gangguan di sisi pelanggan", utc_now(), ACTOR)

    view = QtReportHistoryDialog(database, report_id)
    qtbot.addWidget(view)

    assert view.cell(view.stages_table, 1, "Tahap") == "Batal"
    assert view.cell(view.stages_table, 1, "Catatan") == "gangguan di sisi pelanggan"
    last = view.events_table.rowCount() - 1
    assert view.cell(view.events_table, last, "Perubahan").startswith("Tahap Lapor → Batal, ")
    assert "catatan: gangguan di sisi pelanggan" in view.cell(view.events_table, last, "Perubahan")


def receive(database, idpel: str, minutes_ago: float) -> int:
    raw = {
        "idpel": idpel,
        "phone": "+6281234567890",
        "name": "Budi",
        "village": "Sungailiat",
        "category": "gangguan_individu",
        "reported_at": (utc_now() - timedelta(minutes=minutes_ago)).isoformat(),
    }
    with database.transaction() as session:
        result = intake.receive(session, Placer(session), raw, source=Source.CC123, actor=ACTOR)
        assert not result.errors, result.errors
        return result.report.id


def test_repeat_links_both_ways_and_can_be_followed(qtbot, database):
    first = receive(database, "512300000001", minutes_ago=60 * 24 * 10)
    second = receive(database, "512300000001", minutes_ago=5)

    view = QtReportHistoryDialog(database, second)
    qtbot.addWidget(view)
    with database.read() as session:
        first_number = session.get(Report, first).number
    assert f'Pengaduan berulang dari: <a href="laporan:{first}">{first_number}</a>' in (
        view.links_label.text()
    )
    fields = {view.cell(view.fields_table, r, "Data"): view.cell(view.fields_table, r, "Isi")
              for r in range(view.fields_table.rowCount())}  # fmt: skip
    assert fields["Telepon"] == "+6281234567890"
    assert fields["IDPEL"] == "512300000001"
    assert fields["Desa"] == "Sungailiat"
    assert fields["Sumber"] == "Contact Center 123"
    events = view.events_table
    assert view.cell(events, 0, "Kejadian") == "Laporan dibuat"
    created = view.cell(events, 0, "Perubahan")
    assert created == (
        f"Laporan {view.history.number} dicatat di tahap Lapor · sumber: Contact Center 123"
        f" · pengaduan berulang dari {first_number}"
    )
    assert "(id)" not in created and "–" not in created

    view.links_label.linkActivated.emit(f"laporan:{first}")

    assert view.history.report_id == first
    assert "Diulang oleh" in view.links_label.text()


def test_service_history_of_an_unknown_report_is_none(database):
    with database.read() as session:
        assert report_history.load_history(session, 999_999) is None


@pytest.mark.parametrize(
    ("kind", "before", "after", "expected"),
    [
        ("assign", {"stage": "lapor"}, {"stage": "penugasan", "crew": "Regu Koba 1"},
         "Ditugaskan ke Regu Koba 1"),
        ("unassign", {"stage": "penugasan", "crew": "Regu A"},
         {"stage": "lapor", "reason": "salah regu"},
         "Penugasan Regu A dibatalkan, kembali ke Lapor · alasan: salah regu"),
        ("something_new", None, {"x": 1}, "Perubahan data: x 1"),
    ],
)  # fmt: skip
def test_events_read_as_words(kind, before, after, expected):
    assert report_history.describe_event(kind, before, after) == expected


def test_cancel_correction_and_history_on_both_databases(any_url):
    from services.database import open_database

    database = open_database(any_url)
    try:
        report_id, set_off = on_the_way(database)
        with database.transaction() as session:
            report = session.get(Report, report_id)
            later = set_off + timedelta(minutes=2)
            lifecycle.correct_stage_time(
                session, report, Stage.PERJALANAN, later, ACTOR, "jam HP regu salah"
            )
            lifecycle.cancel(session, report, "jalan tertutup banjir", later, ACTOR)
        with database.read() as session:
            history = report_history.load_history(session, report_id)
    finally:
        database.dispose()

    stages = {entry.stage: entry for entry in history.stages}
    assert list(stages) == [Stage.LAPOR, Stage.PENUGASAN, Stage.PERJALANAN, Stage.BATAL]
    moved = stages[Stage.PERJALANAN]
    assert (moved.at, moved.original_at) == (later, set_off)
    assert (moved.corrected_by, moved.correction_reason) == (ACTOR, "jam HP regu salah")
    assert stages[Stage.BATAL].note == "jalan tertutup banjir"
    assert [e.kind for e in history.events] == ["create", "assign", "stage", "correct", "stage"]
    assert history.events[-1].text.endswith("catatan: jalan tertutup banjir")


def test_stage_tab_has_no_mnemonic_underscore(qtbot, database):
    (report_id,) = factories.add_reports(database, 1)
    view = QtReportHistoryDialog(database, report_id)
    qtbot.addWidget(view)
    titles = [view.tabs.tabText(i) for i in range(view.tabs.count())]
    assert titles == ["Data laporan", "Tahap dan koreksi", "Log kejadian"]
    assert all("&" not in title for title in titles)
