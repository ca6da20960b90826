"""The calibrated simulator (issue 8): seeds, the month against Bangka 2021, storms that
become padam meluas incidents, weekday and season effects, and crews' shifts."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from comcen_desktop import geo
from comcen_desktop.storage.models import Crew, Incident, Report, ReportStage
from comcen_desktop.timeutil import WIB, shift_of, to_wib
from services import sim_calibration as cal
from services import simulation
from services.database import open_database
from services.sim_world import World
from tests.test_simulation import fingerprint

START = datetime(2025, 12, 10, 14, 0, tzinfo=WIB)  # a wet-season afternoon


@pytest.fixture
def second_database(seeded_sqlite_template, tmp_path):
    path = tmp_path / "second.db"
    shutil.copy(seeded_sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.dispose()


def incidents_of(database) -> list[tuple]:
    with database.read() as session:
        rows = session.execute(
            select(Incident.number, Incident.member_ids, Incident.customers).order_by(Incident.id)
        ).all()
    return [tuple(row) for row in rows]


# ---------------------------------------------------------------------------- seeds


def test_a_stormy_run_is_the_same_for_the_same_seed(database, second_database):
    simulation.simulate(database, 5, seed=11, start=START, storm=True, pause_s=0)
    simulation.simulate(second_database, 5, seed=11, start=START, storm=True, pause_s=0)

    first = fingerprint(database)
    assert len(first) > 100
    assert first == fingerprint(second_database)
    assert incidents_of(database) == incidents_of(second_database)
    assert incidents_of(database), "the storm must bring incidents for this to mean much"


def test_another_seed_gives_another_storm(database, second_database):
    simulation.simulate(database, 5, seed=11, start=START, storm=True, pause_s=0)
    simulation.simulate(second_database, 5, seed=12, start=START, storm=True, pause_s=0)
    assert fingerprint(database) != fingerprint(second_database)


# ---------------------------------------------------------------------------- the month


def test_a_calibrated_month_reproduces_bangka_2021(database):
    began = time.perf_counter()
    result = cal.run_month(database)
    print(f"\nKalibrasi: {result.describe()} (uji {time.perf_counter() - began:.1f} detik)")

    assert result.reports > 3000  # a month at about 150 a day
    assert result.rpt_mean_min == pytest.approx(cal.TARGET_RPT_MIN, rel=0.10)
    assert result.rct_mean_min == pytest.approx(cal.TARGET_RCT_MIN, rel=0.10)
    assert result.within()


# ---------------------------------------------------------------------------- storms


@pytest.fixture(scope="module")
def storm(tmp_path_factory, seeded_sqlite_template):
    """One big storm (``--storm``), no chance storms, shared by the checks below."""
    path = tmp_path_factory.mktemp("storm") / "storm.db"
    shutil.copy(seeded_sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    summary = simulation.simulate(db, 8, seed=5, start=START, storm=True, storms=False, pause_s=0)
    yield db, summary
    db.dispose()


def test_a_storm_brings_clustered_padam_meluas_incidents(storm):
    database, summary = storm
    with database.read() as session:
        incidents = session.scalars(select(Incident)).all()
        sites = dict(
            (rid, (lon, lat))
            for rid, lon, lat in session.execute(select(Report.id, Report.lon, Report.lat))
        )
        members_by_incident = Counter(
            session.scalars(select(Report.incident_id).where(Report.incident_id.is_not(None)))
        )

    assert summary.storms == 1
    assert summary.incidents == len(incidents) >= 5
    assert max(members_by_incident.values()) >= 6
    for incident in incidents:
        assert members_by_incident[incident.id] >= 2
        for report_id in incident.member_ids:
            lon, lat = sites[report_id]
            # Every member lies within the incident's circle (1 m for rounding).
            assert geo.distance_m(lon, lat, incident.lon, incident.lat) <= incident.radius_m + 1


def test_members_of_an_incident_move_together(storm):
    database, _summary = storm
    with database.read() as session:
        rows = session.execute(
            select(Report.incident_id, Report.crew_id, ReportStage.stage, ReportStage.at)
            .join(ReportStage, ReportStage.report_id == Report.id)
            .where(Report.incident_id.is_not(None), ReportStage.stage == "pengerjaan")
        ).all()
    by_incident: dict[int, set] = {}
    for incident_id, crew_id, _stage, at in rows:
        by_incident.setdefault(incident_id, set()).add((crew_id, at))
    assert by_incident, "some storm incidents must have reached the site"
    for pairs in by_incident.values():
        # One crew, one arrival; a late joiner catches up at its own moment.
        assert len({crew for crew, _at in pairs}) == 1


def test_the_storm_is_a_burst_around_one_area(storm):
    database, summary = storm
    with database.read() as session:
        times = session.scalars(select(Report.reported_at)).all()
    hours = Counter(int((t - summary.start).total_seconds() // 3600) for t in times)
    # The background brings about 6–12 an hour on a December afternoon; the storm
    # hours bring many times that.
    assert max(hours.values()) >= 40


def test_storms_are_likelier_in_the_wet_season():
    wet = cal.storm_chance_per_day(datetime(2025, 12, 15, tzinfo=WIB))
    dry = cal.storm_chance_per_day(datetime(2025, 8, 15, tzinfo=WIB))
    assert wet > 2 * dry


# ---------------------------------------------------------------------------- arrivals


def test_weekday_and_rainy_season_show_in_the_arrival_counts(database):
    start = datetime(2025, 1, 1, tzinfo=WIB)
    with database.read() as session:
        world = World(session, 3, start, 150.0, storms=False)
    moments = []
    moment = start
    while moment < start + timedelta(days=364):
        moment = world._draw_next_arrival(moment)
        moments.append(to_wib(moment))

    days = Counter(m.weekday() for m in moments)
    assert days[6] > 1.10 * days[4]  # Sunday over Friday (expected about 1.17)

    months = Counter(m.month for m in moments)
    wet = sum(months[m] for m in (11, 12, 1, 2, 3)) / 151
    dry = sum(months[m] for m in (6, 7, 8, 9)) / 122
    assert wet > 1.25 * dry  # expected about 1.38

    hours = Counter(m.hour for m in moments)
    assert hours[19] > 4 * hours[3]  # evening over the small hours (expected 7.8)
    assert 0.95 * 150 * 364 < len(moments) < 1.05 * 150 * 364


# ---------------------------------------------------------------------------- shifts


def test_no_off_shift_crew_is_sent_while_on_shift_ones_exist(database):
    with database.transaction() as session:
        ids = session.scalars(select(Crew.id).order_by(Crew.id)).all()
        for index, crew_id in enumerate(ids):
            shift = ("pagi", "sore", "malam")[index % 3]
            session.execute(update(Crew).where(Crew.id == crew_id).values(shift=shift))
        shifts = {crew_id: ("pagi", "sore", "malam")[i % 3] for i, crew_id in enumerate(ids)}

    simulation.simulate(database, 24, seed=9, start=START, storms=False, pause_s=0)

    with database.read() as session:
        sent = session.execute(
            select(Report.crew_id, ReportStage.at)
            .join(ReportStage, ReportStage.report_id == Report.id)
            .where(ReportStage.stage == "penugasan")
        ).all()
    assert len(sent) > 50
    off_shift = [(c, at) for c, at in sent if shifts[c] != shift_of(at).lower()]
    assert off_shift == []


def test_a_live_run_finishes_the_incidents_a_storm_left_open(database):
    # The storm starts 5 min in; 90 min later its incidents are still without power.
    end = START + timedelta(minutes=90)
    simulation.simulate(database, 1.5, seed=5, start=START, storm=True, storms=False, pause_s=0)
    with database.read() as session:
        active = session.scalars(select(Incident.id).where(Incident.status == "aktif")).all()
    assert active, "the storm must leave incidents open for this test to mean anything"

    live = simulation.LiveSimulator(database, seed=9, reports_per_day=1)
    live.step(end)
    live.step(end + timedelta(hours=8))

    with database.read() as session:
        statuses = session.scalars(select(Incident.status).where(Incident.id.in_(active))).all()
        members = session.scalars(select(Report.stage).where(Report.incident_id.in_(active))).all()
    assert set(statuses) == {"selesai"}
    assert set(members) == {"selesai"}


def test_a_storm_runs_the_same_on_both_databases(any_url):
    database = open_database(any_url)
    try:
        summary = simulation.simulate(
            database, 3, seed=5, start=START, storm=True, storms=False, pause_s=0
        )
        with database.read() as session:
            members = session.scalars(
                select(Report.incident_id).where(Report.incident_id.is_not(None))
            ).all()
    finally:
        database.dispose()
    assert summary.incidents >= 3
    assert len(members) >= 3 * summary.incidents // 2
