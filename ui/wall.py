"""The video wall: a read-only full-screen view of the island, today's KPIs and late jobs.

It follows the database like a console (its own QtStateFollower) but changes nothing:
no drops, no dialogs, no selection. Customer data never reaches it: reports are
scrubbed (ui.wall_panels.scrub) before any widget or map layer sees them.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from comcen_desktop import settings
from comcen_desktop.i18n import tr
from comcen_desktop.timeutil import to_wib, utc_now
from maps.qt_map_view import QtMapView
from services import console
from services.console import ConsoleState
from ui.sync import QtStateFollower
from ui.wall_panels import (
    BACKGROUND,
    GOOD_GREEN,
    LATE_RED,
    MUTED,
    PANEL,
    TEXT,
    QtLateBoard,
    QtWallKpiChart,
    QtWallNumbers,
    WallFonts,
    late_jobs,
    scrub,
)

log = logging.getLogger(__name__)

LAYOUTS = ("tiled", "rotating")
MIN_ROTATE_S = 5
# No fresh state for this long while the database "works": say so, the wall may lie.
STALE_AFTER_S = 120
FIT_PAD = 0.12  # of the open reports' extent, so edge pins are not cut in half
MIN_FIT_M = 20_000.0  # one report alone: show its surroundings, not a street
SIDE_SHARE = 0.36
PAGE_NAMES = ("Peta", "KPI hari ini", "Lewat target")


class QtWallMapView(QtMapView):
    """The live map without dispatching; it re-fits itself until someone zooms."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAcceptDrops(False)
        self.auto_fit = True
        self.fit_count = 0
        self._open_ids: frozenset[int] | None = None
        self._pan_from: QPointF | None = None

    def set_crews(self, crews) -> None:
        super().set_crews(crews)
        for marker in self.crews.markers.values():
            marker.setAcceptDrops(False)

    def show_reports(self, open_ids: set[int], map_reports) -> None:
        """Pins for ``map_reports``; re-fit when the set of open reports changed."""
        self.set_reports(map_reports)
        ids = frozenset(open_ids)
        if ids != self._open_ids:
            self._open_ids = ids
            if self.auto_fit:
                self.fit_open()

    def fit_open(self) -> None:
        """Frame the whole island and every open report (one may lie on an outer islet).

        The wall is the room's view of the whole island: framing only the open reports
        cut Toboali off the screen when three reports sat in the north.
        """
        points = [p for i in self._open_ids or () if (p := self.pins.scene_pos_of(i)) is not None]
        self.fit_island()  # also sets the zoom-out floor from the island
        if points:
            frame = self.home_rect().united(_extent(points))
            self.fitInView(frame, Qt.AspectRatioMode.KeepAspectRatio)
            self._after_zoom()
        self.fit_count += 1

    def user_moved(self) -> None:
        if self.auto_fit:
            log.info("Wall map moved by hand; automatic re-fit paused (key 0 resumes)")
        self.auto_fit = False

    def wheelEvent(self, event) -> None:
        self.user_moved()
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_0:
            self.auto_fit = True
            self.fit_island()
            return
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal, Qt.Key.Key_Minus):
            self.user_moved()
        super().keyPressEvent(event)

    # The wall only pans: no selection, no dragging reports, no crew clicks.
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pan_from = event.position()
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan(event.position() - self._pan_from)
            self._pan_from = event.position()
            self.user_moved()
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        self._pan_from = None
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit and self._open_ids is not None:
            self.fit_open()


def _extent(points: list[QPointF]) -> QRectF:
    xs, ys = [p.x() for p in points], [p.y() for p in points]
    rect = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    pad_x = max(rect.width() * FIT_PAD, (MIN_FIT_M - rect.width()) / 2, 0)
    pad_y = max(rect.height() * FIT_PAD, (MIN_FIT_M - rect.height()) / 2, 0)
    return rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)


class QtWallWindow(QWidget):
    def __init__(self, database, layout: str | None = None, rotate_seconds: int | None = None):
        super().__init__(None, Qt.WindowType.Window)
        self.database = database
        self.setObjectName("wall")
        self.setWindowTitle("Comcen UP3 Bangka — " + tr("layar dinding"))
        chosen_layout, seconds, poll_ms = _wall_settings(database)
        self.layout_name = layout if layout in LAYOUTS else chosen_layout
        self.rotate_seconds = max(MIN_ROTATE_S, int(rotate_seconds or seconds))
        self.state: ConsoleState | None = None
        self.last_update: datetime | None = None
        self.failing = False
        self._placed_on = None
        self._static_loaded = False

        self._build_widgets()
        self.pages: QStackedWidget | None = None
        body = self._build_tiled() if self.layout_name == "tiled" else self._build_rotating()
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 6, 10, 10)
        root.setSpacing(6)
        root.addLayout(self._build_top_bar())
        root.addWidget(self.banner)
        root.addWidget(body, 1)
        self._start_timers()
        QShortcut(QKeySequence("Ctrl+Q"), self, self.close)
        self._load_static()
        self.follower = QtStateFollower(database, poll_ms)
        self.follower.stateLoaded.connect(self.apply_state)
        self.follower.loadFailed.connect(self.show_failure)
        QGuiApplication.instance().screenRemoved.connect(self.on_screen_removed)
        self.apply_fonts(WallFonts.for_height(1080))
        self._tick_clock()

    # --- building --------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.map_view = QtWallMapView()
        self.numbers = QtWallNumbers()
        self.rpt_chart = QtWallKpiChart(tr("RPT per ULP (menit)"))
        self.rct_chart = QtWallKpiChart(tr("RCT per ULP (menit)"))
        self.board = QtLateBoard()
        self.title = QLabel("COMCEN UP3 BANGKA")
        self.title.setObjectName("title")
        self.live = QLabel(tr("menunggu data…"))
        self.live.setObjectName("live")
        self.clock = QLabel()
        self.clock.setObjectName("clock")
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()

    def _build_top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(self.live)
        bar.addSpacing(40)
        bar.addWidget(self.clock)
        return bar

    def _build_tiled(self) -> QWidget:
        self.side = QWidget()
        right = QVBoxLayout(self.side)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(8)
        right.addWidget(self.numbers)
        # Stacked, not side by side: five ULP names need the column's full width.
        right.addWidget(self.rpt_chart, 2)
        right.addWidget(self.rct_chart, 2)
        right.addWidget(self.board, 3)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.map_view, 1)
        row.addWidget(self.side)
        return body

    def _build_rotating(self) -> QWidget:
        kpi_page = QWidget()
        column = QVBoxLayout(kpi_page)
        column.addWidget(self.numbers, 2)
        charts = QHBoxLayout()
        charts.addWidget(self.rpt_chart)
        charts.addWidget(self.rct_chart)
        column.addLayout(charts, 3)
        self.pages = QStackedWidget()
        for page in (self.map_view, kpi_page, self.board):
            self.pages.addWidget(page)
        return self.pages

    def _start_timers(self) -> None:
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._tick_clock)
        self._clock_timer.start()
        self.rotate_timer = QTimer(self)
        self.rotate_timer.setInterval(self.rotate_seconds * 1000)
        self.rotate_timer.timeout.connect(self.advance_page)
        if self.pages is not None:
            self.rotate_timer.start()

    def apply_fonts(self, fonts: WallFonts) -> None:
        self.setStyleSheet(_style_sheet(fonts))
        self.rpt_chart.apply_fonts(fonts)
        self.rct_chart.apply_fonts(fonts)
        self.board.apply_fonts(fonts)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.pages is None:  # tiled: the map keeps about two thirds of the width
            self.side.setFixedWidth(round(self.width() * SIDE_SHARE))
        # Full screen, the window's height is the screen's: type follows the screen.
        self.apply_fonts(WallFonts.for_height(self.height()))

    # --- data ------------------------------------------------------------------
    def start(self) -> None:
        self.follower.start()

    def _load_static(self) -> None:
        try:
            static = console.load_static(self.database)
        except Exception as exc:  # an unreachable database must not keep the wall dark
            log.warning("Wall: map background not loaded: %s", exc)
            self.show_failure(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        self.map_view.set_static(static.areas, static.villages, static.posko)
        self._static_loaded = True

    def apply_state(self, state: ConsoleState) -> None:
        if not self._static_loaded:
            self._load_static()
        self.state = state
        open_reports = [scrub(r) for r in state.reports]
        shown = [scrub(r) for r in state.map_reports]
        self.map_view.show_reports({r.id for r in open_reports}, shown)
        self.map_view.set_crews(state.crews)
        overall = state.overall
        default_rct = settings.DEFAULTS["kpi.rct_target_min"]
        rct_target = overall.rct_target_min if overall is not None else default_rct
        jobs = late_jobs(open_reports, state.rpt_target_min, rct_target)
        self.numbers.set_figures(overall, len(open_reports), len(jobs), state.incidents)
        self.map_view.set_incidents(state.incidents, state.incident_proposals)
        self._show_charts(state.kpis)
        self.board.set_jobs(jobs)
        self.last_update = state.loaded_at
        self.failing = False
        self.banner.hide()
        self._show_live()

    def _show_charts(self, kpis) -> None:
        names = [k.ulp for k in kpis]
        rpt = [k.rpt_mean_min for k in kpis], [k.rpt_target_min for k in kpis]
        rct = [k.rct_mean_min for k in kpis], [k.rct_target_min for k in kpis]
        self.rpt_chart.show_values(names, *rpt)
        self.rct_chart.show_values(names, *rct)

    def show_failure(self, reason: str) -> None:
        self.failing = True
        since = _hms(self.last_update) if self.last_update else "–"
        self.banner.setText(
            f"⚠ {tr('DATABASE TIDAK TERJANGKAU')} — {tr('angka di layar dari')} {since} WIB; "
            f"{tr('mencoba lagi…')} ({reason})"
        )
        self.banner.show()
        self._show_live()

    def _show_live(self) -> None:
        when = _hms(self.last_update) if self.last_update else "–"
        if self.failing:
            self.live.setText(f"● {tr('TERPUTUS')} · {tr('data terakhir')} {when}")
            self.live.setStyleSheet(f"color: {LATE_RED};")
        else:
            self.live.setText(f"● LIVE · {tr('pembaruan terakhir')} {when}")
            self.live.setStyleSheet(f"color: {GOOD_GREEN};")

    def _tick_clock(self) -> None:
        self.clock.setText(f"{to_wib(utc_now()):%H:%M:%S} WIB")
        if self.last_update is None or self.failing:
            return
        silent = (utc_now() - self.last_update).total_seconds()
        if silent > STALE_AFTER_S:
            self.banner.setText(
                f"⚠ {tr('Data belum diperbarui sejak')} {_hms(self.last_update)} WIB"
            )
            self.banner.show()

    def advance_page(self) -> None:
        """Rotating layout: map → KPI → late board → map …"""
        if self.pages is None:
            return
        self.pages.setCurrentIndex((self.pages.currentIndex() + 1) % self.pages.count())
        self.title.setText(f"COMCEN UP3 BANGKA · {tr(PAGE_NAMES[self.pages.currentIndex()])}")

    # --- screens ---------------------------------------------------------------
    def place_on(self, screen) -> None:
        """Full screen on ``screen``."""
        self._placed_on = screen
        if self.isFullScreen():
            self.showNormal()  # a full-screen window does not move between screens
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()
        log.info("Wall on screen %s (%s)", screen.name(), screen.geometry())

    def on_screen_removed(self, screen) -> None:
        """The wall's monitor was unplugged: carry on, full screen, on the primary one."""
        if self._placed_on is None or screen is not self._placed_on:
            return
        primary = QGuiApplication.primaryScreen()
        others = [s for s in QGuiApplication.screens() if s is not screen]
        target = primary if primary is not None and primary is not screen else None
        target = target or (others[0] if others else None)
        if target is None:
            log.warning("Wall screen %s removed and no other screen left", screen.name())
            return
        log.warning("Wall screen %s removed; moving to %s", screen.name(), target.name())
        self.place_on(target)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self._clock_timer.stop()
        self.rotate_timer.stop()
        self.follower.stop()


def _hms(moment: datetime) -> str:
    return f"{to_wib(moment):%H:%M:%S}"


def _wall_settings(database) -> tuple[str, int, int]:
    defaults = settings.DEFAULTS
    try:
        with database.read() as session:
            layout = settings.get(session, "wall.layout")
            seconds = settings.get(session, "wall.rotate_seconds")
            poll_ms = settings.get(session, "sync.poll_ms")
    except Exception as exc:  # the follower will show the banner; start with defaults
        log.warning("Wall settings not read: %s", exc)
        return defaults["wall.layout"], defaults["wall.rotate_seconds"], defaults["sync.poll_ms"]
    if layout not in LAYOUTS:
        log.warning("Setting wall.layout=%r is not one of %s; using tiled", layout, LAYOUTS)
        layout = "tiled"
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        seconds = defaults["wall.rotate_seconds"]
    return layout, seconds, int(poll_ms)


def _style_sheet(fonts: WallFonts) -> str:
    return f"""
        QWidget#wall {{ background: {BACKGROUND}; }}
        QWidget#wall QLabel {{ color: {TEXT}; font-size: {fonts.body}px; }}
        QWidget#wall QLabel#title, QWidget#wall QLabel#boardTitle {{ font-weight: 700; }}
        QWidget#wall QLabel#clock {{ font-size: {round(fonts.body * 1.4)}px; font-weight: 700; }}
        QWidget#wall QLabel#headline {{ font-size: {fonts.headline}px; font-weight: 700; }}
        QWidget#wall QLabel#caption {{ color: {MUTED}; font-size: {fonts.small}px; }}
        QFrame#tile, QFrame#board {{ background: {PANEL}; border-radius: 8px; }}
        QLabel#banner {{ background: #c0392b; color: white; font-weight: 700;
                         padding: 8px; font-size: {fonts.body}px; }}
    """


def open_beside(database, console_window: QWidget | None = None) -> QtWallWindow:
    """From the console's menu: full screen on another monitor if there is one."""
    wall = QtWallWindow(database)
    own = console_window.screen() if console_window is not None else None
    others = [s for s in QGuiApplication.screens() if s is not own]
    if others and own is not None:
        wall.place_on(others[0])
    else:
        # One screen: a maximised window (the console stays a click away). The wall's
        # type is sized from the screen, so a smaller window would cut its numbers.
        wall.showMaximized()
    wall.start()
    return wall


def run(db_url: str | None = None, screen_index: int | None = None) -> int:
    """`comcen --wall [--screen N]`."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Comcen Desktop")
    app.setOrganizationName("PLN UP3 Bangka")
    screens = QGuiApplication.screens()
    screen = QGuiApplication.primaryScreen() if screen_index is None else None
    if screen_index is not None and 0 <= screen_index < len(screens):
        screen = screens[screen_index]
    if screen is None:
        print(
            f"comcen: --screen {screen_index} does not exist; this display has "
            f"{len(screens)} screen(s), numbered 0–{max(len(screens) - 1, 0)}",
            file=sys.stderr,
        )
        return 1
    from services.database import open_database

    try:
        database = open_database(db_url)
    except Exception as exc:
        log.debug("Wall: database not opened", exc_info=True)
        print(f"comcen: {tr('Database tidak bisa dibuka:')} {_first_line(exc)}", file=sys.stderr)
        return 1
    wall = QtWallWindow(database)
    wall.place_on(screen)
    wall.start()
    code = app.exec()
    wall.shutdown()
    database.dispose()
    return code


def _first_line(exc: Exception) -> str:
    # Never the SQL and its parameters: they may carry a customer's name.
    text = str(getattr(exc, "orig", None) or exc).split("\n[SQL:")[0]
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
