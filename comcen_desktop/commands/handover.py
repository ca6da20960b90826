"""`comcen handover --date DAY --shift pagi|sore|malam [--out FILE.txt|FILE.pdf]`."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

NAME = "handover"


def add_parser(commands) -> None:
    handover = commands.add_parser("handover", help="shift handover recap, text or PDF")
    handover.add_argument("--date", required=True, metavar="DATE", help="WIB day the shift began")
    handover.add_argument("--shift", required=True, choices=["pagi", "sore", "malam"])
    handover.add_argument("--out", type=Path, help="FILE.txt or FILE.pdf (default: print)")


def run(args) -> int:
    from comcen_desktop.cli import has_display
    from comcen_desktop.commands.periods import wib_date
    from comcen_desktop.timeutil import format_wib, utc_now
    from services.database import open_database
    from services.kpi_engine import handover

    day = wib_date(args.date, "--date")
    suffix = args.out.suffix.lower() if args.out else ""
    if args.out is not None and suffix not in (".txt", ".pdf"):
        raise ValueError(f"--out '{args.out}' must end in .txt or .pdf")
    start = handover.shift_bounds(day, args.shift)[0]
    if start > utc_now():
        # The night shift after midnight belongs to the day it began: say which to ask.
        running = _running_shift(utc_now(), handover)
        raise ValueError(
            f"shift {args.shift} tanggal {day:%d-%m-%Y} belum mulai (mulai {format_wib(start)}); "
            f"yang berjalan sekarang: --date {running[0]:%Y-%m-%d} --shift {running[1]}"
        )
    database = open_database(args.db)
    try:
        with database.read() as session:
            recap = handover.build(session, day, args.shift)
    finally:
        database.dispose()
    if args.out is None:
        sys.stdout.write(handover.to_text(recap))
        return 0
    if suffix == ".txt":
        args.out.write_text(handover.to_text(recap), encoding="utf-8")
    else:
        if not has_display():
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        # Qt lives in ui/: loaded by name so this core module never imports it.
        importlib.import_module("ui.handover_pdf").render_pdf(recap, args.out)
    print(f"comcen: rekap shift disimpan ke {args.out}")
    return 0


def _running_shift(now, handover) -> tuple:
    """(day, shift) of the shift that holds ``now``."""
    from datetime import timedelta

    from comcen_desktop.timeutil import to_wib

    today = to_wib(now).date()
    for day in (today, today - timedelta(days=1)):
        for shift in ("pagi", "sore", "malam"):
            start, end = handover.shift_bounds(day, shift)
            if start <= now < end:
                return day, shift
    return today, "pagi"
