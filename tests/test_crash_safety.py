"""A writer killed with SIGKILL mid-burst loses no report it acknowledged.

The feeder (tests/feeder.py) prints a report's ACK line only after its COMMIT came
back. After kill -9 every acknowledged report must be there, once, whole (its Lapor
stage row and its create event), and the database must pass its integrity check.
Sending the same reports again (as a sender does that got no answer) stores nothing
twice.
"""

from __future__ import annotations

import os
import signal

from sqlalchemy import func, select, text

from comcen_desktop.storage.models import Event, Report, ReportStage
from services.database import open_database
from tests.console_probe import start_feeder

KILL_AFTER = 150


def _acked(feeder) -> dict[str, int]:
    """source id -> report seq, from whole ACK lines only (a cut last line is not one)."""
    return {w[1]: int(w[3]) for w in feeder.words("ACK") if len(w) == 6}


def _kill_mid_burst(url: str, prefix: str) -> dict[str, int]:
    feeder = start_feeder(url, prefix, 100_000)
    try:
        assert feeder.wait_for("ACK", KILL_AFTER, timeout=120), feeder.errors[-20:]
        os.kill(feeder.proc.pid, signal.SIGKILL)
        assert feeder.finish() == -signal.SIGKILL
    finally:
        feeder.stop()
    return _acked(feeder)


def _stored(database, prefix: str) -> dict[str, int]:
    with database.read() as session:
        rows = session.execute(
            select(Report.source_id, func.count()).where(Report.source_id.like(f"{prefix}-%"))
            .group_by(Report.source_id)
        ).all()  # fmt: skip
    return dict(rows)


def _incomplete_reports(database, prefix: str) -> list[str]:
    """Reports of the feed without their Lapor stage row or their create event."""
    with database.read() as session:
        mine = select(Report.id).where(Report.source_id.like(f"{prefix}-%"))
        staged = select(ReportStage.report_id).where(ReportStage.stage == "lapor")
        logged = select(Event.entity_id).where(Event.entity == "report", Event.kind == "create")
        return list(
            session.scalars(
                select(Report.number).where(
                    Report.id.in_(mine), ~Report.id.in_(staged) | ~Report.id.in_(logged)
                )
            )
        )


def _integrity(database) -> str:
    with database.engine.connect() as connection:
        if database.is_sqlite:
            problems = connection.execute(text("PRAGMA foreign_key_check")).all()
            return connection.execute(text("PRAGMA integrity_check")).scalar() + (
                f" fk:{problems}" if problems else ""
            )
        # PostgreSQL checks its own pages; what can break is ours: every stage row and
        # event of a report points at a report that exists.
        orphans = connection.execute(
            text("SELECT count(*) FROM report_stage s LEFT JOIN report r ON r.id = s.report_id"
                 " WHERE r.id IS NULL")
        ).scalar()  # fmt: skip
        return "ok" if orphans == 0 else f"{orphans} orphan stage rows"


def test_sigkill_mid_burst_loses_no_acknowledged_report(any_url):
    open_database(any_url).dispose()
    prefix = "crash"

    acked = _kill_mid_burst(any_url, prefix)

    database = open_database(any_url)
    try:
        stored = _stored(database, prefix)
        assert len(acked) >= KILL_AFTER
        assert [s for s in acked if stored.get(s) != 1] == []
        # At most the one report in flight at the kill may be stored without its ACK.
        assert len(stored) - len(acked) in (0, 1)
        assert _incomplete_reports(database, prefix) == []
        assert _integrity(database) == "ok"
        print(f"\n{any_url.split(':')[0]}: {len(acked)} acknowledged before SIGKILL, all stored")

        resent = start_feeder(any_url, prefix, len(stored) + 20)
        assert resent.finish(timeout=120) == 0, resent.errors[-20:]
        states = [w[5] for w in resent.words("ACK")]
        assert states == ["dup"] * len(stored) + ["new"] * 20
        after = _stored(database, prefix)
        assert len(after) == len(stored) + 20 and set(after.values()) == {1}
    finally:
        database.dispose()
