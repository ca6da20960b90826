"""`comcen import FILE [--mapping MAP.json] [--source-tz ZONE]`: report history in.

Exit 0 when the import ran, whatever it found (rejected rows are listed, not fatal:
the good rows are in); 1 when the file, the mapping or the zone could not be used,
and then nothing was stored.
"""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "import"
EXIT_OK, EXIT_ERROR = 0, 1


def add_parser(commands) -> None:
    parser = commands.add_parser(
        NAME,
        help="import report history (APKT export or any table with --mapping), CSV or XLSX",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help=".csv or .xlsx")
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="MAP.json",
        help='{"product field": "file column"} for files that are not APKT exports',
    )
    parser.add_argument(
        "--source-tz",
        default="Asia/Jakarta",
        metavar="ZONE",
        help="zone of the file's times (default Asia/Jakarta, WIB; e.g. Asia/Makassar)",
    )


def run(args) -> int:
    from services import events
    from services.database import open_database
    from services.report_import import FileError, import_file, load_zone

    try:
        load_zone(args.source_tz)  # before the database: a typo costs nothing
        if not args.file.is_file():
            raise FileError(f"{args.file}: berkas tidak ditemukan")
    except FileError as exc:
        print(f"comcen: {exc}", file=sys.stderr)
        return EXIT_ERROR
    database = open_database(args.db)
    try:
        with database.transaction() as session:
            summary = import_file(
                session,
                args.file,
                actor=events.current_actor(),
                mapping_path=args.mapping,
                source_tz=args.source_tz,
            )
    except FileError as exc:
        print(f"comcen: {exc}; tidak ada yang disimpan", file=sys.stderr)
        return EXIT_ERROR
    finally:
        database.dispose()
    for warning in summary.warnings:
        print(f"comcen: peringatan: {warning}", file=sys.stderr)
    print(f"comcen: {summary.describe()}")
    for line in summary.rejected_lines():
        print(line)
    return EXIT_OK
