"""The outbox in the console: backlog indicator, outbox dialog, templates, feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from comcen_desktop import settings
from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Notice, Report
from comcen_desktop.timeutil import UTC, utc_now
from services import dispatch, lifecycle, notice_sender, notices
from services.notice_sender import Backlog
from tests import factories
from ui.feedback_dialog import QtFeedbackDialog
from ui.notice_outbox import QtNoticeIndicator, QtNoticeWorker, QtOutboxDialog
from ui.notice_templates import QtNoticeTemplatesDialog


class FailingSender:
    def send(self, notice) -> None:
        raise TimeoutError("SMS gateway timeout")


def fail_all(database) -> None:
    with database.transaction() as session:
        settings.put(session, "notice.max_attempts", 1)
    notice_sender.deliver_due(database, FailingSender())


def test_indicator_shows_the_backlog_count_and_colour(qtbot):
    label = QtNoticeIndicator()
    qtbot.addWidget(label)

    label.set_backlog(Backlog(3, 0, 0, None), None)
    assert (label.text(), label.level) == ("Notifikasi: 3 antre, 0 gagal", "ok")

    label.set_backlog(Backlog(25, 0, 0, None), None, warn_at=20)
    assert label.level == "amber"
    label.set_backlog(Backlog(2, 1, 0, None), None)
    assert label.level == "amber"  # retrying

    label.set_backlog(Backlog(2, 0, 4, datetime(2026, 12, 4, 1, 0, tzinfo=UTC)), None)
    assert (label.text(), label.level) == ("Notifikasi: 2 antre, 4 gagal", "red")
    assert "04-12-2026 08:00 WIB" in label.toolTip()

    label.set_backlog(Backlog(0, 0, 0, None), "Pengirim notifikasi 'x' tidak bisa dipakai")
    assert label.level == "red" and "tidak bisa dipakai" in label.toolTip()


def test_the_worker_sends_and_reports_the_backlog_off_the_gui_thread(qtbot, database, tmp_path):
    factories.add_reports(database, 2)
    with database.transaction() as session:
        # A sender that cannot be loaded: the round sends nothing and says so.
        settings.put(session, "notice.sender", "tidak_ada:Pengirim")
    worker = QtNoticeWorker(database, interval_ms=60_000)
    got = []
    worker.backlogLoaded.connect(lambda counts, refused, warn: got.append((counts, refused)))

    with qtbot.waitSignal(worker.backlogLoaded, timeout=10_000):
        worker.start()
    worker.stop()

    counts, refused = got[0]
    assert (counts.waiting, counts.failed) == (2, 0)
    assert "tidak_ada:Pengirim" in refused


def test_the_window_has_the_indicator_and_the_menu(window):
    outbox = window.notice_outbox
    assert outbox.indicator.parent() is not None
    assert [a.text() for a in outbox.menu.actions()] == [
        "Kotak keluar notifikasi…",
        "Template notifikasi…",
        "Umpan balik pelanggan…",
    ]


def test_the_outbox_dialog_lists_a_failed_notice_and_resends_it(qtbot, database):
    [report_id] = factories.add_reports(database, 1)
    fail_all(database)
    with database.read() as session:
        number = session.get(Report, report_id).number

    dialog = QtOutboxDialog(database)
    qtbot.addWidget(dialog)
    dialog.filter_combo.setCurrentIndex(2)  # Gagal

    assert dialog.table.rowCount() == 1
    cells = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert cells[:6] == [
        number, "Laporan diterima", "081234567890", "Gagal", "1", "SMS gateway timeout"
    ]  # fmt: skip
    dialog.table.selectRow(0)
    assert dialog.resend_button.isEnabled()
    assert not dialog.feedback_button.isEnabled()

    assert dialog.resend_selected() == 1
    assert dialog.table.rowCount() == 0  # still filtered to Gagal
    with database.read() as session:
        notice = session.scalar(select(Notice).where(Notice.report_id == report_id))
    assert (notice.status, notice.attempts) == ("antre", 0)


def test_the_template_editor_previews_and_refuses_a_bad_template(qtbot, database):
    dialog = QtNoticeTemplatesDialog(database)
    qtbot.addWidget(dialog)

    dialog.editors["nyala"].setPlainText("Nyala lagi untuk {nomor}, {nama}.")
    assert dialog.previews["nyala"].text() == "Nyala lagi untuk LP261204-00042, Budi Santoso."
    dialog.editors["padam_diterima"].setPlainText("Diterima {nomer}")
    assert "{nomer} tidak dikenal" in dialog.previews["padam_diterima"].text()

    assert dialog.save() is False
    assert "{nomer}" in dialog.error_label.text()
    with database.read() as session:
        assert notices.template(session, "nyala") == settings.DEFAULTS["notice.template.nyala"]

    dialog.reset("padam_diterima")
    assert dialog.save() is True
    assert dialog.saved_changes == 1
    with database.read() as session:
        assert notices.template(session, "nyala") == "Nyala lagi untuk {nomor}, {nama}."


def test_the_feedback_dialog_reopens_on_tidak(qtbot, database):
    [report_id] = factories.add_reports(database, 1)
    assert dispatch.assign_now(database, [report_id], factories.crew_ids(database)[0], "t").assigned
    with database.transaction() as session:
        report = session.get(Report, report_id)
        for stage in (Stage.PERJALANAN, Stage.PENGERJAAN, Stage.NYALA, Stage.SELESAI):
            lifecycle.advance(session, report, stage, utc_now(), "tester")
        number = report.number
    dialog = QtFeedbackDialog(database, report_id, number)
    qtbot.addWidget(dialog)

    assert dialog.save() is False  # no answer chosen yet
    assert "ya atau tidak" in dialog.error_label.text()
    dialog.no.setChecked(True)
    dialog.rating_buttons[2].setChecked(True)
    dialog.comment_edit.setPlainText("Masih padam")
    assert dialog.save() is True

    with database.read() as session:
        new = session.scalar(select(Report).where(Report.reopened_from_id == report_id))
        old = session.get(Report, report_id)
    assert dialog.reopened_number == new.number
    assert (old.rating, old.feedback_resolved, new.stage) == (2, False, "lapor")
    assert new.number in dialog.result_message()


def test_the_feedback_dialog_shows_why_before_selesai(qtbot, database):
    [report_id] = factories.add_reports(database, 1)
    dialog = QtFeedbackDialog(database, report_id, "LP")
    qtbot.addWidget(dialog)
    dialog.yes.setChecked(True)

    assert dialog.save() is False
    assert "hanya setelah 'Selesai'" in dialog.error_label.text()
