"""The live side panels: reports about to be late, counts by stage, the 30-day trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from comcen_desktop.domain import Stage
from comcen_desktop.timeutil import WIB, utc_now
from services import queries
from tests import factories
from ui.kpi_panels import (
    WIB_OFFSET_FOR_PYQTGRAPH,
    QtLateListDock,
    QtStageCountsDock,
    QtTrendDock,
)


def open_reports(database):
    with database.read() as session:
        return queries.load_open_reports(session)


def test_late_list_shows_only_reports_near_or_past_target_soonest_first(qtbot, database):
    factories.add_reports(database, 1, minutes_ago=2)  # 26 min left: not listed
    near = factories.add_reports(database, 1, minutes_ago=22)[0]  # about 6 min left
    late = factories.add_reports(database, 1, minutes_ago=40)[0]  # about 12 min late
    dock = QtLateListDock()
    qtbot.addWidget(dock)

    dock.set_reports(open_reports(database), target_min=28.0)

    table = dock.table
    assert table.rowCount() == 2
    from PySide6.QtCore import Qt

    ids = [table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(2)]
    assert ids == [late, near]
    assert table.item(0, 0).text().startswith("+12 mnt") and "lewat" in table.item(0, 0).text()
    assert table.item(1, 0).text().split(" mnt")[0] in ("5", "6")


def test_a_crew_at_work_stops_the_countdown(qtbot, database):
    from comcen_desktop.storage.models import Report
    from services import dispatch, lifecycle

    report_id = factories.add_reports(database, 1, minutes_ago=40)[0]
    crew = factories.crew_ids(database)[0]
    dispatch.assign_now(database, [report_id], crew, "op")
    with database.transaction() as session:
        report = session.get(Report, report_id)
        lifecycle.advance(session, report, Stage.PERJALANAN, utc_now(), "op")
        lifecycle.advance(session, report, Stage.PENGERJAAN, utc_now(), "op")
    dock = QtLateListDock()
    qtbot.addWidget(dock)

    dock.set_reports(open_reports(database), target_min=28.0)

    assert dock.table.rowCount() == 0


def test_stage_counts(qtbot, database):
    ids = factories.add_reports(database, 5)
    from services import dispatch

    dispatch.assign_now(database, ids[:2], factories.crew_ids(database)[0], "op")
    dock = QtStageCountsDock()
    qtbot.addWidget(dock)

    dock.set_reports(open_reports(database))

    assert dock.counts[Stage.LAPOR] == 3
    assert dock.counts[Stage.PENUGASAN] == 2
    assert dock.counts[Stage.PENGERJAAN] == 0


@dataclass
class Day:
    day: date
    rpt_mean_min: float | None
    rct_mean_min: float | None
    rpt_target_min: float | None = 28.38
    rct_target_min: float | None = 48.23


def test_trend_plots_days_at_noon_wib_and_skips_empty_days(qtbot):
    dock = QtTrendDock()
    qtbot.addWidget(dock)
    days = [Day(date(2026, 12, 1), 20.0, 35.0), Day(date(2026, 12, 2), None, None),
            Day(date(2026, 12, 3), 25.0, 41.0)]  # fmt: skip

    dock.set_trend(days)

    xs, ys = dock.rpt.getData()
    assert list(ys) == [20.0, 25.0]
    assert datetime.fromtimestamp(xs[0], WIB) == datetime(2026, 12, 1, 12, tzinfo=WIB)
    axis = dock.plot.getAxis("bottom")
    assert axis.utcOffset == WIB_OFFSET_FOR_PYQTGRAPH == -25200
    # Day ticks fall on midnight WIB, not on midnight UTC (07:00 WIB).
    start = datetime(2026, 11, 30, 12, tzinfo=WIB).timestamp()
    end = datetime(2026, 12, 4, 12, tzinfo=WIB).timestamp()
    dock.plot.setXRange(start, end, padding=0)
    dock.resize(800, 300)
    dock.plot.grab()  # a first paint gives the axis its font and zoom level
    ticks = [v for _spacing, values in axis.tickValues(start, end, 600) for v in values]
    assert ticks
    assert {datetime.fromtimestamp(v, WIB).strftime("%H:%M") for v in ticks} == {"00:00"}
    december_2 = datetime(2026, 12, 2, tzinfo=WIB).timestamp()
    assert axis.tickStrings([december_2], 1.0, 24 * 3600) == ["2 Des"]


def test_a_countdown_tick_updates_the_times_without_rebuilding_the_table(qtbot, database):
    factories.add_reports(database, 300, minutes_ago=60)
    dock = QtLateListDock()
    qtbot.addWidget(dock)
    reports = open_reports(database)
    dock.set_reports(reports, target_min=28.0)
    numbers_before = [dock.table.item(row, 1) for row in range(dock.table.rowCount())]

    dock._refresh()  # what the one-second countdown timer does

    assert dock.table.rowCount() == 50  # the worst fifty are listed...
    assert f"({len(reports)})" in dock.windowTitle()  # ...all are counted
    # The same cell objects: a tick rewrote 50 countdowns, not 250 cells.
    after = [dock.table.item(row, 1) for row in range(50)]
    assert all(a is b for a, b in zip(after, numbers_before, strict=True))
