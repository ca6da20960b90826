"""`comcen kpi` run as a user would: JSON shape, nulls, CSV, table, bad dates."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.test_cli import run_comcen
from tests.test_kpi_engine import build_day

FIELDS = {
    "key",
    "reports",
    "rpt_mean_min",
    "rpt_median_min",
    "rpt_p90_min",
    "rct_mean_min",
    "rct_median_min",
    "rct_p90_min",
    "rpt_achievement_pct",
    "rct_achievement_pct",
    "repeat_complaints",
    "negative_rating_pct",
    "saidi_min",
    "saifi",
    "caidi_min",
}


@pytest.fixture
def day_url(database, sqlite_url):
    with database.transaction() as session:
        build_day(session)
    return sqlite_url


THE_DAY = ("--from", "2025-06-10", "--to", "2025-06-10")


def kpi(url, tmp_path, *args):
    return run_comcen("--db", url, "kpi", *args, env_update={"COMCEN_HOME": str(tmp_path)})


def test_json_has_overall_and_groups_with_nulls(day_url, tmp_path):
    result = kpi(day_url, tmp_path, *THE_DAY, "--by", "ulp", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["overall"]) >= FIELDS
    assert all(set(group) >= FIELDS for group in data["groups"])
    groups = {group["key"]: group for group in data["groups"]}
    assert data["overall"]["reports"] == 9
    assert data["overall"]["rpt_mean_min"] == pytest.approx(142 / 7)
    assert groups["Pangkalpinang"]["rpt_achievement_pct"] == pytest.approx((40 - 70 / 3) / 20 * 100)
    quiet = groups["Toboali"]
    assert quiet["reports"] == 0
    assert quiet["rpt_mean_min"] is None and quiet["negative_rating_pct"] is None
    assert groups["Pangkalpinang"]["caidi_min"] is None  # no incident: undefined, not 0
    assert groups[None]["saidi_min"] is None  # outside every ULP: no N_T


def test_to_is_inclusive(day_url, tmp_path):
    one = json.loads(
        kpi(
            day_url, tmp_path, "--from", "2025-06-09", "--to", "2025-06-10", "--format", "json"
        ).stdout
    )
    assert one["overall"]["reports"] == 2 + 9
    assert one["groups"] == []


def test_csv_leaves_missing_values_empty(day_url, tmp_path):
    result = kpi(day_url, tmp_path, *THE_DAY, "--by", "shift", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["key"] for row in rows] == ["Pagi", "Sore", "Malam", ""]
    assert rows[-1]["row"] == "overall" and rows[-1]["reports"] == "9"
    assert rows[2]["reports"] == "0" and rows[2]["rpt_mean_min"] == ""


def test_table_is_aligned(day_url, tmp_path):
    result = kpi(day_url, tmp_path, "--from", "2025-06-10", "--to", "2025-06-10", "--by", "ulp")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "RPT p90" in lines[0] and "SAIDI" in lines[0]
    assert lines[1].startswith("---")
    pgk = next(line for line in lines if line.startswith("Pangkalpinang"))
    assert "23.3" in pgk
    toboali = next(line for line in lines if line.startswith("Toboali"))
    assert "–" in toboali


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--from", "2025-13-01", "--to", "2025-06-10"), "--from"),
        (("--from", "2025-06-01", "--to", "kemarin"), "--to"),
        (("--from", "2025-06-10", "--to", "2025-06-01"), "--to"),
    ],
)
def test_bad_dates_are_one_line_naming_the_argument(database, sqlite_url, tmp_path, args, named):
    result = kpi(sqlite_url, tmp_path, *args)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and named in lines[0], result.stderr
