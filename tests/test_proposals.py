"""Auto-dispatch proposals, their log, undo/reassign, the next job and stale crews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from comcen_desktop import geo
from comcen_desktop.domain import CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Event, Report, ReportStage
from comcen_desktop.timeutil import shift_of, utc_now
from services import crews, dispatch, lifecycle, proposals, queries
from services.database import open_database
from tests import factories


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


def view(database, report_id):
    with database.read() as session:
        return queries.load_reports(session, [report_id])[0]


def rank(database, report_id, now=None):
    with database.read() as session:
        return proposals.rank_crews(session, report_id, now)


def kinds(database, report_id) -> list[str]:
    with database.read() as session:
        rows = session.scalars(
            select(Event.kind).where(Event.entity_id == report_id, Event.entity == "report")
        )
        return list(rows)


def move_crew(database, crew_id, lon, lat, minutes_ago=1.0):
    with database.transaction() as session:
        crews.update_position(
            session, crew_id, lon, lat, utc_now() - timedelta(minutes=minutes_ago), "tester"
        )


def point_near(lon, lat, east_m, north_m):
    x, y = geo.to_utm(lon, lat)
    return geo.to_lonlat(x + east_m, y + north_m)


def test_ranked_by_arrival_and_a_nearer_crew_from_another_ulp_wins(db):
    (report_id,) = factories.add_reports(db, 1)
    report = view(db, report_id)
    with db.read() as session:
        foreign = session.scalars(
            select(Crew).order_by(Crew.id).where(Crew.status == CrewStatus.SIAGA.value)
        ).all()
        by_ulp = {c.id: c.ulp for c in queries.load_crews(session)}
    neighbour = next(c for c in foreign if by_ulp[c.id] != report.ulp)
    # The neighbour's crew drove home from a job 1.5 km from the new report.
    move_crew(db, neighbour.id, *point_near(report.lon, report.lat, 1500, 0))

    ranked = rank(db, report_id)

    assert ranked[0].crew.id == neighbour.id
    assert ranked[0].crosses_ulp is True
    assert ranked[0].crew.ulp != report.ulp
    assert ranked[0].distance_km == pytest.approx(1.5, abs=0.01)
    on_shift = [p for p in ranked if p.on_shift]
    etas = [p.eta_min for p in on_shift]
    assert etas == sorted(etas)
    assert [p.rank for p in ranked] == list(range(1, len(ranked) + 1))
    own = [p for p in ranked if p.crew.ulp == report.ulp]
    assert own and not any(p.crosses_ulp for p in own)
    top = ranked[0]
    speed = 40.0 if top.crew.vehicle == "motor" else 35.0
    assert top.eta_min == pytest.approx(1.5 * 1.4 / speed * 60, rel=0.01)
    assert top.target_left_min == pytest.approx(28.38 - report.age_min - top.eta_min, abs=0.2)


def test_detour_setting_queue_shift_and_libur_shape_the_ranking(db):
    from comcen_desktop import settings

    report_id, busy_report = factories.add_reports(db, 2)
    report = view(db, report_id)
    crew_list = factories.crew_ids(db)
    near, off_shift, libur, busy = crew_list[:4]
    for crew_id, east in ((near, 1000), (off_shift, 200), (libur, 100), (busy, 300)):
        move_crew(db, crew_id, *point_near(report.lon, report.lat, east, 0))
    now = utc_now()
    other_shift = {"Pagi": "sore", "Sore": "malam", "Malam": "pagi"}[shift_of(now)]
    with db.transaction() as session:
        session.get(Crew, off_shift).shift = other_shift
        session.get(Crew, libur).status = CrewStatus.LIBUR.value
        settings.put(session, f"dispatch.detour.{report.ulp}", 2.0)
    assert dispatch.assign_now(db, [busy_report], busy, "op").ok

    ranked = rank(db, report_id, now)
    ids = [p.crew.id for p in ranked]

    assert libur not in ids
    assert ids[0] == near  # the busy one is closer but has 35 min of queue
    busy_p = next(p for p in ranked if p.crew.id == busy)
    assert busy_p.queue_len == 1 and busy_p.queue_wait_min == pytest.approx(35.0)
    assert ranked[0].detour == 2.0
    off = next(p for p in ranked if p.crew.id == off_shift)
    assert off.on_shift is False
    assert all(p.on_shift for p in ranked[: ids.index(off_shift)])
    assert all(not p.on_shift for p in ranked[ids.index(off_shift) :])


def test_snapshot_ranking_matches_the_session_ranking(db):
    (report_id,) = factories.add_reports(db, 1)
    now = utc_now()
    with db.read() as session:
        snapshot = proposals.load_snapshot(session, now)
        report = queries.load_reports(session, [report_id])[0]
        from_session = proposals.rank_crews(session, report_id, now)
    from_snapshot = proposals.rank_crews(snapshot, report, now)
    assert [p.crew.id for p in from_snapshot] == [p.crew.id for p in from_session]


def test_accept_and_override_are_logged_with_the_assignment(db):
    first, second = factories.add_reports(db, 2)
    ranked = rank(db, first)
    proposals.record_shown(db, first, ranked, "op")
    result = proposals.accept(db, first, ranked, ranked[0], "op", view(db, first).version)
    assert result.ok
    assert kinds(db, first)[-3:] == ["proposal", "assign", "proposal_accept"]

    ranked2 = rank(db, second)
    result = proposals.accept(db, second, ranked2, ranked2[2], "op", view(db, second).version)
    assert result.ok
    with db.read() as session:
        override = session.scalar(
            select(Event).where(Event.kind == "proposal_override", Event.entity_id == second)
        )
        assert override.after["rank"] == 3
        assert override.after["top_crew"] == ranked2[0].crew.code
        assert "peringkat 3" in override.after["reason"]
        assert session.get(Report, second).crew_id == ranked2[2].crew.id


def test_a_lost_race_logs_no_acceptance(db):
    (report_id,) = factories.add_reports(db, 1)
    ranked = rank(db, report_id)
    version = view(db, report_id).version
    assert dispatch.assign_now(db, [report_id], ranked[1].crew.id, "other").ok

    result = proposals.accept(db, report_id, ranked, ranked[0], "op", version)
    assert not result.ok and result.lost_race
    assert ranked[1].crew.name in result.refused[0]
    assert "proposal_accept" not in kinds(db, report_id)


def test_auto_dispatch_assigns_the_top_proposal_and_logs_it(db):
    (report_id,) = factories.add_reports(db, 1)
    top = rank(db, report_id)[0]

    result = proposals.auto_assign(db, report_id)

    assert result is not None and result.ok
    with db.read() as session:
        assert session.get(Report, report_id).crew_id == top.crew.id
        rows = session.scalars(
            select(Event).where(Event.entity_id == report_id, Event.entity == "report")
        ).all()
    mine = [e for e in rows if e.actor == proposals.AUTO_ACTOR]
    assert [e.kind for e in mine] == ["assign", "proposal", "proposal_accept"]
    assert proposals.auto_assign(db, report_id) is None  # not Lapor any more


# --- undo and reassign ----------------------------------------------------------------


def test_unassign_returns_the_report_to_lapor_and_logs_why(db):
    (report_id,) = factories.add_reports(db, 1)
    crew_id = factories.crew_ids(db)[0]
    assert dispatch.assign_now(db, [report_id], crew_id, "op").ok

    result = dispatch.unassign_now(db, [report_id], "op", "salah regu")

    assert result.ok
    with db.read() as session:
        report = session.get(Report, report_id)
        assert (report.stage, report.crew_id) == (Stage.LAPOR.value, None)
        stages = session.scalars(
            select(ReportStage.stage).where(ReportStage.report_id == report_id)
        ).all()
        assert stages == ["lapor"]
        event = session.scalar(select(Event).where(Event.kind == "unassign"))
        assert event.after["reason"] == "salah regu" and event.before["crew_id"] == crew_id
    crew_views = {c.id: c for c in _crews(db)}
    assert crew_views[crew_id].queue == ()


def test_unassign_is_refused_once_the_crew_has_set_off(db):
    (report_id,) = factories.add_reports(db, 1)
    crew_id = factories.crew_ids(db)[0]
    assert dispatch.assign_now(db, [report_id], crew_id, "op").ok
    with db.transaction() as session:
        lifecycle.advance(
            session, session.get(Report, report_id), Stage.PERJALANAN, utc_now(), "op"
        )
    result = dispatch.unassign_now(db, [report_id], "op", "coba")
    assert not result.ok and "Dalam Perjalanan" in result.refused[0]
    other = factories.crew_ids(db)[1]
    with db.transaction() as session:
        assert not dispatch.reassign(session, report_id, other, "op", "dekat").ok


def test_reassign_while_penugasan_logs_the_previous_crew(db):
    (report_id,) = factories.add_reports(db, 1)
    first, second = factories.crew_ids(db)[:2]
    assert dispatch.assign_now(db, [report_id], first, "op").ok
    with db.transaction() as session:
        result = dispatch.reassign(session, report_id, second, "op", "lebih dekat")
    assert result.ok
    with db.read() as session:
        last = session.scalars(
            select(Event).where(Event.kind == "assign").order_by(Event.seq.desc())
        ).first()
        assert last.after["reason"] == "lebih dekat"
        assert last.after["previous_crew"] == session.get(Crew, first).name
        assert session.get(Report, report_id).crew_id == second


# --- closing frees the crew; stale crews --------------------------------------------------


def _crews(database):
    with database.read() as session:
        return queries.load_crews(session)


def test_closing_frees_the_crew_and_its_next_job_becomes_current(db):
    first, second, third = factories.add_reports(db, 3)
    crew_id = factories.crew_ids(db)[0]
    assert dispatch.assign_now(db, [first], crew_id, "op").ok
    with db.transaction() as session:
        report = session.get(Report, first)
        for stage in (Stage.PERJALANAN, Stage.PENGERJAAN):
            lifecycle.advance(session, report, stage, utc_now(), "op")
    assert dispatch.assign_now(db, [third, second], crew_id, "op").ok
    crew = {c.id: c for c in _crews(db)}[crew_id]
    numbers = {rid: view(db, rid).number for rid in (first, second, third)}
    assert crew.status == CrewStatus.BEKERJA.value
    # The job on site first, then the queue oldest first (add_reports: later = older).
    assert crew.queue == (numbers[first], numbers[third], numbers[second])
    assert crew.current_report == numbers[first]

    with db.transaction() as session:
        report = session.get(Report, first)
        for stage in (Stage.NYALA, Stage.SELESAI):
            lifecycle.advance(session, report, stage, utc_now(), "op")
    crew = {c.id: c for c in _crews(db)}[crew_id]
    assert crew.status == CrewStatus.SIAGA.value
    assert numbers[first] not in crew.queue
    assert crew.queue == (numbers[third], numbers[second])
    assert crew.current_report == numbers[third]  # the next queued job is now current
    assert crew.queue_stages == ("penugasan", "penugasan")


def test_a_silent_crew_is_stale_unless_off_duty(db):
    silent, quiet_libur, fresh = factories.crew_ids(db)[:3]
    with db.transaction() as session:
        for crew_id in (silent, quiet_libur):
            session.get(Crew, crew_id).position_at = utc_now() - timedelta(minutes=75)
        session.get(Crew, quiet_libur).status = CrewStatus.LIBUR.value
        session.get(Crew, fresh).position_at = utc_now() - timedelta(minutes=5)
    by_id = {c.id: c for c in _crews(db)}
    assert by_id[silent].stale and by_id[silent].silent_min == pytest.approx(75, abs=1)
    assert not by_id[quiet_libur].stale
    assert not by_id[fresh].stale
