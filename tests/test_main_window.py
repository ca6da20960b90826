"""The main window on a real SQLite file: queue, board, map and drag-to-dispatch."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from comcen_desktop.domain import CrewStatus, Stage
from comcen_desktop.storage.models import Event, Report
from maps.dnd import encode_reports
from services import console
from services.database import open_database
from tests import factories
from ui.qt_report_table import COLUMNS


def load(window) -> None:
    """Apply a fresh state synchronously, as the follower thread would."""
    window.apply_state(console.load_state(window.database))


def drop_on_card(card, report_ids) -> None:
    mime = encode_reports(report_ids)
    centre = card.rect().center()
    enter_and_drop(card, mime, centre)


def enter_and_drop(widget, mime, point) -> None:
    from PySide6.QtGui import QDragEnterEvent

    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(
        point, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(
        point.toPointF() if hasattr(point, "toPointF") else point,
        actions,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)


def stored(database, report_id):
    with database.read() as session:
        report = session.get(Report, report_id)
        return report.stage, report.crew_id, report.version


def event_count(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Event))


def test_queue_and_board_show_the_database(window, database):
    ids = factories.add_reports(database, 12)
    factories.close_report(database, ids[0])
    load(window)

    model = window.queue_dock.model
    shown = {model.report_at(row).id for row in range(model.rowCount())}
    assert shown == set(ids[1:])
    assert set(window.crew_dock.cards) == set(factories.crew_ids(database))
    assert "11" in window.queue_dock.count_label.text()


def test_queue_sorts_by_age(window, database):
    factories.add_reports(database, 6)
    load(window)
    table = window.queue_dock.table
    column = COLUMNS.index("Umur")
    table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    proxy = window.queue_dock.proxy
    ages = [
        window.queue_dock.model.report_at(proxy.mapToSource(proxy.index(r, 0)).row()).age_min
        for r in range(proxy.rowCount())
    ]
    assert ages == sorted(ages, reverse=True)


def test_selecting_a_row_highlights_its_pin_and_back(window, database, qtbot):
    ids = factories.add_reports(database, 5)
    load(window)

    window.queue_dock.select_ids([ids[2]], emit=True)
    assert window.map_view.selected_ids() == {ids[2]}

    window.map_view.reportsSelected.emit([ids[3]])
    assert window.queue_dock.selected_ids() == [ids[3]]


def test_drop_on_crew_card_assigns_and_survives_restart(window, database, sqlite_url):
    report_id = factories.add_reports(database, 3)[1]
    crew_id = factories.crew_ids(database)[0]
    load(window)

    drop_on_card(window.crew_dock.cards[crew_id], [report_id])

    stage, crew, _version = stored(database, report_id)
    assert (stage, crew) == (Stage.PENUGASAN.value, crew_id)
    reopened = open_database(sqlite_url)
    try:
        stage, crew, _version = stored(reopened, report_id)
        assert (stage, crew) == (Stage.PENUGASAN.value, crew_id)
        with reopened.read() as session:
            kinds = session.scalars(select(Event.kind).where(Event.entity_id == report_id))
            assert "assign" in list(kinds)
    finally:
        reopened.dispose()

    load(window)
    card = window.crew_dock.cards[crew_id]
    assert card.crew.current_report is not None
    assert window.map_view.pin_count() == 3


def test_invalid_drop_changes_nothing_and_says_why(window, database, qtbot):
    report_id = factories.add_reports(database, 2)[0]
    crew_id = factories.crew_ids(database)[1]
    factories.set_crew_status(database, crew_id, CrewStatus.LIBUR)
    load(window)
    before = (stored(database, report_id), event_count(database))

    with qtbot.waitSignal(window.messageShown) as blocker:
        drop_on_card(window.crew_dock.cards[crew_id], [report_id])

    assert blocker.args[1] is True
    assert "Tidak bertugas" in blocker.args[0]
    assert (stored(database, report_id), event_count(database)) == before


def test_drop_of_a_closed_report_is_refused(window, database):
    ids = factories.add_reports(database, 2)
    load(window)
    factories.close_report(database, ids[0])  # closed on another console meanwhile
    crew_id = factories.crew_ids(database)[0]
    before = stored(database, ids[0])

    assert window.assign([ids[0]], crew_id) is False
    assert stored(database, ids[0]) == before


def test_stale_view_loses_to_the_other_console(window, database):
    report_id = factories.add_reports(database, 1)[0]
    first, second = factories.crew_ids(database)[:2]
    load(window)
    from services import dispatch

    other = dispatch.assign_now(database, [report_id], first, "other-console")
    assert other.assigned

    assert window.assign([report_id], second) is False
    assert "konsol lain" in window.message_label.text()
    assert stored(database, report_id)[1] == first


def test_map_shows_one_pin_per_open_report_and_recent_closed_muted(window, database):
    ids = factories.add_reports(database, 20)
    factories.close_report(database, ids[5])
    load(window)

    pinned = window.map_view.pins.report_ids()
    assert sorted(pinned) == sorted(ids)  # 19 open + 1 closed within map.closed_hours
    open_ids = {r.id for r in window.state.reports}
    assert open_ids == set(ids) - {ids[5]}
    assert [window.state.recent_closed[0].id] == [ids[5]]
    assert window.state.recent_closed[0].age_class == "ok"


def test_live_simulation_is_marked_and_writes_reports(window, database, monkeypatch):
    from datetime import timedelta

    from comcen_desktop.timeutil import utc_now
    from ui.live_sim import QtLiveSimulation

    # Driven by hand: a worker thread ticking on its own would race the test's steps.
    monkeypatch.setattr(QtLiveSimulation, "start", lambda self: None)
    window.set_live_simulation(True)
    assert "SIMULASI" in window.windowTitle()
    simulator = window.live_simulation._simulator
    start = utc_now()
    simulator.step(start)
    changes = simulator.step(start + timedelta(hours=2))

    assert changes > 0
    load(window)
    assert window.state.reports or window.state.recent_closed
    assert all(r.simulated for r in window.state.reports)

    window.set_live_simulation(False)
    assert "— SIMULASI" not in window.windowTitle()
    assert "DATA SIMULASI" in window.windowTitle() or not window.state.reports


def test_trend_panel_gets_thirty_days_with_todays_response(window, database):
    from comcen_desktop.storage.models import Report
    from comcen_desktop.timeutil import utc_now
    from services import dispatch, lifecycle

    report_id = factories.add_reports(database, 1, minutes_ago=30)[0]
    dispatch.assign_now(database, [report_id], factories.crew_ids(database)[0], "op")
    with database.transaction() as session:
        report = session.get(Report, report_id)
        lifecycle.advance(session, report, Stage.PERJALANAN, utc_now(), "op")
        lifecycle.advance(session, report, Stage.PENGERJAAN, utc_now(), "op")

    state = console.load_state(database, with_trend=True)
    window.apply_state(state)

    assert len(state.trend) == 30
    _xs, ys = window.trend_dock.rpt.getData()
    assert list(ys) == [pytest.approx(30.0, abs=0.5)]  # today's only response, 30 min
