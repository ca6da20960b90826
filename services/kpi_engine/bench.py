"""Benchmark: the KPI panel's refresh over one year of synthetic reports.

    .venv/bin/python -m services.kpi_engine.bench [--reports 365000] [--db sqlite:///x.db]

Fills a temporary SQLite file (or the given database) with one year of reports and
their stage rows through SQLAlchemy core executemany, then times compute() and
daily_trend() and prints the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from comcen_desktop.domain import Category, Media, Stage
from comcen_desktop.storage.models import Crew, Report, ReportStage, UlpArea
from comcen_desktop.timeutil import utc_now
from services.database import open_database
from services.kpi_engine import compute, daily_trend

BATCH = 20_000
RUNS = 5


def fill(database, count: int, end: datetime, seed: int = 1, first_id: int = 1) -> datetime:
    """Insert ``count`` reports spread evenly over the year before ``end``; returns
    the year's start. ``first_id`` leaves room for reports already stored."""
    rng = random.Random(seed)
    start = end - timedelta(days=365)
    with database.read() as session:
        ulps = list(session.scalars(select(UlpArea.id)))
        crews = list(session.scalars(select(Crew.id)))
    step = timedelta(days=365) / count
    reports, stages = [], []
    with database.engine.begin() as conn:
        for index in range(count):
            reports.append(_report(rng, first_id + index, start + step * index, ulps, crews))
            stages.extend(_stages(rng, first_id + index, reports[-1]))
            if len(reports) >= BATCH:
                _flush(conn, reports, stages)
        _flush(conn, reports, stages)
    return start


def _report(rng, report_id: int, at: datetime, ulps, crews) -> dict:
    category = rng.choices(
        [Category.INDIVIDU, Category.MELUAS, Category.KELUHAN], weights=[85, 5, 10]
    )[0]
    cancelled = rng.random() < 0.04
    return {
        "id": report_id,
        "number": f"B{report_id - 1:09d}",
        "reported_at": at,
        "idpel": f"5100{rng.randrange(200_000):08d}",
        "ulp_id": rng.choice(ulps),
        "crew_id": rng.choice(crews),
        "category": category.value,
        "media": Media.SIMULASI.value,
        "stage": (Stage.BATAL if cancelled else Stage.SELESAI).value,
        "customers": rng.randrange(50, 2000) if category is Category.MELUAS else None,
        "rating": rng.randint(1, 5) if not cancelled and rng.random() < 0.3 else None,
        "simulated": True,
        "version": 1,
    }


def _stages(rng, report_id: int, report: dict) -> list[dict]:
    at = report["reported_at"]
    if report["stage"] == Stage.BATAL.value:
        moves = [(Stage.LAPOR, 0), (Stage.BATAL, rng.uniform(1, 30))]
    else:
        travel, work = rng.uniform(3, 40), rng.uniform(5, 60)
        moves = [
            (Stage.LAPOR, 0),
            (Stage.PENUGASAN, 2),
            (Stage.PERJALANAN, 3),
            (Stage.PENGERJAAN, 3 + travel),
            (Stage.NYALA, 3 + travel + work),
            (Stage.SELESAI, 5 + travel + work),
        ]
    return [
        {
            "report_id": report_id,
            "stage": stage.value,
            "at": at + timedelta(minutes=minutes),
            "actor": "bench",
        }
        for stage, minutes in moves
    ]


def _flush(conn, reports: list, stages: list) -> None:
    if reports:
        conn.execute(Report.__table__.insert(), reports)
        conn.execute(ReportStage.__table__.insert(), stages)
    reports.clear()
    stages.clear()


def _time(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=365_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(args.db or f"sqlite:///{Path(folder) / 'bench.db'}")
        began = time.perf_counter()
        # The year ends at the clock's now, so the panel takes the path it takes live.
        year_end = utc_now()
        year_start = fill(database, args.reports, year_end)
        print(f"inserted {args.reports:,} reports in {time.perf_counter() - began:.1f} s")
        with database.read() as session:
            figures = {
                "compute, today, by ulp": lambda: compute(
                    session, year_end - timedelta(hours=12), year_end, "ulp"
                ),
                "daily_trend(30 days)": lambda: daily_trend(session, 30),
                "compute, one month, by day": lambda: compute(
                    session, year_end - timedelta(days=30), year_end, "day"
                ),
                "compute, whole year, overall": lambda: compute(session, year_start, year_end),
                "compute, whole year, by ulp": lambda: compute(
                    session, year_start, year_end, "ulp"
                ),
            }
            panel = 0.0
            for name, action in figures.items():
                runs = 2 if "year" in name else RUNS
                elapsed = _time(action, runs)
                if name.startswith(("compute, today", "daily_trend")):
                    panel += elapsed
                print(f"{name:32s} {elapsed:8.1f} ms (median of {runs})")
            print(f"{'panel refresh (today + trend)':32s} {panel:8.1f} ms")
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
