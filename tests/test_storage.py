"""Storage on real databases: migration, first-start seeding, UTC times, the event log.

Every test that takes ``any_url`` runs on a SQLite file and on a fresh PostgreSQL
database (see tests/pg_cluster.py).
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from comcen_desktop import paths
from comcen_desktop.domain import Stage
from comcen_desktop.storage import engine as storage
from comcen_desktop.storage.models import (
    Crew,
    District,
    Event,
    KpiTarget,
    Posko,
    Report,
    ReportStage,
    Setting,
    UlpArea,
    Village,
)
from comcen_desktop.timeutil import WIB
from services import dispatch, intake, lifecycle, seed
from services.database import open_database
from services.placement import Placer

DATA_DIR = paths.bundled_data_dir()
ULP_NAMES = {"Pangkalpinang", "Sungailiat", "Mentok", "Koba", "Toboali"}
SEEDED_TABLES = (UlpArea, District, Village, Posko, Crew, KpiTarget, Setting, Event)


def expected_organisation(data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Posko and crews that organization.json implies, with the seed's stated assumptions.

    A null vehicle count falls back to the assumptions services.seed stores as settings.
    """
    org = json.loads((data_dir / "organization.json").read_text(encoding="utf-8"))
    posko = crews = 0
    for ulp in org["ulps"]:
        stations = len(ulp.get("posko", []))
        posko += stations
        if not stations:
            continue
        cars = ulp.get("cars")
        bikes = ulp.get("motorbikes")
        crews += cars if cars is not None else seed.ASSUMED_CARS_PER_POSKO * stations
        crews += bikes if bikes is not None else seed.ASSUMED_MOTORBIKES
    if org.get("command_center", {}).get("p2d_posko"):
        posko += 1
        crews += seed.P2D_CARS
    return posko, crews


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def counts(database) -> dict[str, int]:
    with database.read() as session:
        return {model.__tablename__: count(session, model) for model in SEEDED_TABLES}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    """A database nobody has opened yet (no schema, no data)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


def first_village_point(session) -> tuple[float, float]:
    village = session.scalars(
        select(Village).where(Village.lat.is_not(None)).order_by(Village.code)
    ).first()
    return village.lon, village.lat


# --- migration and seeding -------------------------------------------------------------


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from comcen_desktop.storage.engine import MIGRATIONS_DIR

    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1, f"the migrations must have one head, not {heads}"
    return heads[0]


def test_open_database_migrates_and_seeds(empty_url):
    database = open_database(empty_url)
    try:
        with database.read() as session:
            version = session.scalar(text("SELECT version_num FROM alembic_version"))
            assert version == head_revision()
            assert set(session.scalars(select(UlpArea.name))) == ULP_NAMES
            assert count(session, UlpArea) == 5
            assert count(session, District) == 35
            assert count(session, Village) == 305
            posko, crews = expected_organisation()
            assert count(session, Posko) == posko
            assert count(session, Crew) == crews
            assert count(session, Posko) == len(set(session.scalars(select(Posko.name))))
            # Every district and village hangs off a seeded area.
            assert (
                session.scalar(
                    select(func.count()).select_from(Village).where(Village.ulp_id.is_(None))
                )
                == 0
            )
            seeds = session.scalars(select(Event).where(Event.kind == "seed")).all()
            assert len(seeds) == 1
            assert seeds[0].after["villages"] == 305
            assert seeds[0].after["crews"] == crews
    finally:
        database.dispose()


def test_second_open_does_not_seed_twice(any_url):
    first = open_database(any_url)
    before = counts(first)
    first.dispose()

    second = open_database(any_url)
    try:
        assert counts(second) == before
        with second.read() as session:
            assert count(session, UlpArea) == 5
            kinds = list(session.scalars(select(Event.kind)))
            assert kinds.count("seed") == 1
    finally:
        second.dispose()


def test_expected_organisation_follows_the_json(tmp_path):
    # The expectation is computed, not copied: one more car in the JSON, one more crew.
    copy = tmp_path / "bangka"
    shutil.copytree(DATA_DIR, copy)
    org = json.loads((copy / "organization.json").read_text(encoding="utf-8"))
    org["ulps"][0]["cars"] += 1
    (copy / "organization.json").write_text(json.dumps(org), encoding="utf-8")
    assert expected_organisation(copy)[1] == expected_organisation()[1] + 1

    database = open_database(f"sqlite:///{tmp_path / 'x.db'}", data_dir=copy)
    try:
        with database.read() as session:
            assert count(session, Crew) == expected_organisation(copy)[1]
    finally:
        database.dispose()


# --- seeding is all or nothing -------------------------------------------------------


def corrupt_village_latitude(data_dir: Path, data_row: int) -> int:
    """Put a non-numeric latitude in one villages.csv row; returns its line number."""
    path = data_dir / "villages.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = list(reader)
    rows[data_row]["latitude"] = "-2,1x"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return data_row + 2  # line 1 is the header


def assert_nothing_seeded(url: str) -> None:
    engine = storage.make_engine(url)
    try:
        with engine.connect() as conn:
            for model in SEEDED_TABLES:
                table = model.__tablename__
                rows = conn.scalar(text(f"SELECT count(*) FROM {table}"))
                assert rows == 0, f"{table} kept {rows} rows after a failed seed"
    finally:
        engine.dispose()


def test_seed_error_in_villages_names_file_and_row_and_loads_nothing(empty_url, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(DATA_DIR, broken)
    line = corrupt_village_latitude(broken, data_row=150)

    with pytest.raises(seed.SeedError) as caught:
        open_database(empty_url, data_dir=broken)
    message = str(caught.value)
    assert "villages.csv" in message
    assert f"row {line}" in message
    assert "latitude" in message
    assert_nothing_seeded(empty_url)

    # The failed first start left no half-seeded database: the good data still loads.
    database = open_database(empty_url)
    try:
        with database.read() as session:
            assert count(session, UlpArea) == 5
            assert count(session, Village) == 305
    finally:
        database.dispose()


def test_seed_error_late_in_organisation_rolls_back_everything(empty_url, tmp_path):
    # Areas, districts, villages and the first posko are already flushed when this fails.
    broken = tmp_path / "broken"
    shutil.copytree(DATA_DIR, broken)
    org = json.loads((broken / "organization.json").read_text(encoding="utf-8"))
    org["ulps"][-1]["name"] = "Atlantis"
    (broken / "organization.json").write_text(json.dumps(org), encoding="utf-8")

    with pytest.raises(seed.SeedError, match=r"organization\.json.*Atlantis"):
        open_database(empty_url, data_dir=broken)
    assert_nothing_seeded(empty_url)


# --- times -------------------------------------------------------------------------


def test_times_round_trip_as_aware_utc(any_url):
    reported = datetime(2025, 3, 9, 23, 45, 12, 345678, tzinfo=WIB)  # 16:45 UTC
    database = open_database(any_url)
    with database.transaction() as session:
        lon, lat = first_village_point(session)
        report = intake.create_report(
            session,
            Placer(session),
            intake.NewReport(reported_at=reported, lon=lon, lat=lat),
            actor="tester",
        )
        report_id = report.id
    database.dispose()

    reopened = open_database(any_url)  # a restart: nothing cached survives
    try:
        with reopened.read() as session:
            stored = session.get(Report, report_id).reported_at
            assert stored.tzinfo is not None
            assert stored.utcoffset() == timedelta(0)
            assert stored == reported
            assert (stored.hour, stored.minute, stored.microsecond) == (16, 45, 345678)

            stage_at = session.scalar(
                select(ReportStage.at).where(ReportStage.report_id == report_id)
            )
            assert stage_at == reported and stage_at.utcoffset() == timedelta(0)

            event_at = session.scalar(select(Event.at).order_by(Event.seq.desc()))
            assert event_at.utcoffset() == timedelta(0)
            assert abs(datetime.now(UTC) - event_at) < timedelta(minutes=5)

            # The instant itself is stored in UTC, not in the server's zone.
            if reopened.is_sqlite:
                raw = session.scalar(
                    text("SELECT reported_at FROM report WHERE id = :id"), {"id": report_id}
                )
                assert str(raw).startswith("2025-03-09 16:45:12")
            else:
                raw = session.scalar(
                    text("SELECT reported_at AT TIME ZONE 'UTC' FROM report WHERE id = :id"),
                    {"id": report_id},
                )
                assert raw == datetime(2025, 3, 9, 16, 45, 12, 345678)
    finally:
        reopened.dispose()


def test_naive_datetime_is_refused(db):
    with pytest.raises(Exception, match="naive datetime"), db.transaction() as session:
        lon, lat = first_village_point(session)
        intake.create_report(
            session,
            Placer(session),
            intake.NewReport(reported_at=datetime(2025, 1, 1, 8, 0), lon=lon, lat=lat),
            actor="tester",
        )
    with db.read() as session:
        assert count(session, Report) == 0


# --- the event log -----------------------------------------------------------------


def last_events(database, after_seq: int) -> list[Event]:
    with database.read() as session:
        return list(session.scalars(select(Event).where(Event.seq > after_seq).order_by(Event.seq)))


def test_event_log_gets_one_row_per_change(db):
    with db.read() as session:
        start = session.scalar(select(func.max(Event.seq)))
        crew_id = session.scalar(select(Crew.id).order_by(Crew.id))
    assert start is not None  # the seed event

    with db.transaction() as session:
        lon, lat = first_village_point(session)
        report = intake.create_report(
            session,
            Placer(session),
            intake.NewReport(reported_at=datetime.now(UTC), lon=lon, lat=lat),
            actor="tester",
        )
        report_id = report.id
    created = last_events(db, start)
    assert [(e.kind, e.entity, e.entity_id) for e in created] == [("create", "report", report_id)]
    assert created[0].after["stage"] == Stage.LAPOR.value
    assert created[0].actor == "tester"

    result = dispatch.assign_now(db, [report_id], crew_id, "tester")
    assert result.ok, result.refused
    assigned = last_events(db, created[-1].seq)
    assert [e.kind for e in assigned] == ["assign"]
    assert assigned[0].before["stage"] == Stage.LAPOR.value
    assert assigned[0].after["stage"] == Stage.PENUGASAN.value

    with db.transaction() as session:
        lifecycle.advance(
            session,
            session.get(Report, report_id),
            Stage.PERJALANAN,
            datetime.now(UTC),
            "t",
        )
    moved = last_events(db, assigned[-1].seq)
    assert [e.kind for e in moved] == ["stage"]
    assert moved[0].after["stage"] == Stage.PERJALANAN.value

    # A refused change is no change: no row.
    refused = dispatch.assign_now(db, [report_id], crew_id, "tester")
    assert refused.refused
    assert last_events(db, moved[-1].seq) == []

    # Sequence numbers only grow, so consoles can follow the log.
    seqs = [e.seq for e in created + assigned + moved]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


# --- SQLite defaults -----------------------------------------------------------------


def test_sqlite_default_uses_wal_and_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("COMCEN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COMCEN_DB", raising=False)
    database = open_database()  # no URL: the embedded default in the user's folder
    try:
        assert database.is_sqlite
        assert Path(database.engine.url.database) == tmp_path / "home" / "comcen.db"
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert timeout == storage.SQLITE_BUSY_TIMEOUT_MS
            assert timeout >= 1000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.dispose()
