"""`comcen export html|csv|xlsx --out FILE [--from DAY --to DAY] [--privacy]`."""

from __future__ import annotations

from pathlib import Path

NAME = "export"
SUFFIXES = {"html": (".html", ".htm"), "csv": (".csv",), "xlsx": (".xlsx",)}


def add_parser(commands) -> None:
    export = commands.add_parser("export", help="reports as an HTML map, CSV or XLSX")
    export.add_argument("format", choices=list(SUFFIXES))
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--from", dest="date_from", metavar="DATE", help="first WIB day")
    export.add_argument("--to", dest="date_to", metavar="DATE", help="last WIB day, inclusive")
    export.add_argument("--privacy", action="store_true", help="leave out customer data")


def run(args) -> int:
    from comcen_desktop.cli import check_db_exists
    from comcen_desktop.commands.periods import period
    from services.database import open_database

    start, end = period(args.date_from, args.date_to)
    suffixes = SUFFIXES[args.format]
    if args.out.suffix.lower() not in suffixes:
        raise ValueError(f"--out '{args.out}' must end in {suffixes[0]} for {args.format}")
    check_db_exists(args.db)
    database = open_database(args.db)
    try:
        if args.format == "html":
            from services.export_html import export_html

            count = export_html(database, args.out, start, end, privacy=args.privacy)
        else:
            from services.export_tables import export_reports

            count = export_reports(database, args.out, args.format, start, end, args.privacy)
    finally:
        database.dispose()
    print(f"comcen: {count} laporan diekspor ke {args.out}")
    return 0
