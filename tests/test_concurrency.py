"""Several writers on one SQLite file: simulations and an operator's assignments."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import text

from services import dispatch, queries
from services.database import open_database
from tests import factories


def start_simulation(url: str, seed: int, home) -> subprocess.Popen:
    env = dict(os.environ, COMCEN_HOME=str(home))
    return subprocess.Popen(
        [sys.executable, "-m", "comcen_desktop", "--db", url, "simulate", "--hours", "150",
         "--seed", str(seed), "--start", "2026-01-05T00:00+07:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def test_two_simulations_and_an_operator_share_one_sqlite_file(sqlite_url, tmp_path):
    runs = [start_simulation(sqlite_url, seed, tmp_path) for seed in (15, 25)]
    database = open_database(sqlite_url)
    crews = factories.crew_ids(database)
    attempts = stored = 0
    try:
        while any(run.poll() is None for run in runs):
            with database.read() as session:
                waiting = [r for r in queries.load_open_reports(session) if r.stage == "lapor"]
            for report in waiting[:3]:
                # Must come back as a result, never as an exception ("database is locked").
                result = dispatch.assign_now(database, [report.id], crews[attempts % 20], "op")
                attempts += 1
                stored += bool(result.assigned)
            time.sleep(0.05)
        outputs = [run.communicate(timeout=60) for run in runs]

        assert [run.returncode for run in runs] == [0, 0], [err for _out, err in outputs]
        assert attempts > 0 and stored > 0
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            doubled = connection.execute(
                text(
                    "SELECT count(*) FROM report_stage"
                    " GROUP BY report_id, stage HAVING count(*) > 1"
                )
            ).all()
            assert doubled == []
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
        database.dispose()
