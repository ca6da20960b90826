"""The console map's legend overlay (maps.console_legend) on a real offscreen window."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from maps.console_legend import ConsoleLegend
from services import console


def test_legend_is_cached_and_sits_in_the_bottom_left_corner(window, qtbot):
    window.resize(1600, 950)
    window.show()
    qtbot.waitExposed(window)
    view = window.map_view
    legend = view.legend

    first = legend.pixmap(view.devicePixelRatioF())
    assert legend.pixmap(view.devicePixelRatioF()).cacheKey() == first.cacheKey()
    rect = legend.rect_in(view)
    assert rect.left() == 10
    assert rect.bottom() == view.viewport().height() - 10
    assert rect.height() < view.viewport().height() / 2


def test_legend_does_not_cover_the_island_at_the_default_size(window, qtbot):
    window.resize(1600, 950)
    window.show()
    qtbot.waitExposed(window)
    view = window.map_view
    view.fit_island()
    rect = view.legend.rect_in(view)

    areas = list(view.areas.ulp_items.values())
    assert len(areas) == 5
    for i in range(7):
        for j in range(7):
            point = QPointF(rect.left() + rect.width() * i / 6, rect.top() + rect.height() * j / 6)
            scene = view.mapToScene(point.toPoint())
            assert not any(area.shape().contains(scene) for area in areas), point


def test_legenda_menu_toggles_the_overlay(window, qtbot):
    window.resize(1600, 950)
    window.show()
    qtbot.waitExposed(window)
    window.apply_state(console.load_state(window.database))
    view = window.map_view
    action = window.actions["legend"]
    assert action.isChecked() and view.legend.visible
    spot = view.legend.rect_in(view).center() + QPointF(-60, 0)

    shown = view.viewport().grab().toImage().pixelColor(spot.toPoint())
    action.setChecked(False)
    hidden = view.viewport().grab().toImage().pixelColor(spot.toPoint())

    assert not view.legend.visible
    assert shown != hidden
    assert _is_light(shown)  # the white, semi-transparent panel over the sea


def test_legend_has_rows_for_every_symbol():
    legend = ConsoleLegend()
    texts = [text for _, text, _ in legend._left_rows() + legend._right_rows()]
    for wanted in ("Lapor", "Nyala", "Selesai/Batal (abu-abu)", "lewat target"):
        assert wanted in texts
    for wanted in ("Posko Yantek", "Siaga", "Bekerja", "usulan (putus-putus)", "dikonfirmasi"):
        assert wanted in texts


def _is_light(colour: QColor) -> bool:
    return colour.red() > 200 and colour.green() > 200 and colour.blue() > 200
