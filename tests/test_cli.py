"""The `comcen` command run as a user would, in real processes."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage


def run_comcen(*args, env_update=None, drop=(), timeout=180):
    env = dict(os.environ)
    for key in drop:
        env.pop(key, None)
    env.update(env_update or {})
    return subprocess.run(
        [sys.executable, "-m", "comcen_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def test_console_without_display_says_so_in_one_line(tmp_path):
    result = run_comcen(
        "--db",
        f"sqlite:///{tmp_path / 'a.db'}",
        env_update={"COMCEN_HOME": str(tmp_path)},
        drop=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"),
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "comcen snapshot" in lines[0]


def test_simulate_then_snapshot_png_and_pdf(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    home = {"COMCEN_HOME": str(tmp_path)}
    sim = run_comcen("--db", db, "simulate", "--hours", "24", "--seed", "1", env_update=home)
    assert sim.returncode == 0, sim.stderr

    png = tmp_path / "a.png"
    snap = run_comcen(
        "--db",
        db,
        "snapshot",
        "--out",
        str(png),
        "--width",
        "800",
        "--height",
        "500",
        env_update=home,
        drop=("DISPLAY", "QT_QPA_PLATFORM"),
    )
    assert snap.returncode == 0, snap.stderr
    image = QImage(str(png))
    assert (image.width(), image.height()) == (800, 500)
    colours = {image.pixel(x, y) for x in range(0, 800, 10) for y in range(0, 500, 10)}
    assert len(colours) > 20

    pdf = tmp_path / "a.pdf"
    snap = run_comcen(
        "--db",
        db,
        "snapshot",
        "--out",
        str(pdf),
        env_update=home,
        drop=("DISPLAY", "QT_QPA_PLATFORM"),
    )
    assert snap.returncode == 0, snap.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


def test_snapshot_with_unknown_suffix_is_a_clear_error(tmp_path):
    result = run_comcen(
        "--db",
        f"sqlite:///{tmp_path / 'a.db'}",
        "snapshot",
        "--out",
        str(tmp_path / "a.gif"),
        env_update={"COMCEN_HOME": str(tmp_path)},
        drop=("DISPLAY",),
    )
    assert result.returncode == 1
    assert "a.gif" in result.stderr or ".gif" in result.stderr
    assert "Traceback" not in result.stderr


def test_simulate_with_a_bad_start_time_names_it(tmp_path):
    result = run_comcen(
        "--db",
        f"sqlite:///{tmp_path / 'a.db'}",
        "simulate",
        "--hours",
        "1",
        "--start",
        "kemarin",
        env_update={"COMCEN_HOME": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "kemarin" in result.stderr
    assert "Traceback" not in result.stderr
