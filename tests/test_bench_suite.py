"""The benchmark suite in its tiny mode: every part gives its rows with numbers.

No timing is asserted (the machine is shared); the figures themselves are printed by
`comcen bench` and written to BENCHMARKS.md.
"""

from __future__ import annotations

import math

import pytest

from comcen_desktop import cli
from maps import bench_suite
from maps.bench_leaflet import find_chromium
from maps.bench_suite import PARTS, TINY, Row

# Rows each part gives at the TINY scale (two sizes × three pin counts × two ways,
# plus one per-item row; two Leaflet renderers × five figures, plus the empty page).
EXPECTED_ROWS = {
    "map": 13,
    "leaflet": 11,
    "start": 2,
    "memory": 3,
    "kpi": 2,
    "intake": 2,
    "print": 5,
}
UNITS = {
    "map": {"ms"},
    "leaflet": {"ms", "s", "×"},
    "start": {"s", "MB"},
    "memory": {"s", "MB"},
    "kpi": {"ms", "s"},
    "intake": {"reports/s"},
    "print": {"s"},
}


@pytest.fixture(scope="module")
def rows(qapp) -> list[Row]:
    return bench_suite.run(PARTS, TINY, progress=lambda _text: None)


def test_every_part_gives_its_rows_with_numbers(rows):
    by_part = {part: [row for row in rows if row.part == part] for part in PARTS}
    assert {part: len(found) for part, found in by_part.items()} == EXPECTED_ROWS
    for row in rows:
        if row.part == "leaflet" and find_chromium() is None:
            assert row.skipped == "chromium not installed"
            continue
        assert row.skipped == "", (row.figure, row.skipped)
        assert row.samples, row.figure
        assert all(math.isfinite(value) and value > 0 for value in row.samples), row
        assert row.unit in UNITS[row.part], (row.figure, row.unit)
        low, high = row.spread
        assert low <= row.median <= high


def test_the_repeats_are_kept_as_samples(rows):
    frames = [row for row in rows if row.figure.startswith("Comcen, batched pins, panning")]
    assert len(frames) == len(TINY.sizes) * len(TINY.pin_counts)
    assert all(len(row.samples) == TINY.frames for row in frames)
    kpi = next(row for row in rows if row.figure.startswith("KPI panel refresh"))
    assert len(kpi.samples) == TINY.kpi_runs


def test_the_console_start_row_names_its_pins_and_memory_is_plausible(rows):
    start = next(row for row in rows if row.part == "start" and row.unit == "s")
    assert "pins" in start.figure
    memory = [row for row in rows if row.part == "memory" and row.unit == "MB"]
    # A Qt process with the map: more than 50 MB, less than the machine.
    assert all(50 < row.median < 24_000 for row in memory), memory
    steady, peak = memory
    assert peak.median >= steady.median


def test_the_leaflet_ratio_is_its_frame_over_ours(rows):
    if find_chromium() is None:
        pytest.skip("chromium not installed")
    frame = next(
        row for row in rows if row.figure.startswith("Leaflet SVG") and "work" in row.figure
    )
    ratio = next(row for row in rows if row.figure.startswith("ratio Leaflet svg"))
    ours = next(row for row in rows if row.figure.startswith("Comcen, batched pins, panning")
                and row.figure.endswith(ratio.figure.rsplit("pan frame, ", 1)[1]))  # fmt: skip
    assert ratio.median == pytest.approx(frame.median / ours.median)


def test_the_table_has_one_line_per_row(rows):
    text = bench_suite.table(rows)
    lines = text.strip().splitlines()
    assert len(lines) == len(rows) + 2
    assert lines[0].startswith("| figure | median | spread | unit | n | goal | verdict |")


def test_verdict_follows_the_goal():
    assert Row("map", "x", [10.0, 12.0, 20.0], goal="< 16").verdict == "tercapai"
    assert Row("map", "x", [20.0, 30.0], goal="< 16").verdict == "BELUM"
    assert Row("intake", "x", [1500.0], unit="reports/s", goal=">= 1000").verdict == "tercapai"
    assert Row("intake", "x", [999.0], unit="reports/s", goal=">= 1000").verdict == "BELUM"
    assert Row("kpi", "x", [5.0]).verdict == ""


def test_spread_is_p10_p90_from_ten_samples():
    row = Row("map", "x", [float(n) for n in range(1, 101)])
    assert row.spread == pytest.approx((10.1, 90.9))
    assert Row("map", "x", [3.0, 1.0, 2.0]).spread == (1.0, 3.0)


def test_a_failing_part_gives_a_skipped_row_not_a_crash(monkeypatch, qapp):
    from services import intake_bench

    def broken(_url, _count):
        raise OSError("disk full")

    monkeypatch.setattr(intake_bench, "intake_rate", broken)
    rows = bench_suite.run(("intake",), TINY, progress=lambda _text: None)
    assert [(row.part, row.skipped) for row in rows] == [("intake", "OSError: disk full")]
    assert "skipped: OSError: disk full" in bench_suite.table(rows)


def test_markdown_keeps_the_text_around_the_results(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nintro\n\n<!-- bench:results -->\nold\n"
                   "<!-- /bench:results -->\n\nafter\n", encoding="utf-8")  # fmt: skip
    facts = {"date": "2026-12-04 10:00 WIB", "CPU": "test cpu"}
    bench_suite.write_markdown(out, [Row("kpi", "KPI x", [1.0, 2.0])], facts, 61.0)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nintro\n")
    assert text.rstrip().endswith("after")
    assert "old" not in text
    assert "- CPU: test cpu" in text and "| KPI x | 1.50 | 1.00–2.00 | ms | 2 |" in text


def test_unknown_part_is_refused_by_name(capsys):
    assert cli.main(["bench", "--only", "map,peta"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "peta" in err and "map,leaflet,start,memory,kpi,intake,print" in err
