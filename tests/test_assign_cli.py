"""`comcen assign` and two processes racing for the same 200 reports (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select

from comcen_desktop.domain import CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Event, Report, ReportStage
from services import queries
from services.database import open_database
from tests import factories

REPORTS = 200


def comcen(url: str, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COMCEN_HOME=str(home), COMCEN_USER="script")
    return subprocess.run(
        [sys.executable, "-m", "comcen_desktop", "--db", url, *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def numbers(database, ids) -> list[str]:
    with database.read() as session:
        by_id = {v.id: v.number for v in queries.load_reports(session, ids)}
    return [by_id[i] for i in ids]


def crew_codes(database, n: int) -> list[tuple[int, str, str]]:
    with database.read() as session:
        rows = session.execute(
            select(Crew.id, Crew.code, Crew.name)
            .where(Crew.status == CrewStatus.SIAGA.value)
            .order_by(Crew.id)
            .limit(n)
        ).all()
    return [tuple(r) for r in rows]


def test_assign_exit_codes(any_url, tmp_path):
    database = open_database(any_url)
    try:
        first, closed = factories.add_reports(database, 2)
        factories.close_report(database, closed)
        (a_id, a_code, a_name), (_b_id, _b_code, b_name) = crew_codes(database, 2)
        first_no, closed_no = numbers(database, [first, closed])
    finally:
        database.dispose()

    stored = comcen(any_url, "assign", first_no, a_code, home=tmp_path)
    assert stored.returncode == 0, stored.stderr
    assert a_name in stored.stdout

    again = comcen(any_url, "assign", first_no, a_code, home=tmp_path)
    assert again.returncode == 0, "asking twice for what is so is not a failure"

    taken = comcen(any_url, "assign", first_no, b_name, home=tmp_path)
    assert taken.returncode == 3
    lines = taken.stderr.strip().splitlines()
    assert len(lines) == 1 and a_name in lines[0]

    for args in ((closed_no, a_code), ("LP-NOPE", a_code), (first_no, "NO-SUCH-CREW")):
        invalid = comcen(any_url, "assign", *args, home=tmp_path)
        assert invalid.returncode == 4, invalid.stderr
        assert len(invalid.stderr.strip().splitlines()) == 1

    database = open_database(any_url)
    try:
        with database.read() as session:
            report = session.get(Report, first)
            assert (report.stage, report.crew_id) == (Stage.PENUGASAN.value, a_id)
            events = session.scalars(
                select(Event).where(Event.kind == "assign", Event.entity_id == first)
            ).all()
            assert [e.actor for e in events] == ["script"]
    finally:
        database.dispose()


def test_a_vague_crew_name_lists_the_candidates_and_a_missing_file_is_refused(sqlite_url, tmp_path):
    database = open_database(sqlite_url)
    try:
        (first,) = factories.add_reports(database, 1)
        (number,) = numbers(database, [first])
    finally:
        database.dispose()

    plain = comcen(sqlite_url, "assign", number, "Regu Koba 1", home=tmp_path)
    assert plain.returncode == 0, plain.stderr  # the name without "(mobil)"

    vague = comcen(sqlite_url, "assign", number, "mentok", home=tmp_path)
    assert vague.returncode == 4
    assert "MENTOK-1" in vague.stderr and "MENTOK-2" in vague.stderr

    missing = comcen(f"sqlite:///{tmp_path / 'typo.db'}", "assign", number, "KOBA-1",
                     home=tmp_path)  # fmt: skip
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert not (tmp_path / "typo.db").exists()


# Each racer is a separate process: its own interpreter, engine and connections. It
# assigns every report to its own crew through the same service as `comcen assign`
# (starting 400 interpreters would test process start-up, not the race).
RACER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from services import dispatch
    from services.database import open_database

    url, crew, go, out = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    numbers = json.loads(sys.stdin.read())
    database = open_database(url)
    while not go.exists():
        time.sleep(0.01)
    with out.open("w") as handle:
        for number in numbers:
            outcome = dispatch.assign_by_reference(database, number, crew, "racer-" + crew)
            handle.write(json.dumps([number, outcome.kind, outcome.message]) + "\\n")
    database.dispose()
    """
)


def test_two_processes_race_for_the_same_200_reports(any_url, tmp_path):
    database = open_database(any_url)
    try:
        ids = factories.add_reports(database, REPORTS)
        report_numbers = numbers(database, ids)
        assert len(set(report_numbers)) == REPORTS
        racers = crew_codes(database, 2)
    finally:
        database.dispose()

    go = tmp_path / "go"
    env = dict(os.environ, COMCEN_HOME=str(tmp_path))
    processes = []
    for index, (_id, code, _name) in enumerate(racers):
        # Opposite orders would make the two meet only in the middle; the same order
        # makes them fight over nearly every report.
        order = report_numbers
        out = tmp_path / f"racer{index}.jsonl"
        process = subprocess.Popen(
            [sys.executable, "-c", RACER, any_url, code, str(go), str(out)],
            stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        process.stdin.write(json.dumps(order))
        process.stdin.close()
        processes.append((process, out))
    time.sleep(1.0)  # both have opened the database and wait for the start
    go.touch()
    for process, _out in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read()

    outcomes = {}
    for (_id, code, _name), (_process, out) in zip(racers, processes, strict=True):
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(lines) == REPORTS
        outcomes[code] = {number: (kind, message) for number, kind, message in lines}

    database = open_database(any_url)
    try:
        with database.read() as session:
            crews_by_id = {c.id: c for c in session.scalars(select(Crew))}
            rows = session.execute(
                select(Report.number, Report.id, Report.crew_id, Report.stage).where(
                    Report.id.in_(ids)
                )
            ).all()
            assign_events = dict(
                session.execute(
                    select(Event.entity_id, func.count())
                    .where(Event.kind == "assign", Event.entity_id.in_(ids))
                    .group_by(Event.entity_id)
                ).all()
            )
            penugasan_rows = session.scalar(
                select(func.count())
                .select_from(ReportStage)
                .where(ReportStage.report_id.in_(ids), ReportStage.stage == "penugasan")
            )
    finally:
        database.dispose()

    assert penugasan_rows == REPORTS
    wins = {code: 0 for _id, code, _n in racers}
    for number, report_id, crew_id, stage in rows:
        assert stage == Stage.PENUGASAN.value
        winner = crews_by_id[crew_id]
        assert assign_events.get(report_id) == 1, number  # one assignment, one event
        for _id, code, _name in racers:
            kind, message = outcomes[code][number]
            if code == winner.code:
                assert kind == "stored", (number, message)
                wins[code] += 1
            else:
                # The loser was told, naming the crew that got there first.
                assert kind == "taken", (number, kind, message)
                assert winner.name in message and "\\n" not in message
    assert sum(wins.values()) == REPORTS
