"""Padam meluas on real databases: proposals, confirming, moving together, KPIs.

Every test runs on a SQLite file and on a fresh PostgreSQL database (``any_url``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop import geo
from comcen_desktop.domain import Category, CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Event, Incident, Report, UlpArea, Village
from services import incidents, intake, lifecycle
from services.database import open_database
from services.incidents import IncidentError
from services.kpi_engine import compute
from services.placement import Placer

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=30)


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


def centre(database) -> tuple[float, float]:
    """A village point in Pangkalpinang, well inside Bangka."""
    with database.read() as session:
        return session.execute(
            select(Village.lon, Village.lat)
            .join(UlpArea, UlpArea.id == Village.ulp_id)
            .where(UlpArea.name == "Pangkalpinang", Village.lon.is_not(None))
            .order_by(Village.code)
        ).first()


def add(
    database, offsets, base=None, minutes=None, category=Category.INDIVIDU, start=None
) -> list[int]:
    """Reports at (east, north) metres from ``base``, ``minutes`` after ``start`` (T0)."""
    start = start or T0
    lon0, lat0 = base or centre(database)
    x0, y0 = geo.to_utm(lon0, lat0)
    minutes = minutes or [2 * i for i in range(len(offsets))]
    ids = []
    with database.transaction() as session:
        placer = Placer(session)
        for (east, north), minute in zip(offsets, minutes, strict=True):
            lon, lat = geo.to_lonlat(x0 + east, y0 + north)
            new = intake.NewReport(
                reported_at=start + timedelta(minutes=minute),
                lon=float(lon),
                lat=float(lat),
                category=category,
            )
            ids.append(intake.create_report(session, placer, new, actor="tester").id)
    return ids


SIX = [(0, 0), (120, 40), (-150, 90), (60, -180), (-90, -120), (200, 150)]


def propose(database, now=NOW):
    with database.read() as session:
        return incidents.propose(session, now)


def confirm(database, ids, customers=None) -> int:
    with database.transaction() as session:
        incident = incidents.confirm(session, ids, customers=customers, actor="op", now=NOW)
        return incident.id


def test_six_reports_within_500_m_in_20_minutes_make_one_proposal(db):
    six = add(db, SIX, minutes=[0, 4, 8, 12, 16, 20])
    far = add(db, [(2000, 0)], minutes=[10])

    proposals = propose(db)

    assert len(proposals) == 1
    proposal = proposals[0]
    assert proposal.member_ids == tuple(sorted(six))
    assert far[0] not in proposal.member_ids
    assert proposal.first_at == T0
    assert proposal.last_at == T0 + timedelta(minutes=20)
    assert proposal.customers_hint == 6
    assert proposal.incident_id is None
    assert 100 <= proposal.radius_m <= 300
    lon0, lat0 = centre(db)
    assert geo.distance_m(proposal.lon, proposal.lat, lon0, lat0) < 100


def test_reports_40_minutes_apart_are_not_clustered(db):
    add(db, SIX[:4], minutes=[0, 40, 80, 120])

    assert propose(db, T0 + timedelta(hours=3)) == []


def test_keluhan_closed_and_too_few_reports_are_not_proposed(db):
    add(db, SIX[:3], category=Category.KELUHAN)
    add(db, SIX[3:5])  # two fault reports: fewer than incident.min_reports
    assert propose(db) == []


def test_dismissed_set_is_not_proposed_again_until_a_report_joins(db):
    ids = add(db, SIX[:4])
    with db.transaction() as session:
        row = incidents.dismiss(session, ids, actor="op", now=NOW)
        assert row.status == incidents.DITOLAK

    assert propose(db) == []

    newcomer = add(db, [(30, 30)], minutes=[9])
    proposals = propose(db)
    assert [p.member_ids for p in proposals] == [tuple(sorted(ids + newcomer))]


def test_confirm_links_members_and_logs_one_event(db):
    ids = add(db, SIX)
    with db.read() as session:
        events_before = session.scalar(select(func.count()).select_from(Event))

    incident_id = confirm(db, ids, customers=240)

    with db.read() as session:
        incident = session.get(Incident, incident_id)
        linked = session.scalars(select(Report.id).where(Report.incident_id == incident_id))
        assert sorted(linked) == sorted(ids)
        assert incident.status == "aktif"
        assert incident.stage == "lapor"
        assert incident.customers == 240
        assert incident.number == f"PM250602-{incident_id:05d}"
        assert incident.started_at == T0
        kinds = session.scalars(select(Event.kind).order_by(Event.seq))
        assert list(kinds)[events_before:] == ["incident_confirm"]
    assert propose(db) == []  # members are no longer candidates


def test_confirm_refuses_members_in_an_incident_closed_or_keluhan(db):
    ids = add(db, SIX[:3])
    keluhan = add(db, [(10, 10)], category=Category.KELUHAN)
    confirm(db, ids[:2])
    with db.transaction() as session:
        lifecycle.advance(session, session.get(Report, ids[2]), Stage.BATAL, NOW, "op", "uji")

    with db.transaction() as session, pytest.raises(IncidentError) as refused:
        incidents.confirm(session, ids + keluhan, customers=None, actor="op", now=NOW)

    text = str(refused.value)
    assert "sudah bagian dari padam meluas PM250602-" in text
    assert "sudah 'Batal'" in text
    assert "keluhan" in text
    assert len(refused.value.messages) == 4
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1


def test_confirm_refuses_a_bad_customer_count(db):
    ids = add(db, SIX[:3])
    with db.transaction() as session, pytest.raises(IncidentError, match="bilangan bulat"):
        incidents.confirm(session, ids, customers=0, actor="op", now=NOW)


def siaga_crew(database) -> int:
    with database.read() as session:
        return session.scalar(
            select(Crew.id).where(Crew.status == CrewStatus.SIAGA.value).order_by(Crew.id)
        )


def stages(database, ids) -> list[str]:
    with database.read() as session:
        return [session.get(Report, i).stage for i in ids]


def move(database, incident_id, target, minutes, note=None):
    with database.transaction() as session:
        incident = session.get(Incident, incident_id)
        at = T0 + timedelta(minutes=minutes)
        return incidents.advance_incident(session, incident, target, at, "op", note)


def test_members_move_together_through_the_stages(db):
    ids = add(db, SIX[:4])
    incident_id = confirm(db, ids, customers=100)
    crew_id = siaga_crew(db)
    with db.transaction() as session:
        incident, crew = session.get(Incident, incident_id), session.get(Crew, crew_id)
        result = incidents.assign_incident(
            session, incident, crew, "op", T0 + timedelta(minutes=10)
        )
        assert len(result.assigned) == 4

    assert stages(db, ids) == ["penugasan"] * 4
    move(db, incident_id, Stage.PERJALANAN, 12)
    move(db, incident_id, Stage.PENGERJAAN, 25)
    moved = move(db, incident_id, Stage.NYALA, 70)

    assert len(moved) == 4
    assert stages(db, ids) == ["nyala"] * 4
    with db.read() as session:
        assert session.get(Incident, incident_id).stage == "nyala"
        assert {session.get(Report, i).crew_id for i in ids} == {crew_id}


def test_a_member_cannot_move_on_its_own(db):
    ids = add(db, SIX[:3])
    confirm(db, ids)
    with db.transaction() as session, pytest.raises(lifecycle.StageError, match="padam meluas"):
        lifecycle.advance(session, session.get(Report, ids[0]), Stage.BATAL, NOW, "op", "x")

    from services import dispatch

    result = dispatch.assign_now(db, [ids[0]], siaga_crew(db), "op")
    assert not result.ok
    assert "padam meluas" in result.refused[0]
    assert stages(db, ids) == ["lapor"] * 3


def test_advance_incident_refuses_atomically_when_one_member_cannot_move(db):
    ids = add(db, SIX[:3])
    # One report is already on its way before the incident is confirmed.
    crew_id = siaga_crew(db)
    from services import dispatch

    assert dispatch.assign_now(db, [ids[0]], crew_id, "op").ok
    with db.transaction() as session:
        lifecycle.advance(session, session.get(Report, ids[0]), Stage.PERJALANAN, NOW, "op")
        lifecycle.advance(session, session.get(Report, ids[0]), Stage.PENGERJAAN, NOW, "op")
    incident_id = confirm(db, ids)

    with pytest.raises(IncidentError) as refused:
        move(db, incident_id, Stage.BATAL, 30, note="salah")

    assert len(refused.value.messages) == 1
    assert "'Dalam Pengerjaan' tidak bisa ke 'Batal'" in str(refused.value)
    assert stages(db, ids) == ["pengerjaan", "lapor", "lapor"]
    with db.read() as session:
        assert session.get(Incident, incident_id).status == "aktif"


def test_add_and_remove_member_and_joiner_proposal(db):
    ids = add(db, SIX[:3])
    incident_id = confirm(db, ids, customers=50)
    crew_id = siaga_crew(db)
    with db.transaction() as session:
        incident, crew = session.get(Incident, incident_id), session.get(Crew, crew_id)
        incidents.assign_incident(session, incident, crew, "op", NOW)
    move(db, incident_id, Stage.PERJALANAN, 31)
    late = add(db, [(300, 300)], minutes=[35])

    proposals = propose(db, T0 + timedelta(minutes=40))
    assert [(p.incident_id, p.member_ids) for p in proposals] == [(incident_id, tuple(late))]

    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        incidents.join(session, incident, late, "op", T0 + timedelta(minutes=40))
    assert stages(db, late) == ["perjalanan"]
    with db.read() as session:
        assert session.get(Incident, incident_id).member_ids == sorted(ids + late)
        assert session.get(Report, late[0]).crew_id == crew_id

    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        incidents.remove_member(session, incident, ids[0], "op", NOW)
    with db.read() as session:
        assert session.get(Report, ids[0]).incident_id is None
        assert session.get(Incident, incident_id).member_ids == sorted(ids[1:] + late)


def restore(database, ids, nyala_min, customers=None) -> int:
    """Confirm ``ids`` as one incident and take it to Nyala ``nyala_min`` after T0."""
    incident_id = confirm(database, ids, customers=customers)
    with database.transaction() as session:
        incident = session.get(Incident, incident_id)
        crew = session.get(Crew, siaga_crew(database))
        incidents.assign_incident(session, incident, crew, "op", T0 + timedelta(minutes=5))
    move(database, incident_id, Stage.PERJALANAN, 6)
    move(database, incident_id, Stage.PENGERJAAN, 20)
    move(database, incident_id, Stage.NYALA, nyala_min)
    return incident_id


def test_kpi_counts_an_incident_once_with_its_customers(db):
    ids = add(db, SIX[:4], minutes=[0, 3, 6, 9])
    restore(db, ids, nyala_min=60, customers=300)
    with db.transaction() as session:
        session.execute(UlpArea.__table__.update().values(customers=10_000))

    with db.read() as session:
        figures = compute(session, T0, T0 + timedelta(days=1), now=T0 + timedelta(hours=2)).overall

    assert figures.reports == 4
    assert figures.incidents == 1
    assert figures.customers_interrupted == 300
    # Timed from the first member's report (T0) to Nyala at +60 min.
    assert figures.customer_minutes == pytest.approx(300 * 60)
    assert figures.saifi == pytest.approx(300 / 50_000)
    assert figures.saidi_min == pytest.approx(300 * 60 / 50_000)
    assert figures.caidi_min == pytest.approx(60)
    # RPT and RCT once per incident, from its first report: 20 and 60 minutes.
    assert figures.rpt_count == 1
    assert figures.rpt_mean_min == pytest.approx(20)
    assert figures.rct_count == 1
    assert figures.rct_mean_min == pytest.approx(60)


def test_kpi_without_incident_customers_uses_members_count(db):
    ids = add(db, SIX[:3], minutes=[0, 3, 6])
    restore(db, ids, nyala_min=45)

    with db.read() as session:
        figures = compute(session, T0, T0 + timedelta(days=1), now=T0 + timedelta(hours=2)).overall

    assert figures.incidents == 1
    assert figures.customers_interrupted == 3
    assert figures.customer_minutes == pytest.approx(3 * 45)
