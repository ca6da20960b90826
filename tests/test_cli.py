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


def one_clear_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_url_without_a_file_is_refused(tmp_path):
    result = run_comcen("--db", "sqlite:///", "db", "upgrade",
                        env_update={"COMCEN_HOME": str(tmp_path)})  # fmt: skip
    assert "names no file" in one_clear_line(result)


def test_a_read_only_database_says_so_without_sql_or_personal_data(tmp_path):
    db = tmp_path / "ro.db"
    home = {"COMCEN_HOME": str(tmp_path)}
    assert run_comcen("--db", f"sqlite:///{db}", "db", "upgrade", env_update=home).returncode == 0

    # SQLite's read-only mode holds even for root, who ignores file permissions.
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"
    result = run_comcen("--db", read_only, "simulate", "--hours", "2", env_update=home)

    line = one_clear_line(result)
    assert "readonly" in line or "read-only" in line
    assert "INSERT" not in result.stderr and "Pelanggan" not in result.stderr


def test_a_future_start_and_a_negative_seed_are_refused(tmp_path):
    home = {"COMCEN_HOME": str(tmp_path)}
    db = f"sqlite:///{tmp_path / 'a.db'}"
    future = run_comcen("--db", db, "simulate", "--hours", "5", "--start", "2100-01-01",
                        env_update=home)  # fmt: skip
    assert "future" in one_clear_line(future)
    negative = run_comcen("--db", db, "simulate", "--hours", "5", "--seed", "-5",
                          env_update=home)  # fmt: skip
    assert "--seed" in negative.stderr and "-5" in negative.stderr


def test_a_handover_of_a_shift_not_yet_begun_is_refused(tmp_path):
    home = {"COMCEN_HOME": str(tmp_path)}
    db = f"sqlite:///{tmp_path / 'a.db'}"
    assert run_comcen("--db", db, "db", "upgrade", env_update=home).returncode == 0
    result = run_comcen("--db", db, "handover", "--date", "2099-06-01", "--shift", "pagi",
                        env_update=home)  # fmt: skip
    line = one_clear_line(result)
    assert "belum mulai" in line
    assert "yang berjalan sekarang: --date 20" in line and "--shift " in line


def test_print_snapshot_and_exports_from_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    home = {"COMCEN_HOME": str(tmp_path)}
    headless = {"env_update": home, "drop": ("DISPLAY", "QT_QPA_PLATFORM")}
    assert run_comcen("--db", db, "db", "upgrade", env_update=home).returncode == 0
    png = tmp_path / "a3.png"
    done = run_comcen(
        "--db", db, "snapshot", "--out", str(png), "--paper", "A4", "--dpi", "100", **headless
    )
    assert done.returncode == 0, done.stderr
    assert QImage(str(png)).width() == round(210 / 25.4 * 100)

    bad = run_comcen("--db", db, "snapshot", "--out", str(png), "--dpi", "5000", **headless)
    assert bad.returncode == 1 and "50–1200" in bad.stderr
    bad = run_comcen("--db", db, "snapshot", "--out", str(png), "--paper", "B5", **headless)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr

    for fmt in ("html", "csv", "xlsx"):
        out = tmp_path / f"laporan.{fmt}"
        done = run_comcen("--db", db, "export", fmt, "--out", str(out), **headless)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 0
    bad = run_comcen("--db", db, "export", "csv", "--out", str(tmp_path / "x.xlsx"), **headless)
    assert bad.returncode == 1 and "must end in .csv" in bad.stderr
    bad = run_comcen(
        "--db", db, "export", "csv", "--out", str(tmp_path / "x.csv"), "--from", "2026-02-30",
        **headless,
    )  # fmt: skip
    assert bad.returncode == 1 and "--from" in bad.stderr
