"""Dispatch on real databases: one transaction per assignment, refusals, lost races.

Every test runs on a SQLite file and on a fresh PostgreSQL database (``any_url``).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from comcen_desktop.domain import CREW_STATUS_LABELS, STAGE_LABELS, CrewStatus, Stage
from comcen_desktop.storage.models import Crew, Event, Report, ReportStage, Village
from services import dispatch, events, intake, lifecycle, queries
from services.database import open_database
from services.placement import Placer

T0 = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def db(any_url):
    database = open_database(any_url)
    yield database
    database.dispose()


@dataclass(frozen=True)
class State:
    stage: str
    crew_id: int | None
    version: int
    stage_rows: tuple[str, ...]


def make_reports(database, n: int) -> list[int]:
    with database.transaction() as session:
        placer = Placer(session)
        villages = session.scalars(
            select(Village).where(Village.lat.is_not(None)).order_by(Village.code).limit(n)
        ).all()
        assert len(villages) == n
        ids = []
        for i, village in enumerate(villages):
            new = intake.NewReport(
                reported_at=T0 + timedelta(minutes=i), lon=village.lon, lat=village.lat
            )
            ids.append(intake.create_report(session, placer, new, actor="intake").id)
    return ids


def siaga_crews(database, n: int) -> list[tuple[int, str]]:
    with database.read() as session:
        crews = session.execute(
            select(Crew.id, Crew.name)
            .where(Crew.status == CrewStatus.SIAGA.value)
            .order_by(Crew.id)
            .limit(n)
        ).all()
    assert len(crews) == n
    return [tuple(row) for row in crews]


def state(database, report_id: int) -> State:
    with database.read() as session:
        report = session.get(Report, report_id)
        rows = session.scalars(
            select(ReportStage.stage)
            .where(ReportStage.report_id == report_id)
            .order_by(ReportStage.stage)
        )
        return State(report.stage, report.crew_id, report.version, tuple(rows))


def last_seq(database) -> int:
    with database.read() as session:
        return events.last_seq(session)


def assign_events(database, report_id: int) -> list[Event]:
    with database.read() as session:
        return list(
            session.scalars(
                select(Event)
                .where(Event.kind == "assign", Event.entity_id == report_id)
                .order_by(Event.seq)
            )
        )


def version_of(database, report_id: int) -> int:
    # What a console shows, and so what it sends back as the expected version.
    with database.read() as session:
        (view,) = queries.load_reports(session, [report_id])
        return view.version


# --- a good assignment -----------------------------------------------------------------


def test_assignment_is_stored_and_survives_a_restart(any_url):
    database = open_database(any_url)
    (report_id,) = make_reports(database, 1)
    ((crew_id, crew_name),) = siaga_crews(database, 1)
    before = state(database, report_id)
    seq = last_seq(database)
    assert before.stage == Stage.LAPOR.value and before.crew_id is None

    result = dispatch.assign_now(
        database, [report_id], crew_id, "op1", expected_versions={report_id: before.version}
    )
    assert result.ok, result.refused
    assert len(result.assigned) == 1
    database.dispose()

    restarted = open_database(any_url)
    try:
        after = state(restarted, report_id)
        assert after.stage == Stage.PENUGASAN.value
        assert after.crew_id == crew_id
        assert after.version == before.version + 1
        assert after.stage_rows == ("lapor", "penugasan")
        (event,) = [e for e in _events_after(restarted, seq)]
        assert (event.kind, event.entity, event.entity_id) == (
            "assign",
            "report",
            report_id,
        )
        assert event.actor == "op1"
        assert event.before["stage"] == Stage.LAPOR.value
        assert event.after["stage"] == Stage.PENUGASAN.value
        assert event.after["crew"] == crew_name
        with restarted.read() as session:
            row = session.scalar(
                select(ReportStage).where(
                    ReportStage.report_id == report_id, ReportStage.stage == "penugasan"
                )
            )
            assert row.actor == "op1" and row.note == crew_name
            assert row.at.utcoffset() == timedelta(0)
            (crew_view,) = [c for c in queries.load_crews(session) if c.id == crew_id]
        assert crew_view.queue == (result.assigned[0],)
    finally:
        restarted.dispose()


def _events_after(database, seq: int) -> list[Event]:
    with database.read() as session:
        return list(events.events_after(session, seq))


def test_assignment_is_one_transaction(db, monkeypatch):
    # If the event cannot be written, the stage, crew and stage row are not either.
    (report_id,) = make_reports(db, 1)
    ((crew_id, _),) = siaga_crews(db, 1)
    before, seq = state(db, report_id), last_seq(db)

    def broken_record(*args, **kwargs):
        raise RuntimeError("event log unavailable")

    monkeypatch.setattr(dispatch.events, "record", broken_record)
    with pytest.raises(RuntimeError, match="event log unavailable"):
        dispatch.assign_now(db, [report_id], crew_id, "op1")
    monkeypatch.undo()

    assert state(db, report_id) == before
    assert last_seq(db) == seq


# --- refusals change nothing --------------------------------------------------------


def _close(database, report_id: int, crew_id: int, how: str) -> None:
    if how == "batal":
        with database.transaction() as session:
            lifecycle.advance(session, session.get(Report, report_id), Stage.BATAL, T0, "op")
        return
    assert dispatch.assign_now(database, [report_id], crew_id, "op").ok
    with database.transaction() as session:
        report = session.get(Report, report_id)
        for minutes, stage in enumerate(
            [Stage.PERJALANAN, Stage.PENGERJAAN, Stage.NYALA, Stage.SELESAI], start=5
        ):
            lifecycle.advance(session, report, stage, T0 + timedelta(minutes=minutes), "op")


@pytest.mark.parametrize("case", ["selesai", "batal", "libur"])
def test_invalid_assignment_changes_nothing(db, case):
    (report_id,) = make_reports(db, 1)
    (first_crew, second_crew) = siaga_crews(db, 2)
    if case == "libur":
        with db.transaction() as session:
            session.get(Crew, second_crew[0]).status = CrewStatus.LIBUR.value
        expected_reason = CREW_STATUS_LABELS[CrewStatus.LIBUR]
    else:
        _close(db, report_id, first_crew[0], case)
        expected_reason = STAGE_LABELS[Stage(case)]

    before, seq = state(db, report_id), last_seq(db)
    assert before.stage == (Stage.LAPOR.value if case == "libur" else case)

    result = dispatch.assign_now(
        db,
        [report_id],
        second_crew[0],
        "op2",
        expected_versions={report_id: before.version},
    )
    assert not result.ok
    assert result.assigned == []
    assert len(result.refused) == 1
    assert expected_reason in result.refused[0]

    assert state(db, report_id) == before
    assert last_seq(db) == seq
    with db.read() as session:
        assert session.get(Crew, second_crew[0]).status == (
            CrewStatus.LIBUR.value if case == "libur" else CrewStatus.SIAGA.value
        )


def test_multi_report_assignment_with_one_bad_report_stores_nothing(db):
    report_ids = make_reports(db, 3)
    ((crew_id, _), (other_crew, _)) = siaga_crews(db, 2)
    bad = report_ids[1]
    with db.transaction() as session:
        lifecycle.advance(session, session.get(Report, bad), Stage.BATAL, T0, "op")
    before = {rid: state(db, rid) for rid in report_ids}
    seq = last_seq(db)

    result = dispatch.assign_now(db, report_ids, crew_id, "op")
    assert not result.ok
    assert result.assigned == []
    assert len(result.refused) == 1 and STAGE_LABELS[Stage.BATAL] in result.refused[0]

    assert {rid: state(db, rid) for rid in report_ids} == before
    assert last_seq(db) == seq
    with db.read() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Report).where(Report.crew_id == crew_id)
            )
            == 0
        )

    # Without the bad one, the same drop goes through as a whole.
    good = [report_ids[0], report_ids[2]]
    assert dispatch.assign_now(db, good, other_crew, "op").ok
    assert [state(db, rid).crew_id for rid in good] == [other_crew, other_crew]
    assert len(_events_after(db, seq)) == 2


# --- two consoles -------------------------------------------------------------------


@pytest.fixture
def two_consoles(any_url):
    first = open_database(any_url)
    second = open_database(any_url)  # its own engine and connections
    assert first.engine is not second.engine
    yield first, second
    first.dispose()
    second.dispose()


def test_two_consoles_race_one_winner(two_consoles):
    console_a, console_b = two_consoles
    (report_id,) = make_reports(console_a, 1)
    (crew_a, crew_b) = siaga_crews(console_a, 2)

    # Both consoles show the report at the same version.
    version_a, version_b = (
        version_of(console_a, report_id),
        version_of(console_b, report_id),
    )
    assert version_a == version_b

    won = dispatch.assign_now(
        console_a, [report_id], crew_a[0], "op-a", expected_versions={report_id: version_a}
    )
    lost = dispatch.assign_now(
        console_b, [report_id], crew_b[0], "op-b", expected_versions={report_id: version_b}
    )
    assert won.ok, won.refused
    assert not lost.ok and lost.assigned == []
    assert len(lost.refused) == 1
    assert crew_a[1] in lost.refused[0]
    assert crew_b[1] not in lost.refused[0]

    for console in (console_a, console_b):
        final = state(console, report_id)
        assert final.crew_id == crew_a[0]
        assert final.version == version_a + 1
        assert len(assign_events(console, report_id)) == 1


@pytest.fixture
def two_pg_consoles(pg_url):
    # On SQLite every write transaction holds the file's write lock from BEGIN
    # (IMMEDIATE, services.database), so A cannot commit inside B's transaction there:
    # this interleaving only exists on PostgreSQL.
    first, second = open_database(pg_url), open_database(pg_url)
    yield first, second
    first.dispose()
    second.dispose()


@pytest.mark.parametrize("window", ["before_load", "before_update"])
def test_race_lost_midway_names_the_winner(two_pg_consoles, monkeypatch, window):
    """Console A commits while console B is inside its own assign_now.

    before_load: after B opened its transaction, before B loads the report it updates
    (B must compare the version it then sees with the console's). before_update: after
    B loaded and checked the report, before B's UPDATE (which must match no row).
    """
    console_a, console_b = two_pg_consoles
    (report_id,) = make_reports(console_a, 1)
    (crew_a, crew_b) = siaga_crews(console_a, 2)
    version = version_of(console_b, report_id)
    outcome: dict[str, dispatch.AssignResult | None] = {}

    def let_a_win() -> None:
        if not outcome:  # only once, in B's transaction, not in A's nested one
            outcome["a"] = None
            outcome["a"] = dispatch.assign_now(
                console_a, [report_id], crew_a[0], "op-a", {report_id: version}
            )

    if window == "before_load":
        original_get_crew = dispatch.Session.get

        def get_then_lose(self, entity, ident, *args, **kwargs):
            if entity is Crew and self.bind is console_b.engine:
                let_a_win()
            return original_get_crew(self, entity, ident, *args, **kwargs)

        monkeypatch.setattr(dispatch.Session, "get", get_then_lose)
    else:
        original_refusal = dispatch.refusal

        def refusal_then_lose(*args, **kwargs):
            reason = original_refusal(*args, **kwargs)
            let_a_win()
            return reason

        monkeypatch.setattr(dispatch, "refusal", refusal_then_lose)
    lost = dispatch.assign_now(console_b, [report_id], crew_b[0], "op-b", {report_id: version})
    monkeypatch.undo()

    assert outcome["a"] is not None, "the race was not staged"
    assert outcome["a"].ok, outcome["a"].refused
    assert not lost.ok and lost.assigned == []
    assert len(lost.refused) == 1
    assert crew_a[1] in lost.refused[0]
    final = state(console_a, report_id)
    assert (final.crew_id, final.version) == (crew_a[0], version + 1)
    assert final.stage_rows == ("lapor", "penugasan")
    assert len(assign_events(console_a, report_id)) == 1


def test_threaded_race_on_two_engines(two_consoles):
    consoles = two_consoles
    threads_n, reports_n = 8, 20
    report_ids = make_reports(consoles[0], reports_n)
    crews = siaga_crews(consoles[0], threads_n)
    crew_names = dict(crews)
    start_versions = {rid: state(consoles[0], rid).version for rid in report_ids}

    barrier = threading.Barrier(threads_n)
    lock = threading.Lock()
    outcomes: list[tuple[int, int, dispatch.AssignResult]] = []
    errors: list[BaseException] = []

    def console_thread(index: int) -> None:
        database = consoles[index % 2]
        crew_id = crews[index][0]
        try:
            # Each console shows every report at the version it read: all stale but one.
            with database.read() as session:
                seen = {v.id: v.version for v in queries.load_reports(session, report_ids)}
            order = list(report_ids)
            random.Random(index).shuffle(order)
            barrier.wait(timeout=30)
            for rid in order:
                result = dispatch.assign_now(
                    database, [rid], crew_id, f"op{index}", {rid: seen[rid]}
                )
                with lock:
                    outcomes.append((rid, crew_id, result))
        except BaseException as exc:
            with lock:
                errors.append(exc)

    workers = [threading.Thread(target=console_thread, args=(i,)) for i in range(threads_n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "a console thread hung"

    assert not [e for e in errors if "database is locked" in str(e)]
    assert errors == []
    assert len(outcomes) == threads_n * reports_n

    for rid in report_ids:
        mine = [(crew_id, result) for r, crew_id, result in outcomes if r == rid]
        winners = [crew_id for crew_id, result in mine if result.ok]
        assert len(winners) == 1, f"report {rid}: {len(winners)} winners"
        winner = winners[0]
        for crew_id, result in mine:
            if crew_id != winner:
                assert len(result.refused) == 1
                assert crew_names[winner] in result.refused[0]

        final = state(consoles[1], rid)
        assert final.stage == Stage.PENUGASAN.value
        assert final.crew_id == winner
        assert final.version == start_versions[rid] + 1
        assert final.stage_rows == ("lapor", "penugasan")
        (event,) = assign_events(consoles[0], rid)
        assert event.after["crew"] == crew_names[winner]
