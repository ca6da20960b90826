"""The benchmark suite behind `comcen bench`: every figure in one table.

    QT_QPA_PLATFORM=offscreen comcen bench [--only map,leaflet,...] [--tiny] [--out BENCHMARKS.md]

Each part runs its measurement several times and gives its samples; the table shows
the median, the spread (p10–p90 with ten samples or more, else min–max), the unit,
the goal where the issue sets one and the verdict. Nothing here is asserted: the
machine is shared and noisy, so figures are printed and written down, not tested.

The parts live in maps/bench_parts.py (map, Leaflet, KPI, intake, print) and
maps/bench_console.py (start-up and memory of the real console process).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

log = logging.getLogger(__name__)

PARTS = ("map", "leaflet", "start", "memory", "kpi", "intake", "print")


@dataclass(frozen=True)
class Scale:
    """How much work each part does: FULL for the real figures, TINY for the test."""

    pin_counts: tuple[int, ...] = (1_000, 10_000, 50_000)
    sizes: tuple[tuple[int, int], ...] = ((1920, 1080), (3840, 2160))
    frames: int = 20
    per_item_pins: int = 10_000
    leaflet_pins: int = 10_000
    leaflet_loads: int = 3
    starts: int = 5
    sim_hours: float = 24.0
    memory_reports: int = 100_000
    memory_runs: int = 2
    settle_s: float = 3.0
    kpi_reports: int = 365_000
    kpi_runs: int = 5
    year_runs: int = 3
    intake_count: int = 500
    intake_runs: int = 3
    print_reports: int = 10_000
    print_runs: int = 3
    print_dpi: int = 300


FULL = Scale()
TINY = Scale(
    pin_counts=(100, 300, 1_000),
    sizes=((480, 270), (960, 540)),
    frames=3,
    per_item_pins=300,
    leaflet_pins=300,
    leaflet_loads=1,
    starts=1,
    sim_hours=2.0,
    memory_reports=2_000,
    memory_runs=1,
    settle_s=0.5,
    kpi_reports=3_000,
    kpi_runs=2,
    year_runs=1,
    intake_count=30,
    intake_runs=1,
    print_reports=100,
    print_runs=1,
    print_dpi=60,
)


@dataclass
class Row:
    part: str
    figure: str
    samples: list[float] = field(default_factory=list)
    unit: str = "ms"
    goal: str = ""  # e.g. "< 16"; empty when the issue sets none
    skipped: str = ""  # why there are no samples
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def spread(self) -> tuple[float, float]:
        if not self.samples:
            return math.nan, math.nan
        if len(self.samples) >= 10:
            deciles = statistics.quantiles(self.samples, n=10)
            return deciles[0], deciles[-1]
        return min(self.samples), max(self.samples)

    @property
    def verdict(self) -> str:
        if not self.goal or not self.samples:
            return ""
        sign, limit = self.goal.split()
        value, limit = self.median, float(limit.replace(",", ""))
        ok = value < limit if sign == "<" else value >= limit
        return "tercapai" if ok else "BELUM"


def number(value: float) -> str:
    if math.isnan(value):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table: readable in a terminal and in BENCHMARKS.md."""
    lines = [
        "| figure | median | spread | unit | n | goal | verdict |",
        "|---|---:|---:|---|---:|---|---|",
    ]
    for row in rows:
        if row.skipped:
            lines.append(f"| {row.figure} | skipped: {row.skipped} | | {row.unit} | 0 | | |")
            continue
        low, high = row.spread
        spread = f"{number(low)}–{number(high)}" if len(row.samples) > 1 else "–"
        note = f" ({row.note})" if row.note else ""
        lines.append(
            f"| {row.figure}{note} | {number(row.median)} | {spread} | {row.unit} | "
            f"{len(row.samples)} | {row.goal} | {row.verdict} |"
        )
    return "\n".join(lines) + "\n"


def run(parts: tuple[str, ...], scale: Scale, progress=print) -> list[Row]:
    """Run the chosen parts in a temporary folder; a part that fails gives a skipped
    row with the reason, so the other figures still come out."""
    from maps import bench_console, bench_parts

    runners = {
        "map": bench_parts.map_rows,
        "leaflet": bench_parts.leaflet_rows,
        "start": bench_console.start_rows,
        "memory": bench_console.memory_rows,
        "kpi": bench_parts.kpi_rows,
        "intake": bench_parts.intake_rows,
        "print": bench_parts.print_rows,
    }
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="comcen-bench-") as folder:
        for part in parts:
            began = time.perf_counter()
            progress(f"[{part}] …")
            try:
                new = runners[part](scale, Path(folder), rows)
            except Exception as exc:  # one broken part must not hide the other figures
                log.warning("Benchmark part %s failed", part, exc_info=True)
                new = [Row(part, part, skipped=f"{type(exc).__name__}: {exc}")]
            rows.extend(new)
            progress(f"[{part}] {time.perf_counter() - began:.0f} s")
    return rows


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import PySide6
    from PySide6.QtCore import qVersion

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{total_kb / 1024**2:.1f} GiB"
    os_name = platform.platform()
    with contextlib.suppress(OSError, StopIteration):
        release = Path("/etc/os-release").read_text()
        os_name = next(
            line.split("=", 1)[1].strip('"')
            for line in release.splitlines()
            if line.startswith("PRETTY_NAME=")
        )
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "OS": f"{os_name} ({platform.release()})",
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Qt platform": os.environ.get("QT_QPA_PLATFORM", "default"),
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


def machine_text(facts: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in facts.items()) + "\n"


RESULTS_START = "<!-- bench:results -->"
RESULTS_END = "<!-- /bench:results -->"


def write_markdown(out: Path, rows: list[Row], facts: dict[str, str], took_s: float) -> None:
    """Put the table and the machine between the markers of ``out`` (the rest of the
    file, which explains the figures, is kept); a new file gets the markers only."""
    block = (
        f"{RESULTS_START}\n## Results ({facts['date']})\n\nMachine:\n\n{machine_text(facts)}\n"
        f"Whole run: {took_s / 60:.1f} min.\n\n{table(rows)}{RESULTS_END}"
    )
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if RESULTS_START in text and RESULTS_END in text:
        before = text.split(RESULTS_START, 1)[0]
        after = text.split(RESULTS_END, 1)[1]
        text = before + block + after
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + block + "\n"
    out.write_text(text, encoding="utf-8")


def parse_parts(text: str | None) -> tuple[str, ...]:
    if not text:
        return PARTS
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in chosen if part not in PARTS]
    if unknown:
        raise ValueError(
            f"--only: bagian tidak dikenal {', '.join(unknown)}; pilih dari {','.join(PARTS)}"
        )
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="comcen bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run_command(parser.parse_args(argv))


def add_arguments(parser) -> None:
    parser.add_argument("--only", metavar="PARTS", help=f"comma-separated: {','.join(PARTS)}")
    parser.add_argument("--tiny", action="store_true", help="a quick run with tiny sizes")
    parser.add_argument("--out", type=Path, help="write the results into this Markdown file")


def run_command(args) -> int:
    from maps.snapshot import ensure_app

    parts = parse_parts(args.only)
    ensure_app()
    facts = machine()
    print(machine_text(facts))
    began = time.perf_counter()
    rows = run(parts, TINY if args.tiny else FULL)
    took = time.perf_counter() - began
    print()
    print(table(rows))
    print(f"Semua bagian: {took / 60:.1f} menit")
    if args.out:
        write_markdown(args.out, rows, facts, took)
        print(f"Hasil ditulis ke {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
