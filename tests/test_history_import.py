"""SF fire calls imported as reports; the engine's RPT/RCT against pandas on the CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from comcen_desktop.storage.models import Report
from services.history_import import SF_FIRE_CALLS, import_csv
from services.kpi_engine import compute

SF_CSV = (
    Path(__file__).resolve().parent.parent
    / "data"
    / "real"
    / ("sf_fire_calls_2020-04-07_to_2020-04-20.csv")
)
APRIL = (datetime(2020, 4, 1, tzinfo=UTC), datetime(2020, 5, 1, tzinfo=UTC))
FORMAT = "%m/%d/%Y %I:%M:%S %p"


def independent_minutes() -> tuple[pd.Series, pd.Series]:
    """RPT and RCT per call straight from the CSV: first unit on scene, last unit
    available, rows with a time out of order left out (as the source's bad rows)."""
    frame = pd.read_csv(SF_CSV, dtype=str)
    times = {}
    for column in ("Received DtTm", "On Scene DtTm", "Available DtTm"):
        local = pd.to_datetime(frame[column], format=FORMAT, errors="coerce")
        times[column] = local.dt.tz_localize("America/Los_Angeles")
    received, scene, free = times.values()
    bad = (scene < received) | (free < received) | (free < scene) | received.isna()
    calls = pd.DataFrame(
        {"call": frame["Call Number"], "received": received, "scene": scene, "free": free}
    )[~bad]
    per_call = calls.groupby("call").agg(
        received=("received", "min"), scene=("scene", "min"), free=("free", "max")
    )
    rpt = (per_call["scene"] - per_call["received"]).dt.total_seconds().dropna() / 60
    rct = (per_call["free"] - per_call["received"]).dt.total_seconds().dropna() / 60
    return rpt, rct


@pytest.fixture(scope="module")
def expected():
    return independent_minutes()


def test_sf_calls_rpt_and_rct_match_an_independent_computation(database, expected):
    with database.transaction() as session:
        result = import_csv(session, SF_CSV, SF_FIRE_CALLS, "tester")
    assert result.rows == 10_410
    with database.read() as session:
        overall = compute(session, *APRIL).overall
        imported = session.scalar(
            select(func.count()).select_from(Report).where(Report.source_id.like("sf:%"))
        )

    rpt, rct = expected
    assert imported == result.reports
    assert overall.reports == result.reports
    assert overall.rpt_count == len(rpt)
    assert overall.rct_count == len(rct)
    assert overall.rpt_mean_min == pytest.approx(rpt.mean(), abs=1e-4)
    assert overall.rpt_median_min == pytest.approx(rpt.median(), abs=1e-4)
    assert overall.rpt_p90_min == pytest.approx(rpt.quantile(0.9), abs=1e-4)
    assert overall.rct_mean_min == pytest.approx(rct.mean(), abs=1e-4)
    assert overall.rct_median_min == pytest.approx(rct.median(), abs=1e-4)
    assert overall.rct_p90_min == pytest.approx(rct.quantile(0.9), abs=1e-4)


def test_sf_reports_have_no_place_and_group_under_none(database):
    with database.transaction() as session:
        import_csv(session, SF_CSV, SF_FIRE_CALLS, "tester")
    with database.read() as session:
        groups = compute(session, *APRIL, by="ulp").groups
        report = session.scalars(select(Report).where(Report.source_id == "sf:200983546")).one()
    assert [g.reports for g in groups if g.key is not None] == [0, 0, 0, 0, 0]
    assert groups[-1].key is None and groups[-1].reports > 5000
    assert (report.lat, report.lon, report.ulp_id) == (None, None, None)
    # Received 11:53:08 PM PDT on 7 April = 06:53:08 UTC on the 8th.
    assert report.reported_at == datetime(2020, 4, 8, 6, 53, 8, tzinfo=UTC)


def test_importing_twice_adds_nothing(database):
    with database.transaction() as session:
        first = import_csv(session, SF_CSV, SF_FIRE_CALLS, "tester")
    with database.transaction() as session:
        again = import_csv(session, SF_CSV, SF_FIRE_CALLS, "tester")
    assert (again.reports, again.already_there) == (0, first.reports)


def test_bad_rows_are_skipped_with_their_line_numbers(database, tmp_path):
    lines = SF_CSV.read_text(encoding="utf-8").splitlines()
    header, good = lines[0], lines[1]
    garbled = good.replace("04/07/2020 11:53:08 PM", "kemarin sore", 1).replace(
        "200983546", "900000001"
    )
    early = good.replace("04/08/2020 12:00:00 AM", "04/07/2020 10:00:00 PM", 1).replace(
        "200983546", "900000002"
    )
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([header, good, garbled, early]) + "\n", encoding="utf-8")
    with database.transaction() as session:
        result = import_csv(session, path, SF_FIRE_CALLS, "tester")
    assert result.rows == 3 and result.reports == 1
    assert [line for line, _ in result.skipped] == [3, 4]
    assert "is not a time" in result.skipped[0][1]
    assert "before" in result.skipped[1][1]
