"""Field checks of an arriving report (services.report_fields), with the gazetteer of
the real seeded database for village names and codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from comcen_desktop.domain import Category, Media
from services.intake import village_index
from services.report_fields import (
    FieldError,
    check_idpel,
    check_phone,
    normalise_phone,
    parse_decimal,
    parse_report,
)

NOW = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # 11:00 WIB


@pytest.fixture(scope="module")
def villages(seeded_sqlite_template):
    from services.database import open_database

    database = open_database(f"sqlite:///{seeded_sqlite_template}")
    try:
        with database.read() as session:
            yield village_index(session)
    finally:
        database.dispose()


def raw(**changes):
    base = {
        "source_id": "PM-1",
        "reported_at": "2025-03-10T10:45:00+07:00",
        "idpel": "521000123456",
        "name": "Budi",
        "phone": "0812-3456-7890",
        "address": "Jl. Merdeka 1",
        "lat": -2.131,
        "lon": 106.11,
        "category": "gangguan_individu",
        "media": "PLN Mobile",
        "description": "Listrik padam sejak pagi",
    }
    return {k: v for k, v in (base | changes).items() if v is not ...}


def fields_of(errors: list[FieldError]) -> list[str]:
    return sorted(e.field for e in errors)


def test_a_good_report_is_parsed_with_every_value():
    parsed, errors = parse_report(raw(customers="40"), now=NOW)

    assert errors == []
    assert parsed.reported_at == datetime(2025, 3, 10, 3, 45, tzinfo=UTC)
    assert (parsed.lon, parsed.lat, parsed.village_id) == (106.11, -2.131, None)
    assert parsed.idpel == "521000123456" and parsed.phone == "081234567890"
    assert parsed.category is Category.INDIVIDU and parsed.media is Media.PLN_MOBILE
    assert parsed.customers == 40 and parsed.source_id == "PM-1"


@pytest.mark.parametrize(
    ("idpel", "kept"),
    [("0210 0012 3456", "021000123456"), ("021000-123456", "021000123456"), (None, None)],
)
def test_idpel_keeps_leading_zeros_and_is_optional(idpel, kept):
    parsed, errors = parse_report(raw(idpel=idpel), now=NOW)
    assert errors == [] and parsed.idpel == kept


@pytest.mark.parametrize(
    ("idpel", "words"),
    [
        ("52100012345", "11 digit"),
        ("52100012345A", "hanya boleh berisi angka"),
        ("5210001234567", "13 digit"),
        (21000123456, "nol di depan hilang"),
        ("５２１０００１２３４５６", "hanya boleh berisi angka"),  # full-width digits
    ],
)
def test_a_bad_idpel_is_refused_by_name(idpel, words):
    parsed, errors = parse_report(raw(idpel=idpel), now=NOW)
    assert parsed is None
    assert fields_of(errors) == ["idpel"] and words in errors[0].message


def test_check_idpel_for_the_form():
    assert check_idpel("5210 0012 3456") is None
    assert "11 digit" in check_idpel("52100012345")


@pytest.mark.parametrize(
    ("phone", "kept"),
    [
        ("+62 812-3456-7890", "+6281234567890"),
        ("0812.3456.7890", "081234567890"),
        ("(0717) 421234", "0717421234"),
    ],
)
def test_phone_keeps_plus_and_leading_zero(phone, kept):
    parsed, errors = parse_report(raw(phone=phone), now=NOW)
    assert errors == [] and parsed.phone == kept
    assert normalise_phone(phone) == kept


@pytest.mark.parametrize("phone", ["0812-abc-7890", "12345", "+62 8123 4567 8901 234", 81234567890])
def test_a_bad_phone_is_refused(phone):
    parsed, errors = parse_report(raw(phone=phone), now=NOW)
    assert parsed is None and fields_of(errors) == ["phone"]


def test_check_phone_for_the_form():
    assert check_phone("+62 812 3456 7890") is None
    assert "angka" in check_phone("08x")


def test_a_time_without_offset_is_refused():
    parsed, errors = parse_report(raw(reported_at="2025-03-10T10:45:00"), now=NOW)
    assert parsed is None and fields_of(errors) == ["reported_at"]
    assert "zona waktu" in errors[0].message


def test_a_naive_datetime_is_refused_an_aware_one_taken():
    _, errors = parse_report(raw(reported_at=datetime(2025, 3, 10, 3, 0)), now=NOW)
    assert fields_of(errors) == ["reported_at"]
    parsed, errors = parse_report(raw(reported_at=NOW - timedelta(hours=1)), now=NOW)
    assert errors == [] and parsed.reported_at == datetime(2025, 3, 10, 3, 0, tzinfo=UTC)


def test_future_beyond_five_minutes_is_refused():
    four = (NOW + timedelta(minutes=4)).isoformat()
    six = (NOW + timedelta(minutes=6)).isoformat()
    assert parse_report(raw(reported_at=four), now=NOW)[1] == []
    parsed, errors = parse_report(raw(reported_at=six), now=NOW)
    assert parsed is None and "masa depan" in errors[0].message


def test_a_z_suffix_and_a_missing_time():
    parsed, _ = parse_report(raw(reported_at="2025-03-10T03:00:00Z"), now=NOW)
    assert parsed.reported_at == datetime(2025, 3, 10, 3, 0, tzinfo=UTC)
    parsed, _ = parse_report(raw(reported_at=...), now=NOW)
    assert parsed.reported_at == NOW  # the call form: now


def test_not_a_time_is_refused():
    _, errors = parse_report(raw(reported_at="kemarin sore"), now=NOW)
    assert fields_of(errors) == ["reported_at"] and "bukan waktu" in errors[0].message


def test_decimal_comma_and_strings_for_coordinates():
    parsed, errors = parse_report(raw(lat="-2,131", lon=" 106,11 "), now=NOW)
    assert errors == [] and (parsed.lon, parsed.lat) == (106.11, -2.131)
    assert parse_decimal("abc") is None and parse_decimal(True) is None
    assert parse_decimal("nan") is None


def test_missing_lat_and_village_is_refused():
    parsed, errors = parse_report(raw(lat=..., lon=...), now=NOW)
    assert parsed is None and fields_of(errors) == ["lat"]
    assert "village" in errors[0].message


def test_lon_without_lat_names_lat():
    _, errors = parse_report(raw(lat=...), now=NOW)
    assert fields_of(errors) == ["lat"]
    _, errors = parse_report(raw(lat="utara"), now=NOW)
    assert fields_of(errors) == ["lat"] and "bukan angka" in errors[0].message


def test_village_by_name_typo_and_code(villages):
    by_name, errors = parse_report(
        raw(lat=..., lon=..., village="desa belo laut"), gazetteer=villages, now=NOW
    )
    assert errors == []
    assert (round(by_name.lon, 6), round(by_name.lat, 6)) == (105.292681, -2.083726)
    typo, _ = parse_report(raw(lat=..., lon=..., village="Sungailait"), gazetteer=villages, now=NOW)
    code, _ = parse_report(
        raw(lat=..., lon=..., village="19.01.01.1001"), gazetteer=villages, now=NOW
    )
    assert typo.village_id == code.village_id is not None
    assert (round(code.lat, 6), round(code.lon, 6)) == (-1.857938, 106.122213)


def test_an_ambiguous_village_lists_its_candidates(villages):
    parsed, errors = parse_report(
        raw(lat=..., lon=..., village="Air Duren"), gazetteer=villages, now=NOW
    )
    assert parsed is None and fields_of(errors) == ["village"]
    assert "Mendo Barat" in errors[0].message and "Pemali" in errors[0].message
    # Naming the kecamatan settles it.
    parsed, errors = parse_report(
        raw(lat=..., lon=..., village="Air Duren Pemali"), gazetteer=villages, now=NOW
    )
    assert errors == [] and round(parsed.lat, 6) == -1.910563


def test_unknown_village_and_code(villages):
    _, errors = parse_report(raw(lat=..., lon=..., village="Zzyzx"), gazetteer=villages, now=NOW)
    assert fields_of(errors) == ["village"] and "tidak ditemukan" in errors[0].message
    _, errors = parse_report(
        raw(lat=..., lon=..., village="19.99.99.9999"), gazetteer=villages, now=NOW
    )
    assert "Kode desa" in errors[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Padam Meluas", Category.MELUAS),
        ("KELUHAN", Category.KELUHAN),
        ("gangguan individu", Category.INDIVIDU),
    ],
)
def test_category_by_value_or_label(value, expected):
    parsed, _ = parse_report(raw(category=value), now=NOW)
    assert parsed.category is expected


def test_unknown_or_missing_category_is_refused():
    _, errors = parse_report(raw(category="kebakaran"), now=NOW)
    assert fields_of(errors) == ["category"] and "tidak dikenal" in errors[0].message
    _, errors = parse_report(raw(category=...), now=NOW)
    assert fields_of(errors) == ["category"] and "wajib" in errors[0].message


def test_media_by_label_missing_and_unknown():
    assert parse_report(raw(media="contact center 123"), now=NOW)[0].media is Media.CC123
    assert parse_report(raw(media=...), now=NOW)[0].media is None
    _, errors = parse_report(raw(media="merpati pos"), now=NOW)
    assert fields_of(errors) == ["media"]


def test_lengths_and_types():
    _, errors = parse_report(
        raw(description="x" * 2001, name=["Budi"], source_id="s" * 81, customers=-3), now=NOW
    )
    assert fields_of(errors) == ["customers", "description", "name", "source_id"]


def test_every_error_is_reported_at_once():
    _, errors = parse_report(
        raw(idpel="123", phone="telp", reported_at="2025-03-10 10:00", category="x", lat=...),
        now=NOW,
    )
    assert fields_of(errors) == ["category", "idpel", "lat", "phone", "reported_at"]


def test_not_an_object():
    parsed, errors = parse_report(["a", "list"], now=NOW)
    assert parsed is None and fields_of(errors) == [""]
