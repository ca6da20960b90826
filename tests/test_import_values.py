"""The history import's cell readers: dates and Excel serials, numbers with decimal
commas, IDPEL and phone numbers that lost or must keep their leading zeros, and the
posko names as spreadsheets spell them."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from comcen_desktop.storage.models import Crew, Posko
from services.report_import import values as v


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05 10:00", (2024, 3, 5, 10, 0, 0)),
        ("2024-03-05T10:00:30", (2024, 3, 5, 10, 0, 30)),
        ("05/03/2024 10:00", (2024, 3, 5, 10, 0, 0)),
        ("5/3/2024", (2024, 3, 5, 0, 0, 0)),
        ("05-03-2024 10.15.20", (2024, 3, 5, 10, 15, 20)),
        ("05.03.2024 10:15", (2024, 3, 5, 10, 15, 0)),
        ("45356", (2024, 3, 5, 0, 0, 0)),
        ("45356,75", (2024, 3, 5, 18, 0, 0)),
        (45356.25, (2024, 3, 5, 6, 0, 0)),
    ],
)
def test_times(text, expected):
    moment = v.parse_time(text, UTC)
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute,
            moment.second) == expected  # fmt: skip


@pytest.mark.parametrize("text", ["31/02/2024", "kemarin", "123", "05/03/1999 10:00", "99999"])
def test_not_times(text):
    with pytest.raises(ValueError):
        v.parse_time(text, UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.234,5", 1234.5), ("1,234.5", 1234.5), ("45123,5", 45123.5), ("-2,125", -2.125),
     ("12", 12.0), ("1.234.567", 1234567.0), (3, 3.0)],
)  # fmt: skip
def test_numbers(text, expected):
    assert v.parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("510001234567", "510001234567"), ("51000123456", "051000123456"),
     ("1000123456", "001000123456"), (51000123456, "051000123456"),
     ("51000123456.0", "051000123456"), ("'051000123456", "051000123456"),
     ("5100 0123 4567", "510001234567"), ("", None)],
)  # fmt: skip
def test_idpel(text, expected):
    assert v.parse_idpel(text) == expected


@pytest.mark.parametrize("text", ["123456789", "5100012345678", "5,10001E+11", "51A001234567"])
def test_bad_idpel(text):
    with pytest.raises(ValueError):
        v.parse_idpel(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("081234567890", "081234567890"), ("81234567890", "081234567890"),
     (81234567890, "081234567890"), ("+62 812-3456-7890", "+6281234567890"),
     ("6281234567890", "6281234567890"), ("(0717) 42 1234", "0717421234"),
     ("81234567890.0", "081234567890"), (None, None)],
)  # fmt: skip
def test_phones(text, expected):
    assert v.parse_phone(text) == expected


def test_posko_lookup_spellings(database):
    from services.report_import.organisation import OrgLookup

    with database.read() as session:
        lookup = OrgLookup(session)
        mentok = session.scalar(select(Posko.ulp_id).where(Posko.name == "Posko Yantek Mentok"))
        crew = session.scalar(select(Crew.id).where(Crew.code == "MENTOK-1"))
    for text in ("Posko Yantek Mentok", "POSKO MENTOK", "mentok", "ULP Mentok"):
        assert lookup.find(text) == (None, mentok), text
    assert lookup.find("mentok-1") == (crew, mentok)
    assert lookup.find("Regu Mentok 1 (mobil)") == (crew, mentok)
    assert lookup.find("Posko Bulan") == (None, None)
