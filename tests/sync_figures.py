"""The figures of issue 7: ``python -m tests.sync_figures [--count N]``.

On a fresh SQLite file and on a throwaway PostgreSQL cluster on 127.0.0.1 (the tests'
tests/pg_cluster.PgCluster, with fsync and synchronous_commit back on): sync
latency across three console processes (median, 95th percentile, worst) while one
feed writes 10 reports a second, and writes per second with one writer and with three.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from services import sync_bench
from services.database import open_database
from tests.console_probe import run_scenario
from tests.pg_cluster import PgCluster, _admin_connect, find_pg_bin_dir


def figures(url: str, label: str, count: int, writes: int) -> None:
    open_database(url).dispose()
    run = run_scenario(url, consoles=3, count=count, rate=10.0)
    print(f"{label}: sync latency {run.summary()}", flush=True)
    for writers in (1, 3):
        rate = sync_bench.writes_per_second(url, writers, writes)
        print(f"{label}: {writers} writer(s) at once: {rate:.0f} reports/s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sync_figures")
    parser.add_argument("--count", type=int, default=100, help="events followed")
    parser.add_argument("--writes", type=int, default=300, help="reports per writer")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="comcen-figures-"))
    try:
        os.environ["COMCEN_HOME"] = str(folder)
        figures(f"sqlite:///{folder / 'figures.db'}", "SQLite", args.count, args.writes)
        bin_dir = find_pg_bin_dir()
        if bin_dir is None:
            print("PostgreSQL: server binaries not found, skipped")
            return 0
        cluster = PgCluster(bin_dir, Path(tempfile.mkdtemp(prefix="comcen-pgf-")))
        try:
            cluster.init()
            with (cluster.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.write("synchronous_commit = on\nfsync = on\n")  # honest write figures
            cluster.start()
            with _admin_connect(cluster.url) as conn:
                conn.execute('CREATE DATABASE "figures"')
            figures(f"{cluster.url}figures", "PostgreSQL", args.count, args.writes)
        finally:
            cluster.stop()
            cluster.remove()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
