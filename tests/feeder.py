"""A report feed for the sync, outage and crash tests: ``python -m tests.feeder URL``.

Sends ``--count`` PLN Mobile reports through services.intake.receive (the path of
services.sync_bench.store), one transaction each, and prints one line per report
only after its COMMIT returned:

    ACK <source_id> <report number> <event seq> <unix time> new|dup

so whoever reads the lines (a test, after a SIGKILL) knows exactly which reports the
database acknowledged. Writes go through Database.write (busy SQLite, lost server:
tried again); the feed keeps trying for ``--patience`` seconds before it gives up.
A report whose COMMIT reached the server but whose answer was lost comes back as a
duplicate of itself by its source id: acknowledged once more ("dup"), stored once.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from sqlalchemy.exc import DBAPIError

from services.database import is_transient, open_database
from services.placement import Placer
from services.sync_bench import raw_report, store, village_points

log = logging.getLogger(__name__)


def store_patiently(database, placer, raw: dict, patience_s: float, counts: dict):
    deadline = time.monotonic() + patience_s
    while True:
        try:
            return store(database, placer, raw)
        except DBAPIError as exc:
            if not is_transient(exc) or time.monotonic() > deadline:
                raise
            counts["waits"] += 1
            print(f"WAIT {raw['source_id']} {str(exc.orig).splitlines()[0]}", file=sys.stderr)
            time.sleep(0.5)


def run(args) -> int:
    database = open_database(args.url)
    points = village_points(database, 60)
    with database.read() as session:
        placer = Placer(session)
    counts = {"new": 0, "dup": 0, "waits": 0}
    began = time.perf_counter()
    print(f"READY {time.time():.6f}", flush=True)
    for index in range(args.start, args.start + args.count):
        source_id = f"{args.prefix}-{index:06d}"
        number, seq, created = store_patiently(
            database, placer, raw_report(source_id, index, points), args.patience, counts
        )
        counts["new" if created else "dup"] += 1
        state = "new" if created else "dup"
        print(f"ACK {source_id} {number} {seq} {time.time():.6f} {state}", flush=True)
        if args.rate:
            pause = began + (index - args.start + 1) / args.rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
    elapsed = time.perf_counter() - began
    print(f"DONE {counts['new']} {counts['dup']} {counts['waits']} {elapsed:.3f}", flush=True)
    database.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.feeder")
    parser.add_argument("url")
    parser.add_argument("--prefix", default="feed")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.0, help="reports per second; 0: flat out")
    parser.add_argument("--patience", type=float, default=60.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
