"""The KPI engine against hand-computed values, on SQLite and on PostgreSQL.

One WIB day, 10 June 2025, of reports made through the real services (times WIB):

    A  Pangkalpinang individu IDPEL X  08:00  kerja 08:20  nyala 08:50  rating 5
    B  Pangkalpinang individu IDPEL Y  22:50  kerja 23:30  nyala 00:40 (11 Jun)  rating 1
    C  Pangkalpinang individu IDPEL X  14:00  kerja 14:30 → corrected 14:10  nyala 15:00
       rating 2 (a repeat of A)
    D  Koba padam meluas, 500 plg      09:00  kerja 09:30  nyala 11:00  (sustained, 120 min)
    E  Koba padam meluas, 200 plg      10:00  kerja 10:02  nyala 10:04  (4 min: momentary)
    F  Pangkalpinang keluhan           12:00  kerja 12:05  nyala 12:06  (excluded)
    G  Koba individu                   16:00  Batal 16:10
    H  Mentok individu                 18:00  kerja 18:15  Selesai 19:00, no Nyala
    L  outside every ULP               13:00  kerja 13:25  still at work
    I, J on 9 June (Pangkalpinang, IDPEL Y and Z, ratings 1 and 4); K on 11 June.

Targets 2025: Pangkalpinang 20 / 40 min; the rest the settings' 28.38 / 48.23.
Customers (N_T): 100k, 80k, 50k, 40k, 30k = 300k.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from comcen_desktop import settings
from comcen_desktop.domain import Category, Stage
from comcen_desktop.storage.models import Crew, Event, KpiTarget, Report, ReportStage, UlpArea
from comcen_desktop.timeutil import WIB
from services import dispatch, intake, lifecycle
from services.database import open_database
from services.kpi_engine import compute, daily_trend
from services.placement import Placer
from tests.test_kpi import ulp_points

ACTOR = "tester"
DEFAULT_RPT, DEFAULT_RCT = settings.DEFAULT_RPT_TARGET_MIN, settings.DEFAULT_RCT_TARGET_MIN
CUSTOMERS = {
    "Pangkalpinang": 100_000,
    "Sungailiat": 80_000,
    "Mentok": 50_000,
    "Koba": 40_000,
    "Toboali": 30_000,
}
OUTSIDE = (105.0, -3.5)  # in the sea, south-west of Bangka


def wib(day: int, hour: int, minute: int = 0, year: int = 2025, month: int = 6) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def job(
    session,
    placer,
    point,
    reported,
    moves,
    *,
    category=Category.INDIVIDU,
    idpel=None,
    customers=None,
    crew=0,
    rating=None,
):
    """A report moved through ``moves`` [(stage, time)] by the real services."""
    new = intake.NewReport(reported_at=reported, lon=point[0], lat=point[1], idpel=idpel)
    new.category = category
    report = intake.create_report(session, placer, new, ACTOR)
    report.customers = customers
    crew_id = session.scalars(select(Crew.id).order_by(Crew.id)).all()[crew]
    for stage, at in moves:
        if stage is Stage.PENUGASAN:
            assert dispatch.assign(session, [report.id], crew_id, ACTOR, at=at).ok
        else:
            lifecycle.advance(session, report, stage, at, ACTOR)
    if rating is not None:
        lifecycle.record_rating(session, report, rating, ACTOR, at=moves[-1][1])
    return report


def full(assigned, working, restored, closed=None):
    moves = [
        (Stage.PENUGASAN, assigned),
        (Stage.PERJALANAN, assigned),
        (Stage.PENGERJAAN, working),
        (Stage.NYALA, restored),
    ]
    return [*moves, (Stage.SELESAI, closed or restored + timedelta(minutes=10))]


def build_day(session) -> dict[str, Report]:
    placer = Placer(session)
    points = ulp_points(session, placer)
    pgk, koba, mentok = points["Pangkalpinang"], points["Koba"], points["Mentok"]
    ids = dict(session.execute(select(UlpArea.name, UlpArea.id)).all())
    for name, count in CUSTOMERS.items():
        session.get(UlpArea, ids[name]).customers = count
    session.add(KpiTarget(ulp_id=ids["Pangkalpinang"], year=2025, rpt_min=20.0, rct_min=40.0))

    made = {}
    made["A"] = job(
        session,
        placer,
        pgk,
        wib(10, 8),
        full(wib(10, 8, 5), wib(10, 8, 20), wib(10, 8, 50)),
        idpel="511000000001",
        rating=5,
    )
    # Across the Sore → Malam boundary and midnight: counts on the 10th, in Sore.
    made["B"] = job(
        session,
        placer,
        pgk,
        wib(10, 22, 50),
        full(wib(10, 22, 55), wib(10, 23, 30), wib(11, 0, 40)),
        idpel="511000000002",
        rating=1,
    )
    made["C"] = job(
        session,
        placer,
        pgk,
        wib(10, 14),
        full(wib(10, 14, 5), wib(10, 14, 30), wib(10, 15)),
        idpel="511000000001",
        rating=2,
    )
    lifecycle.correct_stage_time(
        session, made["C"], Stage.PENGERJAAN, wib(10, 14, 10), ACTOR, "regu lapor tiba lebih awal"
    )
    made["D"] = job(
        session,
        placer,
        koba,
        wib(10, 9),
        full(wib(10, 9, 5), wib(10, 9, 30), wib(10, 11)),
        category=Category.MELUAS,
        customers=500,
        crew=1,
    )
    made["E"] = job(
        session,
        placer,
        koba,
        wib(10, 10),
        full(wib(10, 10, 1), wib(10, 10, 2), wib(10, 10, 4)),
        category=Category.MELUAS,
        customers=200,
        crew=1,
    )
    made["F"] = job(
        session,
        placer,
        pgk,
        wib(10, 12),
        full(wib(10, 12, 1), wib(10, 12, 5), wib(10, 12, 6)),
        category=Category.KELUHAN,
    )
    made["G"] = job(session, placer, koba, wib(10, 16), [(Stage.BATAL, wib(10, 16, 10))])
    made["H"] = job(
        session,
        placer,
        mentok,
        wib(10, 18),
        full(wib(10, 18, 5), wib(10, 18, 15), wib(10, 18, 40))[:3],
    )
    # An imported record: Selesai without Nyala. No recovery time is invented.
    session.add(ReportStage(report_id=made["H"].id, stage="selesai", at=wib(10, 19), actor=ACTOR))
    made["H"].stage = Stage.SELESAI.value
    made["L"] = job(
        session,
        placer,
        OUTSIDE,
        wib(10, 13),
        full(wib(10, 13, 5), wib(10, 13, 25), wib(10, 14))[:3],
    )
    made["I"] = job(
        session,
        placer,
        pgk,
        wib(9, 10),
        full(wib(9, 10, 1), wib(9, 10, 10), wib(9, 10, 30)),
        idpel="511000000002",
        rating=1,
    )
    made["J"] = job(
        session,
        placer,
        pgk,
        wib(9, 11),
        full(wib(9, 11, 1), wib(9, 11, 10), wib(9, 11, 30)),
        idpel="511000000003",
        rating=4,
    )
    made["K"] = job(
        session, placer, pgk, wib(11, 8), full(wib(11, 8, 1), wib(11, 8, 2), wib(11, 8, 3))
    )
    return made


@pytest.fixture
def day_db(any_url):
    database = open_database(any_url)
    with database.transaction() as session:
        build_day(session)
    yield database
    database.dispose()


NOW = wib(11, 12)
DAY = (wib(10, 0), wib(11, 0))


def day_report(database, by=None):
    with database.read() as session:
        return compute(session, *DAY, by=by, now=NOW)


def weighted(values_and_weights):
    total = sum(weight for _, weight in values_and_weights)
    return sum(value * weight for value, weight in values_and_weights) / total


def test_overall_figures_by_hand(day_db):
    overall = day_report(day_db).overall

    assert (overall.reports, overall.cancelled, overall.open_reports) == (9, 1, 1)
    assert overall.by_category == {"gangguan_individu": 6, "keluhan": 1, "padam_meluas": 2}
    assert overall.by_stage == {"batal": 1, "pengerjaan": 1, "selesai": 7}

    # RPT A 20, B 40, C 10 (corrected), D 30, E 2, H 15, L 25; F keluhan, G Batal out.
    assert overall.rpt_count == 7
    assert overall.rpt_mean_min == pytest.approx(142 / 7)
    assert overall.rpt_median_min == pytest.approx(20)
    assert overall.rpt_p90_min == pytest.approx(34)  # 30 + 0.4 × (40 − 30)
    # RCT A 50, B 110, C 60, D 120, E 4; H has Selesai without Nyala: left out.
    assert overall.rct_count == 5
    assert overall.rct_mean_min == pytest.approx(68.8)
    assert overall.rct_median_min == pytest.approx(60)
    assert overall.rct_p90_min == pytest.approx(116)  # 110 + 0.6 × 10


def test_overall_targets_are_weighted_by_measured_reports(day_db):
    overall = day_report(day_db).overall
    rpt_target = weighted([(20.0, 3), (DEFAULT_RPT, 4)])  # A B C in Pangkalpinang
    rct_target = weighted([(40.0, 3), (DEFAULT_RCT, 2)])
    assert overall.rpt_target_min == pytest.approx(rpt_target)
    assert overall.rpt_achievement_pct == pytest.approx(
        (2 * rpt_target - 142 / 7) / rpt_target * 100
    )
    assert overall.rct_achievement_pct == pytest.approx((2 * rct_target - 68.8) / rct_target * 100)


def test_repeats_ratings_and_reliability(day_db):
    overall = day_report(day_db).overall
    # C repeats A (same day); B repeats I (the day before, outside the period).
    assert (overall.fault_reports, overall.repeat_complaints) == (7, 2)
    assert overall.repeat_rate_pct == pytest.approx(200 / 7)
    # Rated A 5, B 1, C 2: two negative. The day before: I 1, J 4.
    assert (overall.rated_reports, overall.negative_ratings) == (3, 2)
    assert overall.negative_rating_pct == pytest.approx(200 / 3)
    assert overall.negative_rating_prev_pct == pytest.approx(50)
    assert overall.negative_rating_change_pp == pytest.approx(200 / 3 - 50)
    # Only D is a sustained padam meluas: 120 min × 500 customers over 300,000.
    assert (overall.incidents, overall.customers_interrupted) == (1, 500)
    assert overall.customers_served == 300_000
    assert overall.saidi_min == pytest.approx(120 * 500 / 300_000)
    assert overall.saifi == pytest.approx(500 / 300_000)
    assert overall.caidi_min == pytest.approx(120)


def test_by_ulp(day_db):
    groups = {g.key: g for g in day_report(day_db, "ulp").groups}
    assert list(groups) == ["Pangkalpinang", "Sungailiat", "Mentok", "Koba", "Toboali", None]

    pgk = groups["Pangkalpinang"]
    assert (pgk.reports, pgk.rpt_count, pgk.repeat_complaints) == (4, 3, 2)
    assert pgk.rpt_mean_min == pytest.approx(70 / 3)
    assert pgk.rpt_achievement_pct == pytest.approx((40 - 70 / 3) / 20 * 100)
    assert pgk.rct_achievement_pct == pytest.approx((80 - 220 / 3) / 40 * 100)
    assert (pgk.saidi_min, pgk.saifi, pgk.caidi_min) == (0.0, 0.0, None)

    koba = groups["Koba"]
    assert (koba.reports, koba.cancelled, koba.rpt_mean_min) == (3, 1, pytest.approx(16))
    assert koba.rpt_target_min == pytest.approx(DEFAULT_RPT)
    assert koba.saidi_min == pytest.approx(1.5)
    assert koba.saifi == pytest.approx(500 / 40_000)

    quiet = groups["Toboali"]
    assert (quiet.reports, quiet.rpt_mean_min, quiet.rpt_achievement_pct) == (0, None, None)
    assert quiet.negative_rating_pct is None and quiet.repeat_rate_pct is None

    outside = groups[None]
    assert (outside.reports, outside.rpt_mean_min, outside.open_reports) == (1, 25, 1)
    assert outside.saidi_min is None  # no ULP, no N_T


def test_by_shift_puts_the_midnight_job_in_its_report_shift(day_db):
    groups = {g.key: g for g in day_report(day_db, "shift").groups}
    assert [(k, g.reports) for k, g in groups.items()] == [("Pagi", 6), ("Sore", 3), ("Malam", 0)]
    assert groups["Sore"].rpt_mean_min == pytest.approx((40 + 15) / 2)  # B, H
    assert groups["Sore"].rct_mean_min == pytest.approx(110)  # B across midnight
    assert groups["Malam"].rpt_mean_min is None


def test_by_day_and_previous_day_ratings(day_db):
    with day_db.read() as session:
        report = compute(session, wib(9, 0), wib(12, 0), by="day", now=NOW)
    groups = {g.key: g for g in report.groups}
    assert list(groups) == ["2025-06-09", "2025-06-10", "2025-06-11"]
    assert [g.reports for g in groups.values()] == [2, 9, 1]
    assert groups["2025-06-10"].negative_rating_prev_pct == pytest.approx(50)
    assert groups["2025-06-11"].negative_rating_prev_pct == pytest.approx(200 / 3)
    assert groups["2025-06-11"].negative_rating_pct is None


def test_by_crew_and_posko(day_db):
    by_crew = {g.key: g for g in day_report(day_db, "crew").groups}
    # G was cancelled before any crew took it.
    assert by_crew[None].reports == 1
    crews = [g for g in by_crew.values() if g.key is not None]
    assert sorted(g.reports for g in crews) == [2, 6]  # D, E; A B C F H L
    assert all(g.label.startswith("Regu") for g in crews)
    by_posko = day_report(day_db, "posko").groups
    assert sum(g.reports for g in by_posko) == 9
    assert by_posko[-1].key is None


def test_excluded_categories_follow_the_setting(day_db):
    with day_db.transaction() as session:
        settings.put(session, "kpi.exclude_categories", [])
    overall = day_report(day_db).overall
    assert overall.rpt_count == 8  # F's 5 min joins; G (Batal) never does
    assert overall.rpt_mean_min == pytest.approx(147 / 8)


def test_a_corrected_time_counts_and_keeps_the_original(day_db):
    with day_db.read() as session:
        c = session.scalars(select(Report).where(Report.reported_at == wib(10, 14))).one()
        row = session.scalars(
            select(ReportStage).where(
                ReportStage.report_id == c.id, ReportStage.stage == "pengerjaan"
            )
        ).one()
        assert row.at == wib(10, 14, 10) and row.original_at == wib(10, 14, 30)
        assert (row.corrected_by, row.correction_reason) == (ACTOR, "regu lapor tiba lebih awal")
        event = session.scalars(select(Event).where(Event.kind == "correct")).one()
        assert datetime.fromisoformat(event.before["at"]) == wib(10, 14, 30)
        assert datetime.fromisoformat(event.after["at"]) == wib(10, 14, 10)


def test_daily_trend(day_db):
    with day_db.read() as session:
        trend = daily_trend(session, 3, now=NOW)
    assert [str(day.day) for day in trend] == ["2025-06-09", "2025-06-10", "2025-06-11"]
    assert trend[1].rpt_mean_min == pytest.approx(142 / 7)
    assert trend[1].rct_mean_min == pytest.approx(68.8)
    assert trend[2].reports == 1


def test_empty_period_is_none_not_zero(any_url):
    database = open_database(any_url)
    try:
        with database.read() as session:
            overall = compute(session, wib(1, 0), wib(2, 0), now=NOW).overall
    finally:
        database.dispose()
    assert overall.reports == 0
    for name in (
        "rpt_mean_min",
        "rpt_p90_min",
        "rct_median_min",
        "rpt_achievement_pct",
        "negative_rating_pct",
        "repeat_rate_pct",
        "saidi_min",
        "caidi_min",
    ):
        assert getattr(overall, name) is None, name


def test_paper_figures_bangka_2021(database):
    """RPT 19.58 min against 28.38 is 131 %, RCT 33.28 against 48.23 too."""
    with database.transaction() as session:
        placer = Placer(session)
        pgk = ulp_points(session, placer)["Pangkalpinang"]
        ulp_id = session.scalar(select(UlpArea.id).where(UlpArea.name == "Pangkalpinang"))
        session.add(KpiTarget(ulp_id=ulp_id, year=2021, rpt_min=28.38, rct_min=48.23))
        for day, rpt_s, rct_s in ((3, 19.08 * 60, 32.28 * 60), (4, 20.08 * 60, 34.28 * 60)):
            start = wib(day, 9, year=2021, month=8)
            job(
                session,
                placer,
                pgk,
                start,
                full(start, start + timedelta(seconds=rpt_s), start + timedelta(seconds=rct_s)),
            )
    with database.read() as session:
        report = compute(
            session, wib(1, 0, year=2021, month=8), wib(1, 0, year=2021, month=9), by="ulp"
        )
    pgk = report.groups[0]
    assert pgk.rpt_mean_min == pytest.approx(19.58)
    assert pgk.rpt_achievement_pct == pytest.approx(131.0, abs=0.05)
    assert pgk.rct_achievement_pct == pytest.approx(131.0, abs=0.05)


def test_corrections_out_of_order_are_refused(database):
    with database.transaction() as session:
        placer = Placer(session)
        point = ulp_points(session, placer)["Koba"]
        report = job(
            session, placer, point, wib(10, 8), full(wib(10, 8, 5), wib(10, 8, 20), wib(10, 8, 50))
        )
        with pytest.raises(lifecycle.StageError, match="sebelum waktu lapor"):
            lifecycle.correct_stage_time(session, report, Stage.PENGERJAAN, wib(10, 7), ACTOR, "x")
        with pytest.raises(lifecycle.StageError, match="tidak urut"):
            lifecycle.correct_stage_time(session, report, Stage.PENGERJAAN, wib(10, 9), ACTOR, "x")
        with pytest.raises(lifecycle.StageError, match="alasan"):
            lifecycle.correct_stage_time(session, report, Stage.NYALA, wib(10, 8, 40), ACTOR, " ")
        with pytest.raises(lifecycle.StageError, match="belum ada"):
            lifecycle.correct_stage_time(session, report, Stage.BATAL, wib(10, 9), ACTOR, "x")


def test_ratings_only_after_selesai_and_in_range(database):
    with database.transaction() as session:
        placer = Placer(session)
        point = ulp_points(session, placer)["Koba"]
        open_job = job(session, placer, point, wib(10, 8), [])
        with pytest.raises(lifecycle.StageError, match="setelah"):
            lifecycle.record_rating(session, open_job, 4, ACTOR)
        done = job(
            session, placer, point, wib(10, 9), full(wib(10, 9, 5), wib(10, 9, 20), wib(10, 9, 50))
        )
        for bad in (0, 6, True, 2.5):
            with pytest.raises(lifecycle.StageError, match="1 sampai 5"):
                lifecycle.record_rating(session, done, bad, ACTOR)
        lifecycle.record_rating(session, done, 3, ACTOR)
        assert done.rating == 3 and done.rated_at is not None


def test_unknown_grouping_and_reversed_period_are_refused(database):
    with database.read() as session:
        with pytest.raises(ValueError, match="unknown grouping"):
            compute(session, *DAY, by="village")
        with pytest.raises(ValueError, match="ends before"):
            compute(session, DAY[1], DAY[0])


def test_caidi_needs_no_customer_totals(day_db):
    # The unit has not entered how many customers each ULP serves: SAIDI and SAIFI
    # cannot be known, CAIDI (minutes per interrupted customer) still can.
    with day_db.transaction() as session:
        for area in session.scalars(select(UlpArea)):
            area.customers = None
    overall = day_report(day_db).overall
    assert (overall.saidi_min, overall.saifi) == (None, None)
    assert overall.caidi_min == pytest.approx(120)
