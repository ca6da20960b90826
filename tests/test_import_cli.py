"""`comcen import`: the printed summary, every rejected row, and the exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from comcen_desktop import cli
from comcen_desktop.storage.models import Report
from services.database import open_database
from tests.test_report_import import apkt, write_csv


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COMCEN_HOME", str(tmp_path / "home"))


def imported(url: str) -> int:
    database = open_database(url)
    try:
        with database.read() as session:
            return session.scalar(select(func.count()).where(Report.source == "impor"))
    finally:
        database.dispose()


def apkt_file(tmp_path):
    rows = [
        apkt("K-1", "05/03/2024 10:00", "05/03/2024 10:20", "05/03/2024 10:50"),
        apkt("K-2", "05/03/2024 11:00", "05/03/2024 10:00"),
        apkt("K-3", "45356,5", status="Selesai"),
        apkt("K-1", "05/03/2024 10:00"),
        apkt("K-4", "05/03/2024 12:00", idpel="12"),
    ]
    return write_csv(tmp_path / "apkt.csv", rows)


def test_summary_and_rejected_rows_are_printed(sqlite_url, tmp_path, capsys):
    path = apkt_file(tmp_path)
    assert cli.main(["--db", sqlite_url, "import", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "comcen: apkt.csv: 5 baris dibaca, 2 diimpor, 1 dilewati (sudah ada), 2 ditolak — "
    )
    assert out[0].endswith("baris/detik")
    assert out[1].startswith("baris 3: waktu_response '05/03/2024 10:00' sebelum waktu_lapor")
    assert out[2] == "baris 6: idpel '12' 2 digit, IDPEL harus 12 digit"
    assert len(out) == 3
    assert imported(sqlite_url) == 2

    assert cli.main(["--db", sqlite_url, "import", str(path)]) == 0
    again = capsys.readouterr().out.splitlines()[0]
    assert "0 diimpor, 3 dilewati (sudah ada), 2 ditolak" in again
    assert imported(sqlite_url) == 2


def test_source_zone_option(sqlite_url, tmp_path, capsys):
    path = write_csv(tmp_path / "a.csv", [apkt("Z-1", "05/03/2024 10:00")])
    assert cli.main(["--db", sqlite_url, "import", str(path), "--source-tz", "Asia/Jayapura"]) == 0
    database = open_database(sqlite_url)
    with database.read() as session:
        report = session.scalars(select(Report).where(Report.source_id == "apkt:Z-1")).one()
    database.dispose()
    assert report.reported_at.isoformat() == "2024-03-05T01:00:00+00:00"  # 10:00 WIT


@pytest.mark.parametrize(
    ("make", "extra", "message"),
    [
        (lambda p: p / "hilang.csv", [], "hilang.csv: berkas tidak ditemukan"),
        (
            lambda p: write_csv(p / "x.csv", [["05/03/2024 10:00"]], header=["waktu_lapor"]),
            [],
            "x.csv: kolom wajib 'no_laporan' tidak ada",
        ),
        (
            lambda p: write_csv(p / "a.csv", [apkt("A", "05/03/2024 10:00")]),
            ["--source-tz", "WIB"],
            "zona waktu 'WIB' tidak dikenal",
        ),
        (
            lambda p: write_csv(p / "a.csv", [apkt("A", "05/03/2024 10:00")]),
            ["--mapping", "tidak-ada.json"],
            "tidak-ada.json: berkas pemetaan tidak ditemukan",
        ),
    ],
)
def test_a_file_that_cannot_be_read_exits_1(sqlite_url, tmp_path, capsys, make, extra, message):
    path = make(tmp_path)
    assert cli.main(["--db", sqlite_url, "import", str(path), *extra]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert imported(sqlite_url) == 0


def test_the_installed_command_runs_it(sqlite_url, tmp_path):
    path = apkt_file(tmp_path)
    env = dict(os.environ, COMCEN_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-m", "comcen_desktop", "--db", sqlite_url, "import", str(path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 diimpor" in done.stdout and "baris 6:" in done.stdout
