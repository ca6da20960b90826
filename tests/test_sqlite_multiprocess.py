"""Several processes on one SQLite file: no "database is locked" ever surfaces.

Three feeder processes write bursts flat out while this process plays the operator:
assigning the new reports, moving them on through the stages and saving a setting,
each through the path the console uses. Every transaction takes SQLite's write lock
first (Database.transaction: BEGIN IMMEDIATE) and waits its turn (busy_timeout).
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from comcen_desktop import settings
from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import utc_now
from services import dispatch, events, lifecycle, queries
from services.database import open_database
from tests import factories
from tests.console_probe import start_feeder

PER_WRITER = 250
WRITERS = 3


def _operator_round(database, crews: list[int], turn: int) -> list[str]:
    """One round of the operator's writes; the refusals it got, in words."""
    with database.read() as session:
        waiting = [r for r in queries.load_open_reports(session) if r.stage == "lapor"]
    refused = []
    for report in waiting[:2]:
        result = dispatch.assign_now(database, [report.id], crews[turn % len(crews)], "op")
        refused += [text for text in result.refused if report.number not in result.lost_to]
        if result.assigned:
            with database.transaction() as session:
                row = session.get(Report, report.id)
                lifecycle.advance(session, row, Stage.PERJALANAN, utc_now(), "op")
    with database.transaction() as session:
        value = 60 + turn % 5
        settings.put(session, "crew.stale_minutes", value)
        events.record(session, "setting", "setting", None, actor="op", after={"v": value})
    return refused


def test_three_writer_processes_and_an_operator_share_one_file(sqlite_url):
    database = open_database(sqlite_url)
    crews = factories.crew_ids(database)
    feeders = [start_feeder(sqlite_url, f"w{n}", PER_WRITER) for n in range(WRITERS)]
    refused, turn = [], 0
    try:
        while any(f.proc.poll() is None for f in feeders):
            refused += _operator_round(database, crews, turn)
            turn += 1
        codes = [f.finish() for f in feeders]

        errors = [line for f in feeders for line in f.errors]
        assert codes == [0] * WRITERS, errors[-20:]
        assert not [line for line in errors if "locked" in line or "WAIT" in line]
        assert refused == []
        assert turn > 0
        for n, feeder in enumerate(feeders):
            acked = [w[1] for w in feeder.words("ACK")]
            assert acked == [f"w{n}-{i:06d}" for i in range(PER_WRITER)]
            done = feeder.words("DONE")[0]
            print(f"\nwriter {n}: {PER_WRITER} reports in {done[4]} s (three writers at once)")
        with database.read() as session:
            stored = session.scalar(
                select(func.count()).select_from(Report).where(Report.source_id.like("w%-%"))
            )
        assert stored == WRITERS * PER_WRITER
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        for feeder in feeders:
            feeder.stop()
        database.dispose()
