"""Print and export timings: A3 at 300 dpi as PNG and PDF, and the HTML map, for 10,000
reports on a throw-away SQLite database. Run: python -m maps.print_bench"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def fill(database, count: int) -> None:
    from comcen_desktop.timeutil import utc_now
    from services import queries
    from services.intake import NewReport, create_report
    from services.placement import Placer

    now = utc_now()
    with database.transaction() as session:  # one transaction: seconds, not minutes
        placer = Placer(session)
        villages = queries.load_villages(session)
        for n in range(count):
            village = villages[(n * 7919) % len(villages)]
            jitter = ((n % 13) - 6) * 0.002
            new = NewReport(
                now - timedelta(minutes=n % 600), village.lon + jitter, village.lat - jitter
            )
            create_report(session, placer, new, "bench")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    count = int((argv or sys.argv[1:] or ["10000"])[0])
    from maps.print_output import render_print
    from services.database import open_database
    from services.export_html import export_html

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = open_database(f"sqlite:///{tmp / 'bench.db'}")
        started = time.perf_counter()
        fill(database, count)
        print(f"{count} reports stored in {time.perf_counter() - started:.1f} s")
        for name in ("a3.png", "a3.pdf"):
            started = time.perf_counter()
            render_print(database, tmp / name, "A3", landscape=True, dpi=300)
            took = time.perf_counter() - started
            size = (tmp / name).stat().st_size / 1e6
            print(f"A3 300 dpi {name[-3:].upper()}: {took:.2f} s, {size:.1f} MB")
        started = time.perf_counter()
        from datetime import UTC, datetime

        export_html(database, tmp / "map.html", start=datetime(2000, 1, 1, tzinfo=UTC))
        took = time.perf_counter() - started
        size = (tmp / "map.html").stat().st_size / 1e6
        print(f"HTML export of {count} reports: {took:.2f} s, {size:.1f} MB")
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
