"""The shift handover recap: counts, ages, text for the group chat, one-page PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from comcen_desktop.timeutil import WIB
from services.kpi_engine import handover
from tests.test_cli import run_comcen
from tests.test_kpi_engine import build_day, wib

DAY = date(2025, 6, 10)


@pytest.fixture
def day_database(database):
    with database.transaction() as session:
        build_day(session)
    return database


def recap(database, shift, now=None):
    with database.read() as session:
        return handover.build(session, DAY, shift, now=now or wib(12, 0))


def test_shift_bounds_in_wib():
    start, end = handover.shift_bounds(DAY, "malam")
    assert (start.astimezone(WIB), end.astimezone(WIB)) == (wib(10, 23), wib(11, 7))
    with pytest.raises(ValueError, match="unknown shift"):
        handover.shift_bounds(DAY, "siang")
    assert handover.last_finished_shift(wib(11, 7, 30)) == (DAY, "malam")
    assert handover.last_finished_shift(wib(11, 6, 59)) == (DAY, "sore")


def test_pagi_counts_and_what_is_handed_over(day_database):
    pagi = recap(day_database, "pagi")
    # Received A D E F L C; closed A D E F; C (Nyala 15:00, Selesai 15:10) and L go on.
    assert (pagi.received, pagi.closed, pagi.carried_in) == (6, 4, 0)
    assert [item.stage for item in pagi.still_open] == ["Dalam Pengerjaan", "Nyala"]
    assert [round(item.age_min) for item in pagi.still_open] == [120, 60]  # at 15:00
    assert [incident.customers for incident in pagi.incidents] == [500, 200]
    assert pagi.kpi.rpt_mean_min == pytest.approx((20 + 10 + 30 + 2 + 25) / 5)
    assert sum(crew.reports for crew in pagi.crews) == 6


def test_sore_carries_in_and_hands_over_across_midnight(day_database):
    sore = recap(day_database, "sore")
    # Open at 15:00: C (until 15:10) and L. Received G, H, B; B is still at work at 23:00.
    assert (sore.received, sore.carried_in) == (3, 2)
    assert sore.closed == 3  # C 15:10, G 16:10, H 19:00
    # L (13:00) and B (22:50), oldest first, aged at 23:00.
    assert [item.ulp for item in sore.still_open] == ["di luar ULP", "Pangkalpinang"]
    assert [round(item.age_min) for item in sore.still_open] == [600, 10]


def test_text_is_short_lined_indonesian(day_database):
    text = handover.to_text(recap(day_database, "pagi"))
    assert text.startswith("*REKAP SHIFT PAGI*")
    assert "07:00–15:00 WIB" in text and "Diterima      : 6" in text
    assert "Padam meluas Koba" in text and "umur 2 j 00 mnt" in text
    assert max(len(line) for line in text.splitlines()) <= 40


def test_handover_command_text_and_pdf(day_database, sqlite_url, tmp_path):
    env = {"COMCEN_HOME": str(tmp_path)}
    base = ["--db", sqlite_url, "handover", "--date", "2025-06-10", "--shift", "pagi"]
    printed = run_comcen(*base, env_update=env)
    assert printed.returncode == 0, printed.stderr
    assert "*REKAP SHIFT PAGI*" in printed.stdout

    txt = tmp_path / "rekap.txt"
    assert run_comcen(*base, "--out", str(txt), env_update=env).returncode == 0
    # The same recap, but for the "Dibuat" (made at) line.
    assert txt.read_text(encoding="utf-8").splitlines()[:-1] == printed.stdout.splitlines()[:-1]

    pdf = tmp_path / "rekap.pdf"
    made = run_comcen(*base, "--out", str(pdf), env_update=env, drop=("DISPLAY", "QT_QPA_PLATFORM"))
    assert made.returncode == 0, made.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert "Pages:           1" in info and "A4" in info


def test_handover_refuses_a_bad_date_and_suffix(database, sqlite_url, tmp_path):
    env = {"COMCEN_HOME": str(tmp_path)}
    bad = run_comcen(
        "--db", sqlite_url, "handover", "--date", "30-02-2025", "--shift", "pagi", env_update=env
    )
    assert bad.returncode == 1 and "--date" in bad.stderr
    odd = run_comcen(
        "--db",
        sqlite_url,
        "handover",
        "--date",
        "2025-06-10",
        "--shift",
        "pagi",
        "--out",
        str(tmp_path / "x.docx"),
        env_update=env,
    )
    assert odd.returncode == 1 and ".txt or .pdf" in odd.stderr
