"""`comcen replay FILE`: play an imported history file through intake and the stages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "replay"


def add_parser(commands) -> None:
    parser = commands.add_parser(
        NAME, help="replay a history file (APKT CSV/XLSX, mapped file) through intake"
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--speed", type=float, metavar="X",
        help="X times as fast as it happened (default: all at once)",
    )  # fmt: skip
    parser.add_argument("--mapping", type=Path, metavar="MAP.json", help="column mapping")
    parser.add_argument(
        "--source-tz", default="Asia/Jakarta", metavar="ZONE",
        help="time zone of the file's times (default Asia/Jakarta, WIB)",
    )  # fmt: skip
    parser.add_argument("--start", help="ISO time the history starts at (default now; WIB)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the places drawn")


def run(args: argparse.Namespace) -> int:
    from comcen_desktop.timeutil import parse_iso
    from services import replay
    from services.database import open_database

    if args.speed is not None and not 0 < args.speed <= 100_000:
        raise ValueError(f"--speed {args.speed:g} harus lebih dari 0 dan paling besar 100000")
    if not args.file.is_file():
        raise ValueError(f"berkas {args.file} tidak ada")
    try:
        start = parse_iso(args.start) if args.start else None
    except ValueError:
        raise ValueError(f"--start '{args.start}' bukan waktu ISO (2026-12-01T08:00)") from None

    database = open_database(args.db)
    try:
        with database.read() as session:
            rows, rejected = replay.read_history(session, args.file, args.mapping, args.source_tz)
        for line, reason in rejected:
            print(f"baris {line}: {reason}", file=sys.stderr)
        if not rows:
            print(f"comcen: {args.file}: tidak ada baris yang bisa diputar ulang", file=sys.stderr)
            return 1
        summary = replay.replay(database, rows, start=start, speed=args.speed, seed=args.seed)
    finally:
        database.dispose()
    summary.rejected = rejected
    print(f"comcen: {summary.describe()}")
    return 0
