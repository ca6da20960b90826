"""Writes per second through the real intake path, one writer and several at once.

    python -m services.sync_bench URL [--count N]

Each writer is a process of its own (as consoles and feeds are) storing PLN Mobile
reports through services.intake.receive, one transaction each, via Database.write.
The figure is reports stored per second of wall time over all writers. The sync
latency across three consoles needs Qt and lives in tests (python -m tests.sync_figures).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select

from comcen_desktop.storage.models import Event, Village
from comcen_desktop.timeutil import utc_now
from services import intake
from services.database import open_database
from services.placement import Placer

ACTOR = "feed"


def raw_report(source_id: str, index: int, points: list[tuple[float, float]]) -> dict:
    lon, lat = points[index % len(points)]
    return {
        "source_id": source_id,
        "reported_at": (utc_now() - timedelta(seconds=5)).isoformat(),
        "lon": lon,
        "lat": lat,
        "category": "gangguan_individu",
        "name": f"Pelanggan {source_id}",
        "phone": "081234567890",
    }


def store(database, placer: Placer, raw: dict) -> tuple[str, int, bool]:
    """(report number, seq of its create event, created now), after COMMIT.

    Safe to repeat: a report whose COMMIT landed but whose answer was lost is found
    again by its source id (created False) instead of being stored twice.
    """

    def work(session):
        result = intake.receive(session, placer, raw, source="pln_mobile", actor=ACTOR)
        if result.report is None:
            raise ValueError(f"{raw['source_id']}: {[e.message for e in result.errors]}")
        seq = session.scalar(
            select(Event.seq).where(
                Event.entity == "report",
                Event.entity_id == result.report.id,
                Event.kind == "create",
            )
        )
        return result.report.number, seq, result.created

    return database.write(work)


def village_points(database, count: int = 60) -> list[tuple[float, float]]:
    with database.read() as session:
        rows = session.execute(
            select(Village.lon, Village.lat).where(Village.lon.is_not(None)).order_by(Village.code)
        ).all()
    step = max(1, len(rows) // count)
    return [(lon, lat) for lon, lat in rows[::step][:count]]


def write_burst(url: str, prefix: str, count: int, at: float = 0.0) -> float:
    """Store ``count`` reports flat out from unix time ``at``; the unix time it ended."""
    database = open_database(url)
    try:
        points = village_points(database)
        with database.read() as session:
            placer = Placer(session)
        time.sleep(max(0.0, at - time.time()))  # every writer starts at the same moment
        for index in range(count):
            store(database, placer, raw_report(f"{prefix}-{index:06d}", index, points))
        return time.time()
    finally:
        database.dispose()


def writes_per_second(url: str, writers: int, count: int, head_start_s: float = 4.0) -> float:
    """Reports stored per second by ``writers`` processes at once, ``count`` each.

    The writers open the database first and then start together at one moment, so
    process start-up is not counted.
    """
    open_database(url).dispose()  # migrated and seeded before the writers race
    tag = f"bench{time.time_ns()}"
    at = time.time() + head_start_s
    command = [sys.executable, "-m", "services.sync_bench", url, "--count", str(count)]
    runs = [
        subprocess.Popen(
            [*command, "--at", f"{at:.6f}", "--writer", f"{tag}w{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    ends = []
    for run in runs:
        out, _err = run.communicate()
        if run.returncode != 0:
            raise RuntimeError(f"writer failed ({run.returncode}): {out}")
        ends.append(json.loads(out)["ended"])
    return writers * count / (max(ends) - at)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.sync_bench")
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--writer", help=argparse.SUPPRESS)  # one child writer's prefix
    parser.add_argument("--at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        ended = write_burst(args.url, args.writer, args.count, args.at)
        print(json.dumps({"ended": ended}))
        return 0
    for writers in (1, 3):
        rate = writes_per_second(args.url, writers, args.count)
        print(f"{writers} writer(s): {rate:.0f} reports/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
