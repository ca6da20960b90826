"""The parts of the benchmark suite that run in this process: map frames, the Leaflet
comparison, KPI refresh, intake rate and print export. Each takes the Scale, a
temporary folder and the rows so far, and returns its rows (maps.bench_suite.Row).

They reuse the single benchmarks (maps.bench, maps.bench_leaflet,
services.kpi_engine.bench, services.intake_bench, maps.print_bench) and only add the
repeats and the rows.
"""

from __future__ import annotations

import logging
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from maps.bench_suite import Row, Scale

log = logging.getLogger(__name__)

FRAME_GOAL = "< 16"  # ms per frame, 10,000 pins at 1920×1080 (issue 8)
GOAL_PINS, GOAL_SIZE = 10_000, (1920, 1080)
REFERENCE = "Comcen, batched pins, panning"


def _size(size: tuple[int, int]) -> str:
    return f"{size[0]}×{size[1]}"


def _seconds(action, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return samples


# --- map frames --------------------------------------------------------------------


def map_rows(scale: Scale, _folder: Path, _rows: list[Row]) -> list[Row]:
    from maps import bench

    rows = []
    for size in scale.sizes:
        for count in scale.pin_counts:
            goal = FRAME_GOAL if (count, size) == (GOAL_PINS, GOAL_SIZE) else ""
            where = f"{count:,} pins, {_size(size)}"
            rows.append(
                Row("map", f"{REFERENCE}, {where}", bench.batched(count, scale.frames, True, size),
                    goal=goal)
            )  # fmt: skip
            rows.append(
                Row("map", f"Comcen, batched pins, full redraw (zoom), {where}",
                    bench.batched(count, scale.frames, False, size), goal=goal)
            )  # fmt: skip
    count = scale.per_item_pins
    rows.append(
        Row("map", f"one QGraphicsEllipseItem per pin, panning, {count:,} pins, "
            f"{_size(scale.sizes[0])}", bench.per_item(count, scale.frames))
    )  # fmt: skip
    return rows


# --- the alternative: folium/Leaflet in headless Chromium ----------------------------


def leaflet_rows(scale: Scale, folder: Path, rows: list[Row]) -> list[Row]:
    from maps import bench, bench_leaflet

    count, size = scale.leaflet_pins, scale.sizes[0]
    where = f"{count:,} pins, {_size(size)}"
    names = {
        "svg": f"Leaflet SVG (folium default), {where}",
        "canvas": f"Leaflet canvas (prefer_canvas), {where}",
    }
    if bench_leaflet.find_chromium() is None:
        return [Row("leaflet", f"{name}: pan frame", skipped="chromium not installed")
                for name in names.values()]  # fmt: skip

    ours = _reference(rows, f"{REFERENCE}, {where}")
    if ours is None:  # the map part did not run: measure the same view here
        ours = Row(
            "leaflet", f"{REFERENCE}, {where}", bench.batched(count, scale.frames, True, size)
        )
    bounds = visible_lonlat(size)
    lon, lat = bench.random_lonlat(count)
    results = bench_leaflet.measure(
        lon, lat, bounds, size, scale.leaflet_loads, scale.frames, folder
    )
    out = [ours] if ours.part == "leaflet" else []
    for variant, name in names.items():
        result = results[variant]
        megabytes = result["bytes"] / 1e6
        out += [
            Row("leaflet", f"{name}: pan frame, work on the page's thread", result["pan_ms"]),
            Row("leaflet", f"{name}: pan, until the next frame", result["next_frame_ms"]),
            Row("leaflet", f"{name}: page load to pins on screen", result["load_ms"],
                note=f"{megabytes:.1f} MB HTML"),
            Row("leaflet", f"{name}: folium builds the page", [result["build_s"]], unit="s"),
            Row("leaflet", f"ratio Leaflet {variant} / Comcen, pan frame, {where}",
                [statistics.median(result["pan_ms"]) / ours.median], unit="×",
                note=f"Comcen {ours.median:.1f} ms"),
        ]  # fmt: skip
    out.append(
        Row("leaflet", f"Leaflet, no pins, {_size(size)}: pan frame work (the page's floor)",
            results["empty"]["pan_ms"])
    )  # fmt: skip
    return out


def _reference(rows: list[Row], figure: str) -> Row | None:
    return next((row for row in rows if row.figure == figure and row.samples), None)


def visible_lonlat(size: tuple[int, int]) -> tuple[float, float, float, float]:
    """West, south, east, north of what the benchmark's Qt view shows, so the Leaflet
    page shows the same area and the same pins."""
    from comcen_desktop.geo import to_lonlat
    from maps import bench

    view = bench.make_view(size)
    try:
        rect = view.mapToScene(view.viewport().rect()).boundingRect()
    finally:
        view.close()
        view.deleteLater()
    # Scene y is minus the northing (maps.projection).
    lons, lats = to_lonlat([rect.left(), rect.right()], [-rect.bottom(), -rect.top()])
    return float(min(lons)), float(min(lats)), float(max(lons)), float(max(lats))


# --- KPI refresh ---------------------------------------------------------------------


def kpi_rows(scale: Scale, folder: Path, _rows: list[Row]) -> list[Row]:
    from comcen_desktop.timeutil import utc_now
    from services.database import open_database
    from services.kpi_engine import bench as kpi_bench
    from services.kpi_engine import compute, daily_trend

    database = open_database(f"sqlite:///{folder / 'kpi.db'}")
    try:
        end = utc_now()  # the year ends now, so the panel takes the path it takes live
        began = time.perf_counter()
        start = kpi_bench.fill(database, scale.kpi_reports, end)
        log.info("KPI bench: %d reports stored in %.1f s", scale.kpi_reports,
                 time.perf_counter() - began)  # fmt: skip
        with database.read() as session:

            def panel() -> None:  # what the console's KPI dock asks for on a refresh
                compute(session, end - timedelta(hours=12), end, "ulp")
                daily_trend(session, 30)

            panel_ms = [s * 1000 for s in _seconds(panel, scale.kpi_runs)]
            year_s = _seconds(lambda: compute(session, start, end), scale.year_runs)
    finally:
        database.dispose()
    stored = f"{scale.kpi_reports:,} reports"
    return [
        Row("kpi", f"KPI panel refresh (today by ULP + 30-day trend), {stored}", panel_ms),
        Row("kpi", f"KPI whole year, overall, {stored}", year_s, unit="s"),
    ]


# --- intake ------------------------------------------------------------------------


def intake_rows(scale: Scale, folder: Path, _rows: list[Row]) -> list[Row]:
    from services import intake_bench

    url = f"sqlite:///{folder / 'intake.db'}"
    results = [intake_bench.intake_rate(url, scale.intake_count) for _ in range(scale.intake_runs)]
    goal = f">= {intake_bench.GOAL_PER_S}"
    each = f"{scale.intake_count:,} reports a run, SQLite"
    return [
        Row("intake", f"intake, one report per transaction ({each})",
            [r["single_per_s"] for r in results], unit="reports/s", goal=goal),
        Row("intake", f"intake, {intake_bench.BATCH} reports per transaction ({each})",
            [r["batch_per_s"] for r in results], unit="reports/s", goal=goal),
    ]  # fmt: skip


# --- print and export ---------------------------------------------------------------


def print_rows(scale: Scale, folder: Path, _rows: list[Row]) -> list[Row]:
    from maps import print_bench
    from maps.print_output import render_print
    from services.database import open_database
    from services.export_html import export_html

    database = open_database(f"sqlite:///{folder / 'print.db'}")
    rows = []
    try:
        print_bench.fill(database, scale.print_reports)
        stored = f"{scale.print_reports:,} reports"
        for paper in ("A4", "A3"):
            for suffix in ("png", "pdf"):
                out = folder / f"print.{suffix}"
                samples = _seconds(
                    lambda out=out, paper=paper: render_print(
                        database, out, paper, landscape=True, dpi=scale.print_dpi
                    ),
                    scale.print_runs,
                )
                what = f"PNG {scale.print_dpi} dpi" if suffix == "png" else "PDF (vector)"
                rows.append(
                    Row("print", f"print {paper} landscape, {what}, {stored}", samples, unit="s",
                        note=f"{out.stat().st_size / 1e6:.1f} MB")
                )  # fmt: skip
        page = folder / "export.html"
        since = datetime(2000, 1, 1, tzinfo=UTC)
        samples = _seconds(lambda: export_html(database, page, start=since), scale.print_runs)
        rows.append(
            Row("print", f"HTML map export (folium, clustered), {stored}", samples, unit="s",
                note=f"{page.stat().st_size / 1e6:.1f} MB")
        )  # fmt: skip
    finally:
        database.dispose()
    return rows
