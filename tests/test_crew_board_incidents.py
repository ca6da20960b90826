"""A padam meluas is one job for its crew: on the crew board and in dispatch proposals.

The core tests run on a SQLite file and on a fresh PostgreSQL database (``any_url``);
the card test on a SQLite file with a real (offscreen) Qt widget.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from comcen_desktop import geo
from comcen_desktop.domain import Category, CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Incident, Report, UlpArea, Village
from services import dispatch, incidents, intake, proposals, queries
from services.database import open_database
from services.placement import Placer

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
SIX = [(0, 0), (120, 40), (-150, 90), (60, -180), (-90, -120), (200, 150)]


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


def add(database, offsets, minutes) -> list[int]:
    """Lapor reports at (east, north) metres from a Pangkalpinang village, ``minutes``
    after T0."""
    with database.read() as session:
        lon0, lat0 = session.execute(
            select(Village.lon, Village.lat)
            .join(UlpArea, UlpArea.id == Village.ulp_id)
            .where(UlpArea.name == "Pangkalpinang", Village.lon.is_not(None))
            .order_by(Village.code)
        ).first()
    x0, y0 = geo.to_utm(lon0, lat0)
    ids = []
    with database.transaction() as session:
        placer = Placer(session)
        for (east, north), minute in zip(offsets, minutes, strict=True):
            lon, lat = geo.to_lonlat(x0 + east, y0 + north)
            new = intake.NewReport(
                reported_at=T0 + timedelta(minutes=minute),
                lon=float(lon),
                lat=float(lat),
                category=Category.INDIVIDU,
            )
            ids.append(intake.create_report(session, placer, new, actor="tester").id)
    return ids


def crew_with_incident_and_single(database) -> tuple[int, int, str, int, str]:
    """A Siaga crew given a single report (reported first) and then an incident of six
    members: (crew id, incident id, incident number, single id, single number)."""
    with database.read() as session:
        crew_id = session.scalar(
            select(Crew.id).where(Crew.status == CrewStatus.SIAGA.value).order_by(Crew.id)
        )
    single = add(database, [(3000, 0)], minutes=[-30])[0]
    members = add(database, SIX, minutes=[0, 2, 4, 6, 8, 10])
    assert dispatch.assign_now(database, [single], crew_id, "op").ok
    with database.transaction() as session:
        incident = incidents.confirm(session, members, customers=120, actor="op", now=T0)
        incidents.assign_incident(session, incident, session.get(Crew, crew_id), "op", T0)
        incident_id, number = incident.id, incident.number
        single_number = session.get(Report, single).number
    return crew_id, incident_id, number, single, single_number


def move(database, incident_id: int, target: Stage, minutes: float) -> None:
    with database.transaction() as session:
        incident = session.get(Incident, incident_id)
        incidents.advance_incident(session, incident, target, T0 + timedelta(minutes=minutes), "op")


def crew_view(database, crew_id: int) -> queries.CrewView:
    with database.read() as session:
        return next(c for c in queries.load_crews(session) if c.id == crew_id)


def test_an_incident_counts_once_and_comes_first_by_its_stage(db):
    crew_id, incident_id, number, single, single_number = crew_with_incident_and_single(db)
    label = f"{number} (6 laporan)"

    # Both jobs wait in Penugasan: the older single report comes first.
    crew = crew_view(db, crew_id)
    assert number.startswith("PM")
    assert crew.queue == (single_number, label)
    assert crew.current_report == single_number
    assert crew.queue_sizes == (1, 6)
    assert crew.queue_incidents == (None, incident_id)
    assert crew.status == CrewStatus.SIAGA.value

    # On its way the incident is what the crew is furthest along with.
    move(db, incident_id, Stage.PERJALANAN, 12)
    crew = crew_view(db, crew_id)
    assert crew.queue == (label, single_number)
    assert crew.current_report == label
    assert crew.queue_stages == ("perjalanan", "penugasan")
    assert crew.queue_incidents == (incident_id, None)
    assert crew.queue_ids[1] == single
    assert crew.status == CrewStatus.PERJALANAN.value


def test_crew_status_follows_the_incident_stage_as_for_a_single_job(db):
    crew_id, incident_id, _number, _single, single_number = crew_with_incident_and_single(db)

    move(db, incident_id, Stage.PERJALANAN, 12)
    move(db, incident_id, Stage.PENGERJAAN, 25)
    working = crew_view(db, crew_id)
    move(db, incident_id, Stage.NYALA, 70)
    restored = crew_view(db, crew_id)

    assert working.status == CrewStatus.BEKERJA.value
    assert working.queue_stages == ("pengerjaan", "penugasan")
    # Power back: the crew is free again; its other job has not been set off for.
    assert restored.status == CrewStatus.SIAGA.value
    assert restored.queue_stages == ("penugasan", "nyala")
    assert restored.current_report == single_number


def test_proposals_queue_wait_counts_an_incident_once(db):
    crew_id, incident_id, *_ = crew_with_incident_and_single(db)
    move(db, incident_id, Stage.PERJALANAN, 12)
    probe = add(db, [(500, 500)], minutes=[20])[0]

    with db.read() as session:
        snapshot = proposals.load_snapshot(session, T0 + timedelta(minutes=21))
        ranked = proposals.rank_crews(session, probe, T0 + timedelta(minutes=21))
    index = next(i for i, c in enumerate(snapshot.crews) if c.id == crew_id)
    proposal = next(p for p in ranked if p.crew.id == crew_id)

    # Settings: perjalanan 25 + penugasan 35 minutes, not 6 × 25 + 35.
    assert float(snapshot.wait_min[index]) == pytest.approx(60.0)
    assert proposal.queue_len == 2
    assert proposal.queue_wait_min == pytest.approx(60.0)


def test_crew_card_shows_the_incident_as_one_job(qtbot, database):
    from ui.crew_board import QtCrewCard

    crew_id, incident_id, number, single, single_number = crew_with_incident_and_single(database)
    card = QtCrewCard(crew_view(database, crew_id), lambda _ids, _crew: None)
    qtbot.addWidget(card)
    assert card.job.text() == f"▶ {single_number} (+1 antre)"
    # Only the single report can be taken back; the incident moves as a whole.
    assert card.undoable_jobs() == [(single, single_number)]

    move(database, incident_id, Stage.PERJALANAN, 12)
    card.update_crew(crew_view(database, crew_id))

    assert card.job.text() == f"▶ {number} (6 laporan) (+1 antre)"
    assert "Dalam perjalanan" in card.title.text()
    assert f"{number} (6 laporan)<br>{single_number}" in card.toolTip()
    assert card.undoable_jobs() == [(single, single_number)]
