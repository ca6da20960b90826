"""Replaying a history file: the same reports, shifted in time, through intake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from comcen_desktop.storage.models import Event, Report, ReportStage
from comcen_desktop.timeutil import WIB
from services import replay
from services.database import open_database

SF_FILE = Path(__file__).parents[1] / "data" / "real" / "sf_fire_calls_2020-04-07_to_2020-04-20.csv"

# An APKT-style export: `;`, dd/mm/yyyy, WIB; one row cancelled, one never answered.
APKT_ROWS = [
    ("no_laporan", "waktu_lapor", "waktu_response", "waktu_recovery", "status", "idpel"),
    ("A-1", "03/02/2021 08:00", "03/02/2021 08:18", "03/02/2021 08:40", "Selesai", "123456789012"),
    ("A-2", "03/02/2021 08:30", "03/02/2021 08:52", "03/02/2021 09:05", "Nyala", "123456789013"),
    ("A-3", "03/02/2021 09:10", "", "", "Batal", "123456789014"),
    ("A-4", "03/02/2021 10:00", "", "", "", "123456789015"),
    ("A-5", "03/02/2021 11:45", "03/02/2021 12:01", "03/02/2021 12:30", "Selesai", "123456789016"),
    ("A-5", "03/02/2021 11:45", "03/02/2021 12:01", "03/02/2021 12:30", "Selesai", "123456789016"),
    ("A-6", "03/02/2021 12:00", "03/02/2021 11:00", "", "", "123456789017"),  # out of order
]
FIRST = datetime(2021, 2, 3, 8, 0, tzinfo=WIB)
START = datetime(2026, 1, 5, 7, 0, tzinfo=WIB)


@pytest.fixture
def apkt_file(tmp_path) -> Path:
    path = tmp_path / "apkt.csv"
    lines = [";".join(row) for row in APKT_ROWS]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


class FakeClock:
    """Wall time that moves only when the replay sleeps: no timing in the test."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def replayed_reports(database) -> dict[str, dict[str, datetime]]:
    with database.read() as session:
        rows = session.execute(
            select(Report.source_id, ReportStage.stage, ReportStage.at)
            .join(ReportStage, ReportStage.report_id == Report.id)
            .where(Report.source == "simulasi")
        ).all()
    found: dict[str, dict[str, datetime]] = {}
    for source_id, stage, at in rows:
        found.setdefault(source_id.split(":", 1)[1], {})[stage] = at
    return found


def test_reading_an_apkt_file_keeps_good_rows_once(database, apkt_file):
    with database.read() as session:
        rows, rejected = replay.read_history(session, apkt_file)
    assert [row.key for row in rows] == ["A-1", "A-2", "A-3", "A-4", "A-5"]
    assert [line for line, _reason in rejected] == [8]  # response before report
    assert rows[0].reported_at == FIRST.astimezone(UTC)


def test_a_replay_at_high_speed_gives_the_same_reports_shifted(database, apkt_file):
    with database.read() as session:
        rows, _rejected = replay.read_history(session, apkt_file)
    clock = FakeClock(START)
    summary = replay.replay(
        database, rows, start=START, speed=600, clock=clock, sleep=clock.sleep, tick_s=5
    )

    assert summary.replayed == 5 and summary.skipped == 0
    assert summary.offset == START - FIRST
    found = replayed_reports(database)
    assert set(found) == {"A-1", "A-2", "A-3", "A-4", "A-5"}
    shift = START - FIRST
    assert found["A-1"]["lapor"] == FIRST + shift
    assert found["A-1"]["pengerjaan"] == datetime(2021, 2, 3, 8, 18, tzinfo=WIB) + shift
    assert found["A-1"]["nyala"] == datetime(2021, 2, 3, 8, 40, tzinfo=WIB) + shift
    assert "batal" in found["A-3"] and "pengerjaan" not in found["A-3"]
    assert set(found["A-4"]) == {"lapor"}  # never answered: stays in Lapor
    # 4 h 30 min of history at 600× took 27 wall seconds of the fake clock.
    assert clock.now - START <= timedelta(seconds=27 + 5)


def test_replayed_reports_come_through_intake(database, apkt_file):
    with database.read() as session:
        rows, _rejected = replay.read_history(session, apkt_file)
    replay.replay(database, rows, start=START)
    with database.read() as session:
        created = session.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "create")
        )
        placed = session.scalars(select(Report.ulp_id).where(Report.source == "simulasi")).all()
    assert created == 5
    assert None not in placed  # every report got a place in Bangka


def test_replaying_the_same_start_twice_adds_nothing(database, apkt_file):
    with database.read() as session:
        rows, _rejected = replay.read_history(session, apkt_file)
    replay.replay(database, rows, start=START)
    again = replay.replay(database, rows, start=START)
    assert again.replayed == 0 and again.skipped == 5
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 5


def test_the_sf_fire_calls_are_read_as_history(database):
    with database.read() as session:
        rows, rejected = replay.read_history(session, SF_FILE)
    assert rejected == []
    assert len(rows) > 5000
    assert rows == sorted(rows, key=lambda r: (r.reported_at, r.key))
    assert sum("pengerjaan" in {s.value for s in row.stages} for row in rows) > 4000


def test_the_replay_command(sqlite_url, apkt_file, capsys):
    from comcen_desktop.cli import main

    code = main(["--db", sqlite_url, "replay", str(apkt_file), "--start", "2026-01-05T07:00"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "5 dari 5 laporan diputar ulang" in out
    assert "baris 8:" in err
    database = open_database(sqlite_url)
    try:
        assert len(replayed_reports(database)) == 5
    finally:
        database.dispose()


def test_a_fast_replay_without_start_never_stamps_the_future(database, apkt_file):
    from comcen_desktop.timeutil import utc_now

    with database.read() as session:
        rows, _rejected = replay.read_history(session, apkt_file)
    clock = FakeClock(utc_now())
    began = clock.now
    replay.replay(database, rows, speed=600, clock=clock, sleep=clock.sleep, tick_s=5)

    stamps = [at for stages in replayed_reports(database).values() for at in stages.values()]
    assert len(stamps) >= 5
    assert max(stamps) <= clock.now
    # 4 h 30 min of history at 600×: it started about 4 h 29.5 min before the run began.
    earliest = min(stamps)
    assert began - timedelta(hours=4, minutes=31) <= earliest <= began - timedelta(hours=4)
