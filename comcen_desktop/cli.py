"""The `comcen` command: the console by default, plus headless subcommands.

Commands that need Qt (the console, snapshot, bench) live in ui/ and maps/ and
are loaded by name, so this core module never imports Qt (import-linter checks).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from comcen_desktop import i18n, paths
from comcen_desktop.timeutil import parse_iso, utc_now

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_NO_DISPLAY = 0, 1, 2
# `comcen assign`: someone else got the report first / the assignment is not allowed.
EXIT_TAKEN, EXIT_INVALID = 3, 4
MAX_SIM_HOURS = 24 * 366
MAX_SNAPSHOT_PIXELS = 100_000_000
DEFAULT_WAITING = 4  # so a simulated console always has reports to dispatch
# Commands that only read or act on existing work: a mistyped path must not quietly
# create (and seed) a new, empty database and answer from it.
NEEDS_EXISTING_DB = {"kpi", "handover", "assign"}
# Commands that act for someone sign in first (the OS login mapped to an account, or
# COMCEN_USER with COMCEN_PASSWORD) and need their role's right (comcen_desktop.roles).
# Commands that change or reveal work sign in first and need the role's right.
SIGNED_COMMANDS = {
    "assign": "dispatch.assign",
    "simulate": "simulate.run",
    "export": "export.run",
    "import": "import.run",
    "replay": "simulate.run",
}
PAPERS = ["A4", "A3", "A0"]  # maps.print_layout.PAPERS_MM, kept here for the same reason
MIN_DPI, MAX_DPI = 50, 1200
# Subcommands kept in their own modules (comcen_desktop/commands/). Each module has
# NAME, add_parser(commands) and run(args) -> exit code, and imports its services
# inside run() so that `comcen --help` stays fast.
COMMAND_MODULES: tuple[str, ...] = (
    "comcen_desktop.commands.kpi",
    "comcen_desktop.commands.handover",
    "comcen_desktop.commands.export",
    "comcen_desktop.commands.import_reports",
    "comcen_desktop.commands.users",
    "comcen_desktop.commands.replay",
    "comcen_desktop.commands.settings_cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="comcen", description="Comcen Desktop: konsol command centre PLN UP3 Bangka."
    )
    parser.add_argument(
        "--db", help="database URL (default: COMCEN_DB or SQLite in the user's data folder)"
    )
    parser.add_argument("--lang", choices=["id", "en"], help="UI language (default id)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument(
        "--simulate-live",
        action="store_true",
        help="start the console with the live simulation running",
    )
    parser.add_argument(
        "--wall",
        action="store_true",
        help="read-only full-screen video wall view (map, KPIs, late jobs)",
    )
    parser.add_argument(
        "--screen", type=_non_negative, metavar="N", help="with --wall: monitor number (0 = first)"
    )
    commands = parser.add_subparsers(dest="command")

    sim = commands.add_parser("simulate", help="fill the database with simulated hours")
    sim.add_argument("--hours", type=float, required=True)
    sim.add_argument("--seed", type=_non_negative, default=1)
    sim.add_argument(
        "--waiting", type=_non_negative, default=DEFAULT_WAITING,
        help=f"fault reports from the last minutes left in Lapor for the operator "
        f"(default {DEFAULT_WAITING})",
    )  # fmt: skip
    sim.add_argument(
        "--start",
        help="ISO time of the first simulated moment "
        "(default: now minus HOURS; without an offset it is WIB)",
    )
    sim.add_argument(
        "--speed", type=float, metavar="X",
        help="run live at X times the wall clock (consoles and the wall can watch) "
        "instead of fast-forward",
    )  # fmt: skip
    sim.add_argument("--storm", action="store_true", help="start a big storm at once")
    sim.add_argument(
        "--via-http", metavar="URL",
        help="with --speed: post reports and crew positions to a running "
        "`comcen serve` at URL (127.0.0.1 only)",
    )  # fmt: skip

    snap = commands.add_parser("snapshot", help="render the map to PNG or PDF, no display")
    snap.add_argument("--out", required=True, type=Path)
    snap.add_argument("--width", type=int, help="pixels of a screen snapshot (default 1600)")
    snap.add_argument("--height", type=int, help="pixels of a screen snapshot (default 1000)")
    _add_print_options(snap)

    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade", "info"])

    bench = commands.add_parser(
        "bench", help="benchmark suite: map frames, Leaflet, start-up, memory, KPI, intake, print"
    )
    # Kept in step with maps.bench_suite.add_arguments (loaded only when bench runs).
    bench.add_argument(
        "--only", metavar="PARTS",
        help="comma-separated parts: map,leaflet,start,memory,kpi,intake,print (default all)",
    )  # fmt: skip
    bench.add_argument("--tiny", action="store_true", help="a quick run with tiny sizes")
    bench.add_argument("--out", type=Path, help="also write the results into this file")

    assign = commands.add_parser(
        "assign",
        help="assign a report to a crew (exit 0 stored, 3 taken by another crew, 4 refused)",
    )
    assign.add_argument("report", metavar="REPORT_NO")
    assign.add_argument("crew", metavar="CREW", help="crew code or name")

    serve = commands.add_parser(
        "serve", help="run the local JSON API (crew positions, PLN Mobile reports) and drop folder"
    )
    serve.add_argument("--port", type=int, help="port (default: setting api.port, 8765)")
    serve.add_argument(
        "--drop-folder",
        type=Path,
        help="folder watched for report files (default: setting intake.drop_folder, "
        "else 'masuk' in the data folder)",
    )
    for module in _command_modules():
        module.add_parser(commands)
    return parser


def _command_modules() -> list:
    return [importlib.import_module(name) for name in COMMAND_MODULES]


def _add_print_options(snap) -> None:
    """Any of these makes `snapshot` print a page (title, legend, scale bar, table)."""
    snap.add_argument("--dpi", type=int, help=f"PNG resolution, {MIN_DPI}–{MAX_DPI} (default 150)")
    snap.add_argument("--paper", choices=PAPERS, help="paper size (default A4)")
    snap.add_argument("--landscape", action="store_true", help="landscape page")
    snap.add_argument("--privacy", action="store_true", help="hide customer data on the page")


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of 0 or more")
    return value


def check_db_url(url: str | None) -> None:
    """Refuse a URL that would silently use a throw-away in-memory database."""
    if url is None:
        return
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"--db '{url}' is not a database URL (e.g. sqlite:///comcen.db or "
            "postgresql+psycopg://user@127.0.0.1/comcen)"
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ValueError(f"--db '{url}' names no file; use sqlite:///path/to/comcen.db")


def check_db_exists(url: str | None) -> None:
    from services.database import resolve_url

    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or (parsed.database or "").startswith("file:"):
        return
    path = Path(parsed.database)
    if not path.is_file() or path.stat().st_size == 0:
        raise ValueError(f"database file {path} does not exist; check --db or COMCEN_DB")


def configure_logging(verbose: bool) -> None:
    """Warnings to the terminal, the whole story to comcen.log in the data folder."""
    terminal = logging.StreamHandler()
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handlers: list[logging.Handler] = [terminal]
    log_dir = paths.user_data_dir()
    with contextlib.suppress(OSError):  # a read-only profile still logs to the terminal
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_dir / "comcen.log", encoding="utf-8"))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


def has_display() -> bool:
    """Whether a window can be shown; on Linux that needs X11 or Wayland."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    if args.lang:
        i18n.set_language(args.lang)

    try:
        return _run(args)
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: one clear line, details in the log
        log.debug("Command failed", exc_info=True)
        print(f"comcen: {one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def one_line(exc: Exception) -> str:
    """The first line of an error, without SQL or its parameters (they may hold a
    customer's name and phone number)."""
    if isinstance(exc, SQLAlchemyError):
        exc = getattr(exc, "orig", None) or exc
        text = str(exc).split("\n[SQL:")[0]
    else:
        text = str(exc)
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _run(args) -> int:
    check_db_url(args.db)
    if args.command in NEEDS_EXISTING_DB:
        check_db_exists(args.db)
    if args.command in SIGNED_COMMANDS:
        _sign_in_command(args)
    if args.command == "simulate":
        return _simulate(args)
    if args.command == "snapshot":
        return _snapshot(args)
    if args.command == "db":
        return _db(args)
    if args.command == "bench":
        return _load("maps.bench_suite").run_command(args)
    if args.command == "assign":
        return _assign(args)
    if args.command == "serve":
        return _serve(args)
    for module in _command_modules():
        if args.command == module.NAME:
            return module.run(args)
    if args.screen is not None and not args.wall:
        raise ValueError("--screen only applies to the wall; use --wall --screen N")
    return _console(args)


def _console(args) -> int:
    if not has_display():
        print(
            "comcen: tidak ada layar (DISPLAY/WAYLAND_DISPLAY kosong); konsol butuh layar. "
            "Tanpa layar gunakan: comcen snapshot --out peta.png",
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY
    if args.wall:
        _sign_in_wall()
        return _load("ui.wall").run(args.db, args.screen)
    return _load("ui.app").run(args.db, simulate_live=args.simulate_live)


def _sign_in_command(args) -> None:
    from comcen_desktop.commands.users import sign_in_command
    from services import authz
    from services.database import open_database

    database = open_database(args.db)
    try:
        sign_in_command(database)
    finally:
        database.dispose()
    authz.require_current(SIGNED_COMMANDS[args.command])


def _sign_in_wall() -> None:
    """A wall only looks: it runs as role wall under its OS login, with no account."""
    from services import accounts, events

    events.set_actor(accounts.os_login(), "wall")


def _simulate(args) -> int:
    from services.database import open_database
    from services.simulation import simulate

    if not 0 < args.hours <= MAX_SIM_HOURS:
        print(
            f"comcen: --hours must be more than 0 and at most {MAX_SIM_HOURS}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        start = parse_iso(args.start) if args.start else None
    except (ValueError, OverflowError):
        print(
            f"comcen: --start '{args.start}' is not an ISO time such as "
            "2026-12-01T08:00 or 2026-12-01T08:00+07:00",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if start is not None and start + timedelta(hours=args.hours) > utc_now() + timedelta(minutes=1):
        print(
            f"comcen: --start {args.start} with --hours {args.hours:g} would put reports in "
            "the future; choose an earlier start or fewer hours",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if args.speed is not None or args.via_http:
        return _simulate_live(args)
    database = open_database(args.db)
    summary = simulate(
        database,
        hours=args.hours,
        seed=args.seed,
        start=start,
        waiting=args.waiting,
        storm=args.storm,
    )
    print(summary.describe())
    return EXIT_OK


def _simulate_live(args) -> int:
    from services.database import open_database
    from services.simulation import HttpFeed, run_live

    if args.speed is None or not 0 < args.speed <= 10_000 or args.start:
        raise ValueError("--speed X (0 < X ≤ 10000) is needed for a live run; --start is not")
    feed = HttpFeed(args.via_http) if args.via_http else None
    database = open_database(args.db)
    print(f"comcen: simulasi langsung {args.hours:g} jam pada {args.speed:g}× (Ctrl+C berhenti)")
    try:
        summary = run_live(database, args.hours, args.seed, args.speed, storm=args.storm, feed=feed)
    finally:
        database.dispose()
    print(summary.describe())
    if feed is not None and feed.refused:
        # E.g. a position older than the crew's stored one: the API refuses it, as it
        # would a real feed's; the log (-v) names each.
        print(f"comcen: {feed.refused} kiriman ditolak API (lihat log)")
    return EXIT_OK


def _snapshot(args) -> int:
    printing = args.dpi is not None or args.paper or args.landscape or args.privacy
    if printing and (args.width is not None or args.height is not None):
        raise ValueError(
            "--width/--height make a screen snapshot; --dpi/--paper/--landscape/"
            "--privacy make a print page: use one or the other"
        )
    if args.dpi is not None and not MIN_DPI <= args.dpi <= MAX_DPI:
        raise ValueError(f"--dpi {args.dpi} is outside {MIN_DPI}–{MAX_DPI}")
    args.width = 1600 if args.width is None else args.width
    args.height = 1000 if args.height is None else args.height
    if args.width * args.height > MAX_SNAPSHOT_PIXELS:
        print(
            f"comcen: --width × --height is more than {MAX_SNAPSHOT_PIXELS // 1_000_000} "
            "megapixels; use a PDF for large prints",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if not has_display():
        # The snapshot draws off screen; Qt needs to be told before it starts.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from services.database import open_database

    database = open_database(args.db)
    if printing:
        result = _load("maps.print_output").render_print(
            database,
            args.out,
            paper=args.paper or "A4",
            landscape=args.landscape,
            dpi=args.dpi or 150,
            privacy=args.privacy,
        )
        out = result.path
    else:
        out = _load("maps.snapshot").render_snapshot(database, args.out, args.width, args.height)
    print(f"comcen: peta disimpan ke {out}")
    return EXIT_OK


def _db(args) -> int:
    from services.database import open_database

    database = open_database(args.db)
    from comcen_desktop.storage.engine import describe

    print(f"comcen: database {describe(database.url)} is at the newest schema")
    return EXIT_OK


def _assign(args) -> int:
    from services import dispatch, events
    from services.database import open_database

    database = open_database(args.db)
    try:
        outcome = dispatch.assign_by_reference(
            database, args.report, args.crew, events.current_actor()
        )
    finally:
        database.dispose()
    stream = sys.stdout if outcome.kind == dispatch.OUTCOME_STORED else sys.stderr
    print(f"comcen: {outcome.message}", file=stream)
    return {
        dispatch.OUTCOME_STORED: EXIT_OK,
        dispatch.OUTCOME_TAKEN: EXIT_TAKEN,
        dispatch.OUTCOME_INVALID: EXIT_INVALID,
    }[outcome.kind]


def _serve(args) -> int:
    from services import drop_folder, http_api, notice_sender
    from services.database import open_database

    database = open_database(args.db)
    bind, port = http_api.configured_address(database, args.port)
    server = http_api.ApiServer(database, bind, port)
    folder = args.drop_folder or drop_folder.configured_folder(database)
    watcher = drop_folder.DropFolder(database, folder).start()
    sender = notice_sender.DeliveryLoop(database).start()  # customer notices, headless too
    print(f"comcen: API lokal di {server.url} (Ctrl+C untuk berhenti)", flush=True)
    print(f"comcen: folder laporan {folder}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl+C is how a foreground server is stopped
    finally:
        watcher.stop()
        sender.stop()
        server.stop()
        database.dispose()
    return EXIT_OK


def _load(module: str):
    return importlib.import_module(module)


if __name__ == "__main__":
    sys.exit(main())
