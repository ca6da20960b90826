"""Start-up and memory of the real console, as separate processes.

Each run starts `python -m comcen_desktop --db URL -v` under the offscreen platform
with its own COMCEN_HOME, waits for the window's "Console ready" log line (written
right after the first state has been applied and the map repainted, see
ui.main_window), and takes:
- the wall time from launching the process to that line (the interpreter, imports,
  database, sign-in, first state and the painted map);
- the resident memory a few seconds later (steady) and its high-water mark (peak),
  from /proc/PID/status.
The console is then ended through its own process handle.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from maps.bench_suite import Row, Scale

log = logging.getLogger(__name__)

READY = re.compile(r"Console ready: map with (\d+) pins painted ([\d.]+) s")
READY_TIMEOUT_S = 180.0
SIM_SEED = 1


def start_rows(scale: Scale, folder: Path, _rows: list[Row]) -> list[Row]:
    url = console_db(scale, folder)
    runs = [launch(url, folder / "home", scale.settle_s) for _ in range(scale.starts)]
    pins = runs[-1]["pins"]
    what = f"simulated {scale.sim_hours:g} h, {pins} pins"
    return [
        Row("start", f"start-up to painted map, process launch → 'Console ready' ({what})",
            [r["wall_s"] for r in runs], unit="s"),
        Row("start", f"console memory (RSS) after start, steady ({what})",
            [r["rss_mb"] for r in runs], unit="MB"),
    ]  # fmt: skip


def memory_rows(scale: Scale, folder: Path, _rows: list[Row]) -> list[Row]:
    url = console_db(scale, folder)
    stored = add_history(url, scale)
    runs = [launch(url, folder / "home", scale.settle_s) for _ in range(scale.memory_runs)]
    what = f"{stored:,} stored reports, {runs[-1]['pins']} pins"
    return [
        Row("memory", f"console memory (RSS), steady ({what})",
            [r["rss_mb"] for r in runs], unit="MB"),
        Row("memory", f"console memory (RSS), peak ({what})",
            [r["peak_mb"] for r in runs], unit="MB"),
        Row("memory", f"start-up to painted map ({what})",
            [r["wall_s"] for r in runs], unit="s"),
    ]  # fmt: skip


def console_db(scale: Scale, folder: Path) -> str:
    """A database with a simulated stretch of work ending now (open jobs on the map);
    made once per suite run."""
    path = folder / "console.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    from services.database import open_database
    from services.simulation import simulate

    database = open_database(url)
    try:
        simulate(database, hours=scale.sim_hours, seed=SIM_SEED, waiting=4)
    finally:
        database.dispose()
    return url


def add_history(url: str, scale: Scale) -> int:
    """Fill the console's database up to ``scale.memory_reports`` stored reports: a
    year of closed reports before the simulated stretch. Returns the stored count."""
    from sqlalchemy import func, select

    from comcen_desktop.storage.models import Report
    from comcen_desktop.timeutil import utc_now
    from services.database import open_database
    from services.kpi_engine import bench as kpi_bench

    database = open_database(url)
    try:
        with database.read() as session:
            have = session.scalar(select(func.count(Report.id))) or 0
            last_id = session.scalar(select(func.max(Report.id))) or 0
        if have < scale.memory_reports:
            end = utc_now() - timedelta(hours=scale.sim_hours)
            kpi_bench.fill(database, scale.memory_reports - have, end, first_id=last_id + 1)
        with database.read() as session:
            return session.scalar(select(func.count(Report.id))) or 0
    finally:
        database.dispose()


def launch(url: str, home: Path, settle_s: float) -> dict:
    """One console process: seconds to 'Console ready', its pins, its memory."""
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COMCEN_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "comcen_desktop", "--db", url, "-v"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = _lines_of(proc)
        match, tail = _wait_ready(proc, lines)
        wall_s = time.perf_counter() - began
        time.sleep(settle_s)  # what the console holds once the first refresh is done
        status = _proc_status(proc.pid)
    finally:
        _end(proc)
    if match is None:
        raise RuntimeError(f"console did not report 'Console ready': {' | '.join(tail)}")
    return {
        "wall_s": wall_s,
        "in_process_s": float(match.group(2)),
        "pins": int(match.group(1)),
        "rss_mb": status.get("VmRSS", math.nan) / 1024,
        "peak_mb": status.get("VmHWM", math.nan) / 1024,
    }


def _lines_of(proc) -> queue.Queue:
    """The child's log lines, read by a thread so a full pipe never stalls it."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_ready(proc, lines: queue.Queue):
    deadline = time.monotonic() + READY_TIMEOUT_S
    tail: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:  # the console ended before it was ready
            return None, tail
        if match := READY.search(line):
            return match, tail
        tail = [*tail[-4:], line]
    return None, [*tail, f"no 'Console ready' in {READY_TIMEOUT_S:.0f} s"]


def _proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM in kB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        log.warning("No memory figures for process %d", pid, exc_info=True)
    return values


def _end(proc) -> None:
    """End the console we started, by its handle."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # Its log pipe is left to the reading thread, which ends at the pipe's end.
