"""Today's KPIs from hand-made reports with exact stage times, on a real SQLite file."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from comcen_desktop import settings
from comcen_desktop.domain import Category, Stage
from comcen_desktop.storage.models import Crew, KpiTarget, ReportStage, UlpArea
from comcen_desktop.timeutil import WIB
from services import dispatch, intake, kpi, lifecycle
from services.placement import Placer

ACTOR = "tester"
YEAR = 2025  # not the seeded year, so the targets below are the only ones for it


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(YEAR, 6, day, hour, minute, tzinfo=WIB)


def ulp_points(session, placer: Placer) -> dict[str, tuple[float, float]]:
    names = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())
    points = {}
    for place, shape in placer.village_shapes():
        point = shape.representative_point()
        points.setdefault(names[place.ulp_id], (point.x, point.y))
    return points


def make_report(session, placer, point, reported_at, stages, category=Category.INDIVIDU):
    """A report moved through ``stages`` [(stage, time), ...] by the real services."""
    new = intake.NewReport(reported_at=reported_at, lon=point[0], lat=point[1])
    new.category = category
    report = intake.create_report(session, placer, new, ACTOR)
    crew_id = session.scalars(select(Crew.id).order_by(Crew.id)).first()
    for stage, at in stages:
        if stage is Stage.PENUGASAN:
            assert dispatch.assign(session, [report.id], crew_id, ACTOR, at=at).ok
        else:
            lifecycle.advance(session, report, stage, at, ACTOR)
    return report


def full_job(reported, assigned, arrived, restored, closed=None):
    stages = [
        (Stage.PENUGASAN, assigned),
        (Stage.PERJALANAN, assigned),
        (Stage.PENGERJAAN, arrived),
        (Stage.NYALA, restored),
    ]
    return stages + ([(Stage.SELESAI, closed)] if closed else [])


@pytest.fixture
def day_of_reports(database):
    """Reports of 15 June (WIB) in Pangkalpinang and Koba, and one on each side."""
    with database.transaction() as session:
        placer = Placer(session)
        points = ulp_points(session, placer)
        pgk, koba = points["Pangkalpinang"], points["Koba"]
        koba_id = session.scalar(select(UlpArea.id).where(UlpArea.name == "Koba"))
        session.add(KpiTarget(ulp_id=koba_id, year=YEAR, rpt_min=30.0, rct_min=50.0))

        # Pangkalpinang: RPT 20 and 25 min, RCT 50 and 55 min.
        make_report(session, placer, pgk, wib(15, 8), full_job(
            wib(15, 8), wib(15, 8, 5), wib(15, 8, 20), wib(15, 8, 50), wib(15, 9)
        ))  # fmt: skip
        # Reported before midnight, worked after it: counts on the 15th.
        make_report(session, placer, pgk, wib(15, 23, 50), full_job(
            wib(15, 23, 50), wib(15, 23, 55), wib(16, 0, 15), wib(16, 0, 45)
        ))  # fmt: skip
        # Keluhan: quick, and left out of RPT/RCT by the default setting.
        make_report(session, placer, pgk, wib(15, 10), full_job(
            wib(15, 10), wib(15, 10, 1), wib(15, 10, 2), wib(15, 10, 3), wib(15, 10, 4)
        ), category=Category.KELUHAN)  # fmt: skip
        cancelled = make_report(session, placer, pgk, wib(15, 11), [(Stage.BATAL, wib(15, 11, 9))])
        # An imported APKT record can carry a work time and still end Batal.
        session.add(
            ReportStage(report_id=cancelled.id, stage="pengerjaan", at=wib(15, 11, 5), actor=ACTOR)
        )
        # Still on the road: received and open, nothing measured.
        make_report(session, placer, pgk, wib(15, 21), [
            (Stage.PENUGASAN, wib(15, 21, 3)), (Stage.PERJALANAN, wib(15, 21, 5))
        ])  # fmt: skip
        # Other days: must not count on the 15th.
        make_report(session, placer, pgk, wib(14, 23, 59), full_job(
            wib(14, 23, 59), wib(15, 0, 1), wib(15, 0, 2), wib(15, 0, 3)
        ))  # fmt: skip
        make_report(session, placer, pgk, wib(16, 0, 0), [])

        # Koba: RPT 40 and 20 min, RCT 90 min (the second one still at work).
        make_report(session, placer, koba, wib(15, 9), full_job(
            wib(15, 9), wib(15, 9, 10), wib(15, 9, 40), wib(15, 10, 30), wib(15, 10, 40)
        ))  # fmt: skip
        make_report(session, placer, koba, wib(15, 14), [
            (Stage.PENUGASAN, wib(15, 14, 2)),
            (Stage.PERJALANAN, wib(15, 14, 5)),
            (Stage.PENGERJAAN, wib(15, 14, 20)),
        ])  # fmt: skip
    return database


def by_name(rows):
    return {row.ulp: row for row in rows}


def test_achievement_follows_pln_polarity_rule():
    # The paper's 2021 figures: 19.58 min RPT and 33.28 min RCT, each 131 %.
    assert kpi.achievement_pct(28.38, 19.58) == pytest.approx(131.0, abs=0.05)
    assert kpi.achievement_pct(48.23, 33.28) == pytest.approx(131.0, abs=0.05)
    assert kpi.achievement_pct(30.0, 30.0) == pytest.approx(100.0)
    assert kpi.achievement_pct(30.0, 75.0) == pytest.approx(-50.0)


def test_achievement_of_a_missing_value_is_none():
    assert kpi.achievement_pct(28.38, None) is None
    assert kpi.achievement_pct(None, 20.0) is None
    assert kpi.achievement_pct(0.0, 20.0) is None


def test_all_five_ulps_in_fixed_order(day_of_reports):
    with day_of_reports.read() as session:
        rows = kpi.today_by_ulp(session, wib(15, 22))
    assert [row.ulp for row in rows] == [
        "Pangkalpinang",
        "Sungailiat",
        "Mentok",
        "Koba",
        "Toboali",
    ]


def test_means_per_ulp_count_on_the_report_day(day_of_reports):
    with day_of_reports.read() as session:
        rows = by_name(kpi.today_by_ulp(session, wib(15, 22)))

    pgk = rows["Pangkalpinang"]
    assert (pgk.reports, pgk.open_reports) == (
        5,
        2,
    )  # the midnight job and the one on the road
    assert (pgk.rpt_count, pgk.rct_count) == (2, 2)
    assert pgk.rpt_mean_min == pytest.approx(22.5)
    assert pgk.rct_mean_min == pytest.approx(52.5)
    assert pgk.rpt_achievement_pct == pytest.approx((2 * 28.38 - 22.5) / 28.38 * 100)
    assert pgk.rct_achievement_pct == pytest.approx((2 * 48.23 - 52.5) / 48.23 * 100)

    koba = rows["Koba"]
    assert (koba.reports, koba.open_reports) == (2, 1)
    assert (koba.rpt_target_min, koba.rct_target_min) == (30.0, 50.0)
    assert koba.rpt_mean_min == pytest.approx(30.0)
    assert koba.rct_mean_min == pytest.approx(90.0)
    assert koba.rpt_achievement_pct == pytest.approx(100.0)
    assert koba.rct_achievement_pct == pytest.approx(20.0)


def test_quiet_ulp_has_none_not_zero(day_of_reports):
    with day_of_reports.read() as session:
        mentok = by_name(kpi.today_by_ulp(session, wib(15, 22)))["Mentok"]
    assert (mentok.reports, mentok.open_reports, mentok.rpt_count) == (0, 0, 0)
    assert mentok.rpt_mean_min is None and mentok.rct_mean_min is None
    assert mentok.rpt_achievement_pct is None and mentok.rct_achievement_pct is None
    # No kpi_target row for this year: the settings' targets apply.
    assert mentok.rpt_target_min == pytest.approx(settings.DEFAULT_RPT_TARGET_MIN)
    assert mentok.rct_target_min == pytest.approx(settings.DEFAULT_RCT_TARGET_MIN)


def test_next_day_does_not_see_the_midnight_job(day_of_reports):
    with day_of_reports.read() as session:
        pgk = by_name(kpi.today_by_ulp(session, wib(16, 10)))["Pangkalpinang"]
    assert (pgk.reports, pgk.rpt_count) == (1, 0)
    assert pgk.rpt_mean_min is None


def test_keluhan_counts_when_the_setting_says_so(day_of_reports):
    with day_of_reports.transaction() as session:
        settings.put(session, "kpi.exclude_categories", [])
    with day_of_reports.read() as session:
        pgk = by_name(kpi.today_by_ulp(session, wib(15, 22)))["Pangkalpinang"]
    # The keluhan (2 and 3 min) joins; the Batal report still does not.
    assert pgk.rpt_count == 3
    assert pgk.rpt_mean_min == pytest.approx((20 + 25 + 2) / 3)
    assert pgk.rct_mean_min == pytest.approx((50 + 55 + 3) / 3)


def test_overall_combines_every_ulp(day_of_reports):
    with day_of_reports.read() as session:
        overall = kpi.overall_today(session, wib(15, 22))
    assert overall.ulp_id is None
    assert (overall.reports, overall.open_reports) == (7, 3)
    assert overall.rpt_mean_min == pytest.approx((20 + 25 + 40 + 20) / 4)
    assert overall.rct_mean_min == pytest.approx((50 + 55 + 90) / 3)
    assert overall.rpt_target_min == pytest.approx(settings.DEFAULT_RPT_TARGET_MIN)
