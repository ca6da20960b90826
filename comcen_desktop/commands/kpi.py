"""`comcen kpi --from DAY --to DAY [--by G] [--format table|csv|json]`."""

from __future__ import annotations

import sys

NAME = "kpi"
# Kept here rather than imported, so `comcen --help` does not load the services.
GROUPINGS = ["ulp", "posko", "crew", "shift", "day", "week", "month"]


def add_parser(commands) -> None:
    kpi = commands.add_parser("kpi", help="KPI figures of a period (dates in WIB)")
    kpi.add_argument("--from", dest="date_from", required=True, metavar="DATE")
    kpi.add_argument(
        "--to", dest="date_to", required=True, metavar="DATE", help="last day, inclusive"
    )
    kpi.add_argument("--by", choices=GROUPINGS)
    kpi.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from comcen_desktop.commands.periods import period
    from services.database import open_database
    from services.kpi_engine import compute
    from services.kpi_engine import output as kpi_output

    start, end = period(args.date_from, args.date_to)
    database = open_database(args.db)
    try:
        with database.read() as session:
            report = compute(session, start, end, by=args.by)
    finally:
        database.dispose()
    writers = {"json": kpi_output.to_json, "csv": kpi_output.to_csv}
    sys.stdout.write(writers.get(args.format, kpi_output.to_table)(report))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0
