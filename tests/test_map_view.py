"""The live map against a real seeded SQLite database, offscreen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from comcen_desktop.domain import STAGE_COLOURS, Stage
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import utc_now
from maps.dnd import encode_reports
from maps.qt_map_view import QtMapView
from services import lifecycle, queries
from services.intake import NewReport, create_report
from services.placement import Placer

ULP_NAMES = {"Pangkalpinang", "Sungailiat", "Mentok", "Koba", "Toboali"}


def make_reports(database, count: int, cancel: int = 0) -> tuple[list[int], list[int]]:
    """Create ``count`` reports at village points; cancel the first ``cancel`` of them."""
    now = utc_now()
    with database.transaction() as session:
        placer = Placer(session)
        villages = queries.load_villages(session)
        reports = []
        for n in range(count):
            village = villages[(n * 37) % len(villages)]
            new = NewReport(now - timedelta(minutes=n), village.lon, village.lat)
            reports.append(create_report(session, placer, new, "tester"))
        for report in reports[:cancel]:
            lifecycle.advance(session, report, Stage.BATAL, now, "tester", note="uji")
        ids = [r.id for r in reports]
    return ids[cancel:], ids[:cancel]


def load_reports(database):
    with database.read() as session:
        return queries.load_open_reports(session)


@pytest.fixture
def view(qtbot, database):
    view = QtMapView()
    qtbot.addWidget(view)
    with database.read() as session:
        view.set_static(
            queries.load_areas(session),
            queries.load_villages(session),
            queries.load_posko(session),
        )
        view.set_crews(queries.load_crews(session))
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.fit_island()
    yield view
    view.close()


def device_pos(view: QtMapView, report_id: int) -> QPoint:
    return view.mapFromScene(view.pins.scene_pos_of(report_id))


def colour_pixels(view: QtMapView, colour: str) -> int:
    image = view.viewport().grab().toImage()
    wanted = QColor(colour).rgb()
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixel(x, y) == wanted
    )


def test_every_open_report_has_exactly_one_pin(view, database):
    open_ids, closed_ids = make_reports(database, 40, cancel=6)
    view.set_reports(load_reports(database))

    pins = view.pins.report_ids()
    assert sorted(pins) == sorted(open_ids)
    assert len(pins) == len(set(pins))
    assert not set(closed_ids) & set(pins)

    view.viewport().grab()  # paint once: the whole island is in view
    assert view.pins.last_blit_count == len(open_ids)


def test_the_five_ulp_areas_are_drawn_and_named(view):
    assert set(view.areas.ulp_items) == ULP_NAMES
    labels = {label.text for label in view.areas.ulp_labels.values()}
    assert labels == {name.upper() for name in ULP_NAMES}
    fills = {item.brush().color().name() for item in view.areas.ulp_items.values()}
    assert len(fills) == 5, "each ULP needs its own fill colour"


def test_pins_keep_their_screen_size_when_zooming(view, database):
    (report_id,), _ = make_reports(database, 1)
    view.set_reports(load_reports(database))
    colour = STAGE_COLOURS[Stage.LAPOR]

    def measure():
        view.centerOn(view.pins.scene_pos_of(report_id))
        centre = device_pos(view, report_id)
        radius = view.pins.pick_radius()
        near = view.pick_report(QPointF(centre) + QPointF(radius - 1, 0))
        far = view.pick_report(QPointF(centre) + QPointF(radius + 4, 0))
        return colour_pixels(view, colour), near, far

    wide_pixels, wide_near, wide_far = measure()
    for _ in range(8):
        view.zoom_in()
    assert view.scale_px_per_m() > 5 * view._fit_scale
    close_pixels, close_near, close_far = measure()

    assert wide_pixels > 20
    assert abs(close_pixels - wide_pixels) <= 0.15 * wide_pixels
    assert (wide_near, close_near) == (report_id, report_id)
    assert (wide_far, close_far) == (None, None)


def test_clicking_pins_selects_and_empty_map_clears(view, qtbot, database):
    open_ids, _ = make_reports(database, 3)
    view.set_reports(load_reports(database))
    first, second = open_ids[0], open_ids[1]

    with qtbot.waitSignal(view.reportsSelected) as blocker:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=device_pos(view, first))
    assert blocker.args == [[first]]

    with qtbot.waitSignal(view.reportsSelected) as blocker:
        QTest.mouseClick(
            view.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            device_pos(view, second),
        )
    assert sorted(blocker.args[0]) == sorted([first, second])
    assert sorted(view.selected_reports()) == sorted([first, second])

    with qtbot.waitSignal(view.reportsSelected) as blocker:  # the sea in a corner
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert blocker.args == [[]]
    assert view.selected_reports() == []


def crew_device_pos(view: QtMapView, crew_id: int) -> QPoint:
    """Where the crew's tile is drawn (at island zoom: town crews share a ring)."""
    marker = view.crews.markers[crew_id]
    return view.mapFromScene(marker.pos()) + marker.offset.toPoint()


def drop_on(view: QtMapView, pos: QPoint, ids: list[int]) -> None:
    mime = encode_reports(ids)
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    button, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    target = view.viewport()
    QApplication.sendEvent(target, QDragEnterEvent(pos, actions, mime, button, none))
    QApplication.sendEvent(target, QDragMoveEvent(pos, actions, mime, button, none))
    QApplication.sendEvent(target, QDropEvent(QPointF(pos), actions, mime, button, none))


def test_dropping_reports_on_a_crew_marker_assigns(view, qtbot, database):
    open_ids, _ = make_reports(database, 2)
    view.set_reports(load_reports(database))
    crew_id = next(iter(view.crews.markers))
    seen_hints = []
    view.crews._hint.show_at = _spy(view.crews._hint.show_at, seen_hints)

    with qtbot.waitSignal(view.reportsDroppedOnCrew) as blocker:
        drop_on(view, crew_device_pos(view, crew_id), open_ids)

    assert blocker.args == [open_ids, crew_id]
    assert seen_hints and seen_hints[0].startswith("Tugaskan LP")
    assert view.crews.markers[crew_id].highlight is None  # feedback gone after the drop


def test_a_refused_drop_says_why_and_assigns_nothing(view, qtbot, database):
    open_ids, _ = make_reports(database, 1)
    view.set_reports(load_reports(database))
    crew_id = next(iter(view.crews.markers))
    reason = "Regu sedang 'Tidak bertugas' dan tidak menerima tugas."
    view.set_drop_checker(lambda ids, crew: reason if crew == crew_id else None)

    with (
        qtbot.assertNotEmitted(view.reportsDroppedOnCrew),
        qtbot.waitSignal(view.dropRefused) as blocker,
    ):
        drop_on(view, crew_device_pos(view, crew_id), open_ids)
    assert blocker.args == [reason]


def test_village_labels_only_when_zoomed_in(view):
    assert len(view.villages.labels) == 303
    assert not view.villages.labels[0].isVisible()

    while 1 / view.scale_px_per_m() > 20:
        view.zoom_in()
    assert all(label.isVisible() for label in view.villages.labels)

    view.fit_island()
    assert not any(label.isVisible() for label in view.villages.labels)


def test_district_names_appear_before_village_names(view):
    assert not view.areas.district_labels_visible

    while 1 / view.scale_px_per_m() > 150:
        view.zoom_in()
    assert view.areas.district_labels_visible
    assert not view.villages.visible

    view.fit_island()
    assert not view.areas.district_labels_visible


def test_keys_zoom_and_zero_returns_to_the_island(view, qtbot):
    fit = view.scale_px_per_m()
    QTest.keyClick(view, Qt.Key.Key_Plus)
    assert view.scale_px_per_m() == pytest.approx(fit * 1.25)
    QTest.keyClick(view, Qt.Key.Key_Minus)
    QTest.keyClick(view, Qt.Key.Key_Minus)
    assert view.scale_px_per_m() < fit
    QTest.keyClick(view, Qt.Key.Key_0)
    assert view.scale_px_per_m() == pytest.approx(fit)


def test_select_reports_highlights_and_brings_the_pin_into_view(view, qtbot, database):
    open_ids, _ = make_reports(database, 5)
    view.set_reports(load_reports(database))
    target = open_ids[-1]
    view.centerOn(view.home_rect().topLeft())
    for _ in range(10):
        view.zoom_in()

    with qtbot.assertNotEmitted(view.reportsSelected):
        view.select_reports({target})

    assert view.selected_reports() == [target]
    assert view.viewport().rect().contains(device_pos(view, target))


def test_closed_reports_leave_the_map_on_refresh(view, database):
    open_ids, _ = make_reports(database, 4)
    view.set_reports(load_reports(database))
    with database.transaction() as session:
        report = session.get(Report, open_ids[0])
        lifecycle.advance(session, report, Stage.BATAL, utc_now(), "tester", note="uji")
    view.set_reports(load_reports(database))
    assert sorted(view.pins.report_ids()) == sorted(open_ids[1:])


def _spy(method, calls: list):
    def wrapper(marker, text, allowed):
        calls.append(text)
        return method(marker, text, allowed)

    return wrapper


def test_crew_markers_never_cover_each_other(view):
    def tiles():
        rects = []
        for marker in view.crews.markers.values():
            centre = view.mapFromScene(marker.pos()) + marker.offset.toPoint()
            rects.append((centre.x(), centre.y()))
        return rects

    for zoom_steps in (0, 3, 8):
        view.fit_island()
        for _ in range(zoom_steps):
            view.zoom_in()
        centres = tiles()
        assert len(centres) == 25
        for n, (x1, y1) in enumerate(centres):
            for x2, y2 in centres[n + 1 :]:
                overlap = abs(x1 - x2) < 20 and abs(y1 - y2) < 20
                assert not overlap, f"crew tiles overlap at zoom step {zoom_steps}"


def storm_incidents(count: int = 8):
    """Padam meluas crowded into Pangkalpinang, 400 m apart, as in a storm."""
    from services.incidents import IncidentProposal, IncidentView

    now = utc_now()
    shapes = []
    for n in range(count):
        lon, lat = 106.10 + (n % 4) * 0.0036, -2.12 - (n // 4) * 0.0036
        members = tuple(range(n * 20, n * 20 + 5 + n))
        if n % 3 == 2:
            shapes.append(
                IncidentProposal(members, lon, lat, 150.0, now, now - timedelta(minutes=n), 1, 9)
            )
        else:
            number = f"PM261205-{n + 1:05d}"
            started = now - timedelta(minutes=n)
            shapes.append(
                IncidentView(
                    n + 1, number, "lapor", "aktif", lon, lat, 150.0, 9, started, 1, members, 1
                )
            )
    incidents = [s for s in shapes if isinstance(s, IncidentView)]
    proposals = [s for s in shapes if isinstance(s, IncidentProposal)]
    return incidents, proposals


def shown_label_rects(view):
    layer = view.incidents
    return [label.device_rect(view.transform()) for label in layer.visible_labels()]


def test_storm_incident_labels_are_decluttered_at_island_zoom(view):
    incidents, proposals = storm_incidents()
    view.set_incidents(incidents, proposals)
    layer = view.incidents
    assert len(layer.label_items) == 8

    shown = layer.visible_labels()
    assert 1 <= len(shown) < 8
    rects = shown_label_rects(view)
    for n, first in enumerate(rects):
        assert not any(first.intersects(other) for other in rects[n + 1 :])
    # Island zoom uses the short text; the confirmed incident with the most reports
    # is placed first, so it is always shown.
    assert "PM …-00008 · 12" in {label.shown_text for label in shown}
    # A hidden label's circle keeps its text as the tooltip.
    hidden = [label for label in layer.label_items if not label.isVisible()]
    assert hidden and all(label.toolTip() == label.text for label in hidden)
    tips = {circle.toolTip() for circle in layer.circles}
    assert {label.text for label in hidden} <= tips


def test_zooming_in_shows_every_incident_label_in_full(view):
    incidents, proposals = storm_incidents()
    view.set_incidents(incidents, proposals)
    island_shown = len(view.incidents.visible_labels())

    while view.scale_px_per_m() < 1.0:
        view.zoom_in()

    shown = view.incidents.visible_labels()
    assert island_shown < len(shown) == 8
    assert {label.shown_text for label in shown} == set(view.incidents.labels)
    assert "PM261205-00008 · 12 laporan" in view.incidents.labels


def test_pins_draw_over_posko_and_crews_over_pins(view):
    from maps.layers.posko import Z_POSKO

    assert view.incidents._group.zValue() < Z_POSKO < view.pins.zValue()
    assert view.pins.zValue() < next(iter(view.crews.markers.values())).parentItem().zValue()
    marker = next(iter(view.crews.markers.values()))
    assert marker.effectiveOpacity() < 1.0  # a pin under a crew tile shows through
