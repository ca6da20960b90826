"""The video wall: no customer data anywhere, read-only, re-fit rule, rotation, screens."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QGraphicsView, QLabel, QTableWidget, QWidget
from sqlalchemy import func, select

from comcen_desktop import settings
from comcen_desktop.storage.models import Event
from comcen_desktop.timeutil import utc_now
from maps.qt_map_view import QtMapView
from maps.tooltips import report_tooltip
from services import console
from services.intake import NewReport, create_report
from services.placement import Placer
from tests import factories
from tests.test_map_view import crew_device_pos, drop_on
from ui.wall import QtWallWindow

SECRETS = ("Siti Rahasia", "081299990000", "539999999999", "Jl. Rahasia 7")


def add_private_reports(database, count: int = 4, minutes_ago: float = 90.0) -> list[int]:
    """Late Lapor reports whose customer fields are easy to spot if they leak."""
    ids = []
    points = factories.village_points(database, count)
    with database.transaction() as session:
        placer = Placer(session)
        for index, (lon, lat) in enumerate(points):
            new = NewReport(
                reported_at=utc_now() - timedelta(minutes=minutes_ago + index),
                lon=lon,
                lat=lat,
                idpel=SECRETS[2],
                name=SECRETS[0],
                phone=SECRETS[1],
                address=SECRETS[3],
                description=f"Rumah {SECRETS[0]}, {SECRETS[3]}",
            )
            ids.append(create_report(session, placer, new, actor="tester").id)
    return ids


@pytest.fixture
def make_wall(qtbot, database):
    walls = []

    def make(**options) -> QtWallWindow:
        wall = QtWallWindow(database, **options)
        qtbot.addWidget(wall)
        wall.resize(1600, 900)
        wall.show()
        walls.append(wall)
        return wall

    yield make
    for wall in walls:
        wall.shutdown()


def load(wall) -> None:
    wall.apply_state(console.load_state(wall.database))


def all_texts(wall: QtWallWindow) -> list[str]:
    """Every piece of text the wall can show: widgets, table cells, scene items,
    and the tooltip each map pin would show on hover."""
    texts = []
    for widget in [wall, *wall.findChildren(QWidget)]:
        texts += [widget.toolTip(), widget.windowTitle(), widget.accessibleName()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QTableWidget):
            texts += [widget.item(r, c).text() for r in range(widget.rowCount())
                      for c in range(widget.columnCount()) if widget.item(r, c)]  # fmt: skip
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                texts.append(item.toolTip())
                if hasattr(item, "toPlainText"):
                    texts.append(item.toPlainText())
    texts += [report_tooltip(r) for r in wall.map_view._reports.values()]
    return texts


def test_wall_shows_no_customer_data(make_wall, database):
    ids = add_private_reports(database)
    wall = make_wall()
    load(wall)

    texts = all_texts(wall)
    joined = "\n".join(texts)
    # Not vacuous: the late reports are on the board and pinned on the map.
    with database.read() as session:
        numbers = [console.queries.load_open_reports(session, utc_now())[0].number]
    assert any(numbers[0] in t for t in texts)
    assert wall.map_view.pin_count() == len(ids)
    for secret in SECRETS:
        assert secret not in joined, f"{secret!r} is on the wall"
    # And the reports the wall keeps carry none of it either.
    for report in wall.map_view._reports.values():
        assert (report.name, report.phone, report.idpel, report.address) == (None,) * 4


def test_rotating_pages_have_no_customer_data_either(make_wall, database):
    add_private_reports(database)
    wall = make_wall(layout="rotating")
    load(wall)
    for _ in range(3):
        wall.advance_page()
        assert not any(s in "\n".join(all_texts(wall)) for s in SECRETS)


def event_count(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Event))


def drop_on_marker(view: QtMapView, crew_id: int, report_ids) -> list:
    emitted = []
    view.reportsDroppedOnCrew.connect(lambda ids, crew: emitted.append((ids, crew)))
    drop_on(view, crew_device_pos(view, crew_id), report_ids)
    return emitted


def test_wall_takes_no_drops(make_wall, database, qtbot):
    ids = add_private_reports(database, 2)
    wall = make_wall()
    load(wall)
    crew_id = factories.crew_ids(database)[0]
    marker = wall.map_view.crews.markers[crew_id]
    before = event_count(database)

    assert not marker.acceptDrops()
    assert drop_on_marker(wall.map_view, crew_id, ids[:1]) == []
    assert event_count(database) == before

    # The same drop on the console's map is taken: the check above can fail.
    console_map = QtMapView()
    qtbot.addWidget(console_map)
    console_map.resize(1200, 800)
    console_map.show()
    console_map.set_crews(console.load_state(database).crews)
    console_map.fit_island()
    taken = drop_on_marker(console_map, crew_id, ids[:1])
    assert taken == [(ids[:1], crew_id)]


def visible_rect(view):
    return view.mapToScene(view.viewport().rect()).boundingRect()


def test_refits_when_open_reports_change(make_wall, database):
    factories.add_reports(database, 3)
    wall = make_wall()
    load(wall)
    fits = wall.map_view.fit_count

    more = factories.add_reports(database, 12, minutes_ago=1)
    load(wall)

    assert wall.map_view.fit_count == fits + 1
    view = wall.map_view
    for report_id in more:
        assert visible_rect(view).contains(view.pins.scene_pos_of(report_id))
    # The whole island stays in view (the wall is the room's view of all of it).
    island = view.home_rect()
    shown = visible_rect(view).adjusted(-1, -1, 1, 1)
    assert shown.contains(island.topLeft()) and shown.contains(island.bottomRight())
    load(wall)  # same open set: no re-fit
    assert wall.map_view.fit_count == fits + 1


def test_a_chosen_zoom_is_kept_until_key_zero(make_wall, database, qtbot):
    factories.add_reports(database, 3)
    wall = make_wall()
    load(wall)
    view = wall.map_view
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    view._pan(QPointF(40, 25))
    chosen = (view.transform(), visible_rect(view))

    factories.add_reports(database, 5, minutes_ago=2)
    load(wall)
    assert not view.auto_fit
    assert (view.transform(), visible_rect(view)) == chosen

    qtbot.keyClick(view, Qt.Key.Key_0)  # whole island, and automatic again
    assert view.auto_fit
    assert visible_rect(view).contains(view.home_rect().center())
    fits = view.fit_count
    factories.add_reports(database, 1, minutes_ago=3)
    load(wall)
    assert view.fit_count == fits + 1


def test_rotating_layout_advances_on_its_timer(make_wall, database):
    with database.transaction() as session:
        settings.put(session, "wall.layout", "rotating")
        settings.put(session, "wall.rotate_seconds", 7)
    wall = make_wall()
    assert wall.layout_name == "rotating"
    assert wall.rotate_timer.interval() == 7000 and wall.rotate_timer.isActive()
    seen = [wall.pages.currentWidget()]
    for _ in range(3):
        wall.rotate_timer.timeout.emit()
        seen.append(wall.pages.currentWidget())
    assert seen == [wall.map_view, seen[1], wall.board, wall.map_view]
    assert seen[1].isAncestorOf(wall.numbers)


def test_tiled_is_the_default_and_does_not_rotate(make_wall):
    wall = make_wall()
    assert wall.layout_name == "tiled"
    assert wall.pages is None and not wall.rotate_timer.isActive()


class FakeScreen:
    def name(self) -> str:
        return "HDMI-2"


def test_unplugged_screen_moves_the_wall_to_the_primary(make_wall, monkeypatch):
    wall = make_wall()
    screen = QGuiApplication.screens()[0]
    wall.place_on(screen)
    assert wall.isFullScreen() and wall.screen() is screen
    moves = []
    monkeypatch.setattr(wall, "place_on", moves.append)
    primary = FakeScreen()
    monkeypatch.setattr(QGuiApplication, "primaryScreen", staticmethod(lambda: primary))
    monkeypatch.setattr(QGuiApplication, "screens", staticmethod(lambda: [screen, primary]))

    wall.on_screen_removed(FakeScreen())  # another monitor went: nothing to do
    assert moves == []
    wall.on_screen_removed(screen)  # the wall's own monitor went (Qt passes that object)
    assert moves == [primary]


def test_last_screen_gone_leaves_the_wall_alone(make_wall, monkeypatch):
    wall = make_wall()
    screen = QGuiApplication.screens()[0]
    wall.place_on(screen)
    moves = []
    monkeypatch.setattr(wall, "place_on", moves.append)
    monkeypatch.setattr(QGuiApplication, "screens", staticmethod(lambda: [screen]))
    wall.on_screen_removed(screen)  # primary is the removed one and nothing else is left
    assert moves == []


def test_moving_back_to_full_screen_after_an_unplug(make_wall):
    wall = make_wall()
    screen = QGuiApplication.screens()[0]
    wall.place_on(screen)
    wall.showNormal()
    wall._placed_on = FakeScreen()  # as if it had been on a monitor now gone
    wall.on_screen_removed(wall._placed_on)
    assert wall.isFullScreen() and wall.screen() is QGuiApplication.primaryScreen()


def test_screen_out_of_range_is_one_clear_line(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", COMCEN_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "comcen_desktop", "--db", f"sqlite:///{tmp_path / 'w.db'}",
         "--wall", "--screen", "9"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == ["comcen: --screen 9 does not exist; this display has 1 screen(s), "
                     "numbered 0–0"]  # fmt: skip


def test_the_wall_counts_padam_meluas_and_rings_it_on_the_map(make_wall, database):
    from services import incidents

    ids = factories.add_reports(database, 4)
    with database.transaction() as session:
        incidents.confirm(session, ids[:3], customers=120, actor="op", now=utc_now())
    wall = make_wall()
    load(wall)

    tile = wall.numbers.outages
    assert tile.value.text() == "1"
    assert tile.note.text() == "3 laporan"
    assert len(wall.map_view.incidents.circles) == 1
