"""Stage moves from the console on real widgets: only valid moves are offered, Batal
needs a reason, refusals are shown, and the history opens from the queue."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Event, Report, ReportStage
from comcen_desktop.timeutil import utc_now
from services import console, dispatch, lifecycle
from tests import factories
from ui.stage_menu import next_stages, stage_actions_of

ACTOR = "tester"


def load(window) -> None:
    window.apply_state(console.load_state(window.database))


def stage_of(database, report_id: int) -> str:
    with database.read() as session:
        return session.get(Report, report_id).stage


def move_in_db(database, report_id: int, *stages: Stage) -> None:
    with database.transaction() as session:
        report = session.get(Report, report_id)
        for stage in stages:
            lifecycle.advance(session, report, stage, utc_now(), ACTOR)


def assign_in_db(database, report_id: int) -> None:
    crew = factories.crew_ids(database)[0]
    result = dispatch.assign_now(database, [report_id], crew, ACTOR)
    assert result.ok, result.refused


def offered(window, report_id: int) -> set[str]:
    window.queue_dock.select_ids([report_id])
    menu = window.queue_dock.menu_for([report_id])
    return set(stage_actions_of(menu))


def test_next_stages_follow_the_rules():
    assert next_stages(Stage.LAPOR) == [Stage.PENUGASAN, Stage.BATAL]
    assert next_stages(Stage.PENGERJAAN) == [Stage.NYALA_SEMENTARA, Stage.NYALA]
    assert next_stages(Stage.SELESAI) == []


def test_the_row_menu_offers_only_valid_moves(window, database):
    lapor, assigned, working = factories.add_reports(database, 3)
    assign_in_db(database, assigned)
    assign_in_db(database, working)
    move_in_db(database, working, Stage.PERJALANAN, Stage.PENGERJAAN)
    load(window)

    assert offered(window, lapor) == {"penugasan", "batal"}
    assert offered(window, assigned) == {"perjalanan", "lapor", "batal"}
    assert offered(window, working) == {"nyala_sementara", "nyala"}


def test_a_move_from_the_menu_is_stored_and_logged(window, database):
    (report_id,) = factories.add_reports(database, 1)
    assign_in_db(database, report_id)
    load(window)

    stage_actions_of(window.queue_dock.menu_for([report_id]))["perjalanan"].trigger()

    assert stage_of(database, report_id) == Stage.PERJALANAN.value
    with database.read() as session:
        event = session.scalars(
            select(Event).where(Event.entity_id == report_id).order_by(Event.seq.desc())
        ).first()
        assert (event.kind, event.after["stage"]) == ("stage", "perjalanan")


def test_an_invalid_shortcut_move_is_refused_with_the_rule(window, database):
    (report_id,) = factories.add_reports(database, 1)
    load(window)
    window.queue_dock.select_ids([report_id])

    window.actions["stage_nyala"].trigger()

    assert stage_of(database, report_id) == Stage.LAPOR.value
    assert "tidak bisa ke 'Nyala'" in window.message_label.text()


def test_batal_without_a_reason_is_refused_and_with_one_is_stored(qtbot, window, database):
    (report_id,) = factories.add_reports(database, 1)
    load(window)
    stage_actions_of(window.queue_dock.menu_for([report_id]))["batal"].trigger()
    dialog = window.report_actions.cancel_dialog
    assert dialog is not None and dialog.isVisible()

    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "butuh alasan" in dialog.error_label.text()
    assert stage_of(database, report_id) == Stage.LAPOR.value

    qtbot.keyClicks(dialog.reason_edit, "pelanggan salah lapor")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)

    assert not dialog.isVisible()
    assert stage_of(database, report_id) == Stage.BATAL.value
    with database.read() as session:
        row = session.scalar(
            select(ReportStage).where(
                ReportStage.report_id == report_id, ReportStage.stage == "batal"
            )
        )
        assert (row.note, row.actor) == ("pelanggan salah lapor", ACTOR)
        event = session.scalars(select(Event).where(Event.entity_id == report_id)).all()[-1]
        assert event.after["note"] == "pelanggan salah lapor"


def test_cancel_service_needs_a_reason(database):
    (report_id,) = factories.add_reports(database, 1)
    with database.transaction() as session:
        report = session.get(Report, report_id)
        with pytest.raises(lifecycle.StageError, match="butuh alasan"):
            lifecycle.cancel(session, report, "   ", utc_now(), ACTOR)
        assert report.stage == Stage.LAPOR.value


def test_cancel_refused_after_the_crew_is_at_work(database):
    (report_id,) = factories.add_reports(database, 1)
    assign_in_db(database, report_id)
    move_in_db(database, report_id, Stage.PERJALANAN, Stage.PENGERJAAN)
    with database.transaction() as session:
        report = session.get(Report, report_id)
        with pytest.raises(lifecycle.StageError, match="tidak bisa dibatalkan"):
            lifecycle.cancel(session, report, "hujan", utc_now(), ACTOR)


def test_a_move_on_a_report_changed_elsewhere_is_refused(window, database):
    (report_id,) = factories.add_reports(database, 1)
    assign_in_db(database, report_id)
    load(window)  # the console sees Penugasan, version n
    move_in_db(database, report_id, Stage.PERJALANAN)  # another console moves on

    window.report_actions.move(report_id, Stage.PERJALANAN)

    assert "diubah di konsol lain" in window.message_label.text()


def test_right_click_on_a_pin_asks_for_its_menu(qtbot, window, database):
    (report_id,) = factories.add_reports(database, 1)
    load(window)
    window.show()
    qtbot.waitExposed(window)
    view = window.map_view
    view.fit_island()
    pos = view.mapFromScene(view.pins.scene_pos_of(report_id))
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    # The menu itself would block the test; the window opens it on this signal.
    view.reportMenuRequested.disconnect(window.report_actions._pin_menu)
    with qtbot.waitSignal(view.reportMenuRequested) as asked:
        QApplication.sendEvent(view.viewport(), event)

    assert asked.args[0] == [report_id]
    corner = QPoint(2, 2)
    empty = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, corner, view.viewport().mapToGlobal(corner)
    )
    with qtbot.assertNotEmitted(view.reportMenuRequested):
        QApplication.sendEvent(view.viewport(), empty)


@pytest.mark.parametrize("how", ["double-click", "enter"])
def test_double_click_or_enter_on_a_row_opens_the_history(qtbot, window, database, how):
    ids = factories.add_reports(database, 2)
    load(window)
    window.show()
    qtbot.waitExposed(window)
    table = window.queue_dock.table
    window.queue_dock.select_ids([ids[1]])
    index = table.selectionModel().selectedRows()[0]
    table.setCurrentIndex(index)

    if how == "double-click":
        centre = table.visualRect(index).center()
        # QTest sends the double-click event alone; a real one follows a press.
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    else:
        qtbot.keyClick(table, Qt.Key.Key_Return)

    dialog = window.report_actions.history_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.history.report_id == ids[1]


def flagged_report(database) -> int:
    """A PLN Mobile-style report with latitude and longitude swapped: flagged."""
    from services import intake
    from services.placement import Placer

    raw = {
        "lat": 106.1097,
        "lon": -1.8572,
        "category": "gangguan_individu",
        "phone": "081234567890",
    }
    with database.transaction() as session:
        result = intake.receive(session, Placer(session), raw, source="123", actor=ACTOR)
        assert result.flag is not None, result
        return result.report.id


def test_place_dialog_applies_the_likely_fix_in_one_click(qtbot, database):
    from ui.time_correction import QtPlaceDialog

    report_id = flagged_report(database)
    dialog = QtPlaceDialog(database, report_id)
    qtbot.addWidget(dialog)
    assert dialog.fix_button.isEnabled()
    assert "-1.85720, 106.10970" in dialog.fix_button.text()

    qtbot.mouseClick(dialog.fix_button, Qt.MouseButton.LeftButton)

    with database.read() as session:
        report = session.get(Report, report_id)
        assert report.placement_flag is None
        assert (report.lon, report.lat) == pytest.approx((106.1097, -1.8572))
        assert report.ulp_id is not None
        last = session.scalars(select(Event).where(Event.entity_id == report_id)).all()[-1]
        assert last.kind == "place"


def test_place_dialog_takes_a_map_click_and_refuses_the_sea(qtbot, database):
    from maps.projection import scene_point
    from maps.qt_map_view import QtMapView
    from ui.time_correction import QtPlaceDialog

    report_id = flagged_report(database)
    static = console.load_static(database)
    view = QtMapView()
    view.set_static(static.areas, static.villages, static.posko)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    dialog = QtPlaceDialog(database, report_id, view)
    qtbot.addWidget(dialog)

    dialog.start_pick()
    sea = view.mapFromScene(scene_point(105.0, -2.9))  # west of Bangka, open sea
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=sea)
    assert "tidak berada di wilayah ULP" in dialog.error_label.text()

    dialog.start_pick()
    land = view.mapFromScene(scene_point(106.11, -1.86))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=land)

    with database.read() as session:
        report = session.get(Report, report_id)
        assert report.placement_flag is None
        assert report.lon == pytest.approx(106.11, abs=0.01)


def test_the_row_menu_offers_tempatkan_for_a_flagged_report(qtbot, window, database):
    from dataclasses import replace

    from ui.stage_menu import build_stage_menu

    (report_id,) = factories.add_reports(database, 1)
    load(window)
    plain = window._reports[report_id]
    assert plain.placement_flag is None
    flagged = replace(plain, placement_flag="swapped")
    texts = {}
    for view in (plain, flagged):
        menu = window.queue_dock.menu_for([])
        build_stage_menu(menu, view, window.report_actions)
        texts[view is flagged] = [a.text() for a in menu.actions()]

    assert "Tempatkan…" in texts[True]
    assert "Tempatkan…" not in texts[False]
    model = window.queue_dock.model
    model.set_reports([flagged])
    assert model.data(model.index(0, 0)).startswith("⚠ ")
