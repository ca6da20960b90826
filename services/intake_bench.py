"""Intake benchmark: reports per second through ``intake.receive`` (field checks,
placement with the point checks, repeat check, the event log), printed, not asserted.

Two ways of committing: one transaction per report (the HTTP API, the call form) and
batches of 100 per transaction (a drop-folder file, an import). The reports are
made up but shaped like real ones: points near village centres, a share given as a
village name, a few with latitude and longitude swapped, IDPELs drawn from a pool
small enough that repeats occur.

    python -m services.intake_bench [--url URL] [--count N]

Without --url a fresh SQLite file in a temporary folder is used (and removed).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from comcen_desktop.domain import Source
from comcen_desktop.storage.models import Village
from comcen_desktop.timeutil import utc_now
from services import intake
from services.intake_batch import receive_batch
from services.placement import Placer

BATCH = 100
GOAL_PER_S = 1000
VILLAGE_SHARE = 0.1  # reports given by village name instead of a point
SWAPPED_SHARE = 0.02
ACTOR = "bench"


def intake_rate(url: str, count: int) -> dict:
    """Store ``count`` reports one per transaction and ``count`` more in batches of
    BATCH; figures in reports per second."""
    from services.database import open_database

    database = open_database(url)
    try:
        with database.read() as session:
            placer = Placer(session)
            villages = intake.village_index(session)
            names = _village_rows(session)
        rng = random.Random(1)
        single = _reports(rng, names, count)
        batched = _reports(rng, names, count)

        single_s, single_cpu, single_results = _timed(
            lambda: _one_per_transaction(database, placer, villages, single)
        )
        batch_s, batch_cpu, batch_results = _timed(
            lambda: _in_batches(database, placer, villages, batched)
        )
    finally:
        database.dispose()

    results = single_results + batch_results
    return {
        "url": url,
        "count": count,
        "single_s": single_s,
        "single_per_s": count / single_s if single_s else float("inf"),
        "batch_s": batch_s,
        "batch_per_s": count / batch_s if batch_s else float("inf"),
        "batch_size": BATCH,
        # Per CPU second of this process: what the machine gives when not shared.
        "single_per_cpu_s": count / single_cpu if single_cpu else float("inf"),
        "batch_per_cpu_s": count / batch_cpu if batch_cpu else float("inf"),
        "stored": sum(1 for r in results if r.created),
        "flagged": sum(1 for r in results if r.flag),
        "repeats": sum(1 for r in results if r.repeat_of is not None),
        "errors": sum(1 for r in results if r.errors),
    }


def summary(result: dict) -> str:
    def verdict(rate: float) -> str:
        return "tercapai" if rate >= GOAL_PER_S else "di bawah target"

    return "\n".join(
        [
            f"Intake benchmark ({result['count']} laporan per cara, {result['url']})",
            f"  satu transaksi per laporan : {result['single_per_s']:8.0f} laporan/detik "
            f"({result['single_s']:.2f} s; {result['single_per_cpu_s']:.0f} per detik CPU)",
            f"  {result['batch_size']} per transaksi (receive_batch): {result['batch_per_s']:8.0f} "
            f"laporan/detik ({result['batch_s']:.2f} s; "
            f"{result['batch_per_cpu_s']:.0f} per detik CPU)",
            f"  disimpan {result['stored']}, ditandai (titik) {result['flagged']}, "
            f"berulang {result['repeats']}, ditolak {result['errors']}",
            f"  target {GOAL_PER_S}/detik: satu per transaksi {verdict(result['single_per_s'])}, "
            f"per {result['batch_size']} {verdict(result['batch_per_s'])}",
        ]
    )


def _village_rows(session) -> list[tuple[str, float, float]]:
    query = select(Village.name, Village.lon, Village.lat).where(
        Village.lon.is_not(None), Village.geojson.is_not(None)
    )
    return [(name, lon, lat) for name, lon, lat in session.execute(query)]


def _reports(rng: random.Random, villages, count: int) -> list[dict]:
    run = uuid.uuid4().hex[:8]  # a second run on the same database stores new reports
    now = utc_now()
    reports = []
    for n in range(count):
        name, lon, lat = rng.choice(villages)
        raw = {
            "source_id": f"bench-{run}-{n}",
            "reported_at": (now - timedelta(minutes=rng.uniform(1, 60 * 24 * 20))).isoformat(),
            "idpel": f"52{rng.randrange(count * 2):010d}",
            "phone": f"08{rng.randrange(10**10):010d}",
            "name": "Pelanggan",
            "category": rng.choice(["gangguan_individu", "gangguan_individu", "keluhan"]),
            "description": "Listrik padam",
        }
        roll = rng.random()
        if roll < VILLAGE_SHARE:
            raw["village"] = name
        else:
            # Within ~300 m of the village point: inside it almost always.
            raw["lon"], raw["lat"] = (
                lon + rng.uniform(-0.003, 0.003),
                lat + rng.uniform(-0.003, 0.003),
            )
            if roll > 1 - SWAPPED_SHARE:
                raw["lon"], raw["lat"] = raw["lat"], raw["lon"]
        reports.append(raw)
    return reports


def _one_per_transaction(database, placer, villages, reports) -> list:
    results = []
    for raw in reports:
        with database.transaction() as session:
            results.append(_receive(session, placer, villages, raw))
    return results


def _in_batches(database, placer, villages, reports) -> list:
    results = []
    for start in range(0, len(reports), BATCH):
        with database.transaction() as session:
            results.extend(
                receive_batch(
                    session,
                    placer,
                    reports[start : start + BATCH],
                    source=Source.PLN_MOBILE,
                    actor=ACTOR,
                    gazetteer=villages,
                )
            )
    return results


def _receive(session, placer, villages, raw):
    return intake.receive(
        session, placer, raw, source=Source.PLN_MOBILE, actor=ACTOR, gazetteer=villages
    )


def _timed(work):
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - started, time.process_time() - cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.intake_bench")
    parser.add_argument("--url", help="database URL (default: a new temporary SQLite file)")
    parser.add_argument("--count", type=int, default=2000, help="reports per way (default 2000)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.url:
        print(summary(intake_rate(args.url, args.count)))
        return 0
    with tempfile.TemporaryDirectory(prefix="comcen-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print(summary(intake_rate(url, args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
