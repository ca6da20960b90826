"""The live map: a QGraphicsView in UTM 48S metres with north up.

Scene units are metres (x = easting, y = -northing). Areas, villages, posko and crews
are ordinary items; report pins are one batched item (maps.layers.pins) whose
hit-testing happens here, in device pixels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QDrag, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsScene, QGraphicsView, QToolTip

from comcen_desktop.geo import to_lonlat
from maps import style
from maps.console_legend import ConsoleLegend
from maps.dnd import encode_reports
from maps.layers.areas import AreaLayer, ulp_bounds
from maps.layers.crews import CrewLayer, CrewMarker
from maps.layers.incidents import IncidentLayer
from maps.layers.pins import PinLayer
from maps.layers.posko import PoskoLayer
from maps.layers.villages import VillageLayer
from maps.projection import island_rect
from maps.tooltips import report_tooltip
from services.queries import AreaShape, CrewView, PoskoView, ReportView, VillagePoint

log = logging.getLogger(__name__)

ZOOM_STEP = 1.25
MAX_PX_PER_M = 2.0  # 0.5 m per pixel: street level is as close as the data goes
SCENE_PAD_M = 120_000.0  # sea around the island, so panning has somewhere to go


class QtMapView(QGraphicsView):
    reportsSelected = Signal(list)
    reportsDroppedOnCrew = Signal(list, int)
    dropRefused = Signal(str)
    crewClicked = Signal(int)
    reportMenuRequested = Signal(list, QPoint)  # selected report ids, global position
    pointPicked = Signal(float, float)  # lon, lat of the click that ended a pick

    def __init__(self, parent=None):
        super().__init__(parent)
        self._scene = QGraphicsScene(self)
        self._scene.setBackgroundBrush(style.SEA)
        # Pins and fan-out markers move with zoom in device space; a BSP index built
        # on their scene bounds would only cost time.
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._scene.setSceneRect(
            island_rect().adjusted(-SCENE_PAD_M, -SCENE_PAD_M, SCENE_PAD_M, SCENE_PAD_M)
        )
        self.setScene(self._scene)
        self._configure_view()

        self.areas = AreaLayer(self._scene)
        self.villages = VillageLayer(self._scene)
        self.posko = PoskoLayer(self._scene)
        self.incidents = IncidentLayer(self._scene)
        self.pins = PinLayer()
        self._scene.addItem(self.pins)
        self.crews = CrewLayer(self._scene, self)
        self.crews.describe_reports = self._describe_reports
        self.crews.reportsDropped.connect(self.reportsDroppedOnCrew)
        self.crews.dropRefused.connect(self.dropRefused)
        self.legend = ConsoleLegend(self.pins.sprites)
        # Panning blits the viewport, moving the corner legend with the map: repaint
        # where it was and where it belongs.
        self._scrolled = (0, 0)
        self.horizontalScrollBar().valueChanged.connect(self._refresh_legend)
        self.verticalScrollBar().valueChanged.connect(self._refresh_legend)

        self._home = island_rect()
        self._reports: dict[int, ReportView] = {}
        self._press: _Press | None = None
        self._fit_scale = 1.0
        self._picking = False

    def _configure_view(self) -> None:
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # --- data from the window ----------------------------------------------------
    def set_static(
        self, areas: list[AreaShape], villages: list[VillagePoint], posko: list[PoskoView]
    ) -> None:
        self.areas.set_areas(areas)
        bounds = ulp_bounds(areas)
        if bounds is not None:
            self._home = island_rect(bounds)
        self.villages.set_villages(villages)
        self.posko.set_posko(posko)
        self._after_zoom()

    def set_crews(self, crews: list[CrewView]) -> None:
        self.crews.set_crews(crews, self.transform())

    def set_reports(self, reports: list[ReportView]) -> None:
        selected = set(self.pins.selected_ids())
        self._reports = {r.id: r for r in reports}
        self.pins.set_reports(reports)
        self.pins.set_selected(selected & set(self._reports))

    def set_incidents(self, incidents: list, proposals: list) -> None:
        """Padam meluas circles: confirmed incidents solid, proposals dashed."""
        self.incidents.set_incidents(incidents, proposals)
        self.incidents.declutter(self.transform())

    def set_drop_checker(self, fn: Callable[[list[int], int], str | None] | None) -> None:
        self.crews.checker = fn

    def select_reports(self, ids: set[int], centre: bool = True) -> None:
        """Highlight these pins (no reportsSelected: the caller already knows)."""
        self.pins.set_selected(ids)
        if centre and ids:
            self._centre_if_off_screen(ids)

    def selected_reports(self) -> list[int]:
        return self.pins.selected_ids()

    def selected_ids(self) -> set[int]:
        return set(self.pins.selected_ids())

    def pin_count(self) -> int:
        """Pins on the map: open reports that have a place."""
        return len(self.pins.ids)

    def _centre_if_off_screen(self, ids: set[int]) -> None:
        points = [p for i in ids if (p := self.pins.scene_pos_of(i)) is not None]
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if points and not any(visible.contains(p) for p in points):
            self.centerOn(points[0])

    def _describe_reports(self, ids: list[int]) -> str:
        numbers = [self._reports[i].number if i in self._reports else f"#{i}" for i in ids]
        if len(numbers) <= 3:
            return ", ".join(numbers)
        return f"{len(numbers)} laporan ({', '.join(numbers[:2])}, …)"

    # --- legend ------------------------------------------------------------------
    def set_legend_visible(self, visible: bool) -> None:
        self.legend.visible = visible
        self.viewport().update()

    def drawForeground(self, painter, rect) -> None:
        super().drawForeground(painter, rect)
        self.legend.paint(painter, self)

    def _refresh_legend(self) -> None:
        now = (self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        dx, dy = now[0] - self._scrolled[0], now[1] - self._scrolled[1]
        self._scrolled = now
        if self.legend.visible:
            box = self.legend.rect_in(self).toAlignedRect().adjusted(-1, -1, 1, 1)
            self.viewport().update(box)
            self.viewport().update(box.translated(-dx, -dy))  # the blitted old copy

    # --- zoom ------------------------------------------------------------------
    def scale_px_per_m(self) -> float:
        return self.transform().m11()

    def home_rect(self) -> QRectF:
        """The scene rectangle of the whole-island view."""
        return QRectF(self._home)

    def fit_island(self) -> None:
        self.resetTransform()
        self.fitInView(self._home, Qt.AspectRatioMode.KeepAspectRatio)
        self._fit_scale = self.scale_px_per_m()
        self._after_zoom()

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP, QGraphicsView.ViewportAnchor.AnchorViewCenter)

    def _zoom_by(self, factor: float, anchor) -> None:
        current = self.scale_px_per_m()
        lowest = self._fit_scale * 0.5
        target = min(max(current * factor, lowest), MAX_PX_PER_M)
        if abs(target - current) < 1e-12:
            return
        previous = self.transformationAnchor()
        self.setTransformationAnchor(anchor)
        self.scale(target / current, target / current)
        self.setTransformationAnchor(previous)
        self._after_zoom()

    def _after_zoom(self) -> None:
        self.villages.update_for_scale(self.scale_px_per_m())
        self.areas.update_for_scale(self.scale_px_per_m())
        # Only the scale matters for which crews overlap; translation is irrelevant.
        self.crews.relayout(self.transform())
        self.incidents.declutter(self.transform())

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self._zoom_by(ZOOM_STEP**steps, QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        event.accept()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal) or event.matches(
            QKeySequence.StandardKey.ZoomIn
        ):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore) or event.matches(
            QKeySequence.StandardKey.ZoomOut
        ):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit_island()
        else:
            super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fit_scale == 1.0:  # first show: frame the island
            self.fit_island()

    # --- mouse: select, drag, pan, click crews --------------------------------------
    def pick_report(self, pos: QPointF) -> int | None:
        return self.pins.pick(self.viewportTransform(), QPointF(pos))

    def lonlat_at(self, pos: QPointF) -> tuple[float, float]:
        """Longitude and latitude under a viewport position (a map pick)."""
        scene = self.mapToScene(QPointF(pos).toPoint())
        lon, lat = to_lonlat(scene.x(), -scene.y())
        return float(lon), float(lat)

    def start_pick(self) -> None:
        """Pick mode (the call form's "Pilih di peta"): the next left click emits its
        lon/lat as pointPicked and selects or pans nothing."""
        self._picking = True
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)

    def stop_pick(self) -> None:
        self._picking = False
        self.viewport().unsetCursor()

    def contextMenuEvent(self, event) -> None:
        """Right-click on a pin: the report's menu (ui.stage_menu), for it alone or
        for the selection it belongs to."""
        report_id = self.pick_report(QPointF(event.pos()))
        if report_id is None:
            super().contextMenuEvent(event)
            return
        if report_id not in self.pins.selected_ids():
            self._emit_selection([report_id])
        self.reportMenuRequested.emit(self.pins.selected_ids(), event.globalPos())
        event.accept()

    def crew_marker_at(self, pos: QPoint) -> CrewMarker | None:
        for item in self.items(pos):
            if isinstance(item, CrewMarker):
                return item
        return None

    def mousePressEvent(self, event) -> None:
        if self._picking and event.button() == Qt.MouseButton.LeftButton:
            self.stop_pick()
            self.pointPicked.emit(*self.lonlat_at(event.position()))
            event.accept()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        pos = event.position()
        report_id = self.pick_report(pos)
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if report_id is not None:
            self._press = _Press(pos, report_id)
            self._select_on_press(report_id, ctrl)
        elif (marker := self.crew_marker_at(pos.toPoint())) is not None:
            self._press = None
            self.crewClicked.emit(marker.crew_id)
        else:
            self._press = _Press(pos, None)
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def _select_on_press(self, report_id: int, ctrl: bool) -> None:
        current = self.pins.selected_ids()
        if ctrl:
            chosen = [i for i in current if i != report_id]
            if report_id not in current:
                chosen.append(report_id)
        elif report_id in current:
            return  # keep a multi-selection: this press may start dragging all of it
        else:
            chosen = [report_id]
        self._emit_selection(chosen)

    def _emit_selection(self, ids: list[int]) -> None:
        self.pins.set_selected(ids)
        self.reportsSelected.emit(list(ids))

    def mouseMoveEvent(self, event) -> None:
        press = self._press
        if press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            self._update_hover_cursor(event.position())
            super().mouseMoveEvent(event)
            return
        delta = event.position() - press.last
        moved = (event.position() - press.origin).manhattanLength()
        if press.report_id is None:
            self._pan(delta)
            press.last = event.position()
            press.moved = press.moved or moved > 0
        elif moved >= QApplication.startDragDistance():
            self._press = None
            self._start_drag(press.report_id)
        event.accept()

    def _pan(self, delta: QPointF) -> None:
        horizontal, vertical = self.horizontalScrollBar(), self.verticalScrollBar()
        horizontal.setValue(horizontal.value() - round(delta.x()))
        vertical.setValue(vertical.value() - round(delta.y()))

    def mouseReleaseEvent(self, event) -> None:
        press, self._press = self._press, None
        self.viewport().unsetCursor()
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._finish_click(press)
        event.accept()

    def _finish_click(self, press: _Press) -> None:
        """A plain click on empty map clears; on a pin it leaves that pin alone selected."""
        current = self.pins.selected_ids()
        if press.report_id is None:
            if not press.moved and current:
                self._emit_selection([])
        elif current != [press.report_id]:
            self._emit_selection([press.report_id])

    def _update_hover_cursor(self, pos: QPointF) -> None:
        if self._picking:
            return  # the cross stays until the pick ends
        if self.pick_report(pos) is not None:
            self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.viewport().unsetCursor()

    def _start_drag(self, report_id: int) -> None:
        selected = self.pins.selected_ids()
        ids = selected if report_id in selected else [report_id]
        drag = QDrag(self)
        drag.setMimeData(encode_reports(ids))
        drag.setPixmap(self._drag_pixmap(ids))
        log.debug("Dragging reports %s from the map", ids)
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction)

    def _drag_pixmap(self, ids: list[int]) -> QPixmap:
        sprites = self.pins.sprites.for_device(self.devicePixelRatioF())
        return sprites.pixmaps[self.pins.sprite_of(ids[0])]

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            report_id = self.pick_report(QPointF(event.pos()))
            if report_id is not None and report_id in self._reports:
                QToolTip.showText(
                    event.globalPos(),
                    report_tooltip(self._reports[report_id]),
                    self.viewport(),
                )
                return True
        return super().viewportEvent(event)


class _Press:
    """Where a left-button press started and what it started on."""

    def __init__(self, origin: QPointF, report_id: int | None):
        self.origin = QPointF(origin)
        self.last = QPointF(origin)
        self.report_id = report_id
        self.moved = False
