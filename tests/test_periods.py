"""Days on the command line: ISO and the Indonesian spreadsheet forms, as WIB days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from comcen_desktop.commands.periods import period, wib_date
from comcen_desktop.timeutil import WIB


@pytest.mark.parametrize("text", ["2026-03-05", "05/03/2026", "05-03-2026", " 05/03/2026 "])
def test_the_same_day_written_three_ways(text):
    assert wib_date(text, "--from") == date(2026, 3, 5)


@pytest.mark.parametrize("text", ["30/02/2026", "2026-13-01", "kemarin", "03/05/26", "1999-12-31"])
def test_not_a_day_names_the_option(text):
    with pytest.raises(ValueError, match="--to"):
        wib_date(text, "--to")


def test_a_period_is_whole_wib_days_and_to_is_inclusive():
    start, end = period("01/03/2026", "2026-03-02")
    assert start == datetime(2026, 3, 1, tzinfo=WIB)
    assert end - start == timedelta(days=2)
    with pytest.raises(ValueError, match="sebelum"):
        period("2026-03-02", "2026-03-01")
