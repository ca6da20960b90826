"""The simulation writes plausible, reproducible work through the real services."""

from __future__ import annotations

import itertools
import shutil
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop.domain import CrewStatus, Stage, can_move
from comcen_desktop.storage.models import Crew, Event, Report, ReportStage
from comcen_desktop.timeutil import WIB
from services import simulation
from services.database import open_database
from services.lifecycle import CREW_STATUS_FOR_STAGE

# Ends at 20:00 WIB, the evening peak, so some jobs are still open at the end.
START = datetime(2025, 6, 14, 20, 0, tzinfo=WIB)


@pytest.fixture
def other_database(seeded_sqlite_template, tmp_path):
    path = tmp_path / "other.db"
    shutil.copy(seeded_sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def day(tmp_path_factory, seeded_sqlite_template):
    """One simulated day, shared by the read-only checks below."""
    path = tmp_path_factory.mktemp("sim") / "day.db"
    shutil.copy(seeded_sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    summary = simulation.simulate(db, 24, seed=3, start=START)
    yield db, summary
    db.dispose()


def fingerprint(database) -> list[tuple]:
    with database.read() as session:
        reports = session.execute(
            select(
                Report.number,
                Report.reported_at,
                Report.village_id,
                Report.lon,
                Report.lat,
                Report.category,
                Report.media,
                Report.idpel,
                Report.name,
                Report.stage,
                Report.crew_id,
            ).order_by(Report.id)
        ).all()
        stages = session.execute(
            select(Report.number, ReportStage.stage, ReportStage.at)
            .join(Report, Report.id == ReportStage.report_id)
            .order_by(Report.id, ReportStage.at)
        ).all()
    return [tuple(row) for row in reports] + [tuple(row) for row in stages]


def test_same_seed_and_start_give_the_same_world(database, other_database):
    simulation.simulate(database, 12, seed=42, start=START)
    simulation.simulate(other_database, 12, seed=42, start=START)

    first = fingerprint(database)
    assert len(first) > 20
    assert first == fingerprint(other_database)


def test_another_seed_gives_another_world(database, other_database):
    simulation.simulate(database, 12, seed=42, start=START)
    simulation.simulate(other_database, 12, seed=43, start=START)
    assert fingerprint(database) != fingerprint(other_database)


def test_a_day_has_a_plausible_count_everywhere(day):
    database, summary = day
    # Poisson around the default daily rate: far outside ±40 % means the curve is wrong.
    expected = simulation.DEFAULT_REPORTS_PER_DAY
    assert 0.6 * expected <= summary.reports_created <= 1.4 * expected
    assert sum(summary.per_stage.values()) == summary.reports_created
    assert summary.closed + summary.open == summary.reports_created

    with database.read() as session:
        ulps = session.scalars(select(Report.ulp_id)).all()
    assert None not in ulps
    assert len(set(ulps)) >= 4


def test_reports_are_simulated_and_logged(day):
    database, summary = day
    with database.read() as session:
        simulated = session.scalars(select(Report.simulated)).all()
        created = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.kind == "create", Event.actor == simulation.ACTOR)
        )
    assert all(simulated)
    assert created == summary.reports_created


def test_stage_rows_follow_the_allowed_moves(day):
    database, _summary = day
    with database.read() as session:
        reports = session.scalars(select(Report)).all()
        for report in reports:
            rows = sorted(report.stages, key=lambda row: row.at)
            times = [row.at for row in rows]
            path = [Stage(row.stage) for row in rows]

            assert times == sorted(set(times)), report.number  # strictly increasing
            assert path[0] is Stage.LAPOR and times[0] == report.reported_at
            assert all(can_move(a, b) for a, b in itertools.pairwise(path)), path
            assert path[-1].value == report.stage


def test_the_day_ends_with_work_in_hand(day):
    _database, summary = day
    assert summary.open >= 1
    assert summary.closed >= summary.reports_created // 2


def test_crew_status_matches_its_current_job(day):
    database, _summary = day
    active = set(CREW_STATUS_FOR_STAGE)
    with database.read() as session:
        for crew in session.scalars(select(Crew)):
            jobs = session.scalars(
                select(Report.stage).where(
                    Report.crew_id == crew.id, Report.stage.in_([s.value for s in active])
                )
            ).all()
            assert len(jobs) <= 1, (crew.code, jobs)  # one job at a time
            expected = CREW_STATUS_FOR_STAGE[Stage(jobs[0])] if jobs else CrewStatus.SIAGA
            assert crew.status == expected.value, (crew.code, jobs)


def stage_times(session) -> dict[int, dict[str, datetime]]:
    times: dict[int, dict[str, datetime]] = {}
    for report_id, stage, at in session.execute(
        select(ReportStage.report_id, ReportStage.stage, ReportStage.at)
    ):
        times.setdefault(report_id, {})[stage] = at
    return times


def busy_spans(database, end: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per crew: from setting off until power is back (or the end, if still at it)."""
    with database.read() as session:
        times = stage_times(session)
        jobs = session.execute(
            select(Report.id, Report.crew_id).where(Report.crew_id.is_not(None))
        ).all()
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    for report_id, crew_id in jobs:
        stages = times[report_id]
        if "perjalanan" in stages:
            span = (stages["perjalanan"], stages.get("nyala", end))
            busy.setdefault(crew_id, []).append(span)
    return busy


def test_a_busy_crew_queues_its_jobs(database):
    # A storm: ten times the usual rate, so crews must hold queues.
    summary = simulation.simulate(database, 6, seed=8, start=START, reports_per_day=500)
    busy = busy_spans(database, summary.end)

    assert max(len(spans) for spans in busy.values()) >= 3
    for spans in busy.values():
        spans.sort()
        for (_, first_end), (second_start, _) in itertools.pairwise(spans):
            assert first_end < second_start


def test_crews_move_to_their_jobs(day):
    database, _summary = day
    with database.read() as session:
        times = stage_times(session)
        sites = {
            (lon, lat): report_id
            for report_id, lon, lat in session.execute(select(Report.id, Report.lon, Report.lat))
        }
        moves = session.scalars(select(Event).where(Event.kind == "position")).all()

    arrivals = {
        sites[(move.after["lon"], move.after["lat"])]
        for move in moves
        if (move.after["lon"], move.after["lat"]) in sites
    }
    worked = {rid for rid, stages in times.items() if "pengerjaan" in stages}
    assert worked and arrivals == worked


def test_live_simulator_creates_reports_as_time_passes(database):
    live = simulation.LiveSimulator(database, seed=5, speed=60.0)
    wall = datetime(2025, 6, 14, 12, 0, tzinfo=WIB)

    assert live.step(wall) == 0  # the first step only starts the clock
    counts = []
    for minutes in (5, 10, 20):
        live.step(wall + timedelta(minutes=minutes))
        with database.read() as session:
            counts.append(session.scalar(select(func.count()).select_from(Report)))

    # 20 wall minutes at 60× are 20 simulated hours: dozens of reports.
    assert 0 < counts[0] <= counts[1] < counts[2]
    assert live.simulated_now == wall + timedelta(hours=20)
    with database.read() as session:
        latest = session.scalar(select(func.max(Report.reported_at)))
    assert latest <= live.simulated_now


def test_a_live_run_carries_on_jobs_an_earlier_run_left_open(database):
    from sqlalchemy import select

    from comcen_desktop.domain import CLOSED_STAGES
    from comcen_desktop.storage.models import Report

    begin = START - timedelta(hours=4)  # ends at 22:00 WIB, in the evening peak
    simulation.simulate(database, 6, seed=5, start=begin)
    end = begin + timedelta(hours=6)
    with database.read() as session:
        left_open = session.scalars(
            select(Report.id).where(Report.stage.not_in([s.value for s in CLOSED_STAGES]))
        ).all()
    assert left_open, "the seed must leave work open for this test to mean anything"

    live = simulation.LiveSimulator(database, seed=9, reports_per_day=1)
    live.step(end)
    live.step(end + timedelta(hours=6))

    with database.read() as session:
        stages = dict(session.execute(select(Report.id, Report.stage)).all())
    still_open = [i for i in left_open if stages[i] not in {s.value for s in CLOSED_STAGES}]
    assert still_open == []


def test_idle_crews_keep_sending_positions(day):
    database, summary = day
    with database.read() as session:
        last_seen = session.scalars(select(Crew.position_at)).all()
    # Every crew has been heard from within the stale limit (60 min) of the day's end.
    assert all(summary.end - seen <= timedelta(minutes=60) for seen in last_seen)


def test_padam_meluas_reports_carry_their_customer_count(database):
    simulation.simulate(database, 72, seed=21, start=START)
    with database.read() as session:
        rows = session.execute(select(Report.category, Report.customers)).all()
    wide = [customers for category, customers in rows if category == "padam_meluas"]
    assert wide, "72 hours should bring at least one padam meluas"
    assert all(customers and customers >= 5 for customers in wide)
    assert all(customers is None for category, customers in rows if category != "padam_meluas")


def test_waiting_reports_are_left_in_lapor_for_the_operator(database):
    end = START + timedelta(hours=6)
    simulation.simulate(database, 6, seed=4, start=START, waiting=3)
    with database.read() as session:
        waiting = session.execute(
            select(Report.reported_at).where(
                Report.stage == Stage.LAPOR.value, Report.crew_id.is_(None)
            )
        ).all()
    recent = [at for (at,) in waiting if end - timedelta(minutes=25) <= at <= end]
    assert len(recent) >= 3


class FakeClock:
    """Wall time that moves only when the simulator sleeps: no timing in the tests."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_a_live_run_catches_up_with_the_clock_and_never_runs_ahead(database):
    clock = FakeClock(START)
    summary = simulation.run_live(
        database, 6, seed=6, speed=30, clock=clock, sleep=clock.sleep, tick_s=20
    )
    # 6 simulated hours at 30× are 12 wall minutes, ending at the clock.
    assert clock.now - START == timedelta(minutes=12)
    assert summary.end == clock.now
    assert summary.start == START - timedelta(hours=6 * (1 - 1 / 30))
    with database.read() as session:
        stamped = session.scalars(select(ReportStage.at)).all()
    assert len(stamped) > 50
    assert max(stamped) <= clock.now


def test_a_live_run_can_feed_a_running_server_over_http(database):
    from services.http_api import ApiServer

    server = ApiServer(database, "127.0.0.1", 0).start()
    try:
        clock = FakeClock(START)
        feed = simulation.HttpFeed(server.url)
        summary = simulation.run_live(
            database, 4, seed=2, speed=60, feed=feed, clock=clock, sleep=clock.sleep, tick_s=30
        )
    finally:
        server.stop()
    with database.read() as session:
        sources = session.scalars(select(Report.source_id)).all()
        assigned = session.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "assign")
        )
    assert summary.reports_created == len(sources) > 5
    assert all(s.startswith("sim2-") for s in sources)  # named by the feed, stored by the API
    assert assigned >= 1  # dispatch and stages still run in-process


def test_the_http_feed_talks_to_this_machine_only():
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        simulation.HttpFeed("http://10.1.2.3:8765")
