"""Cell values as Indonesian spreadsheets really hold them, made into clean values.

Every function takes what a reader hands over (text from a CSV, or the int, float,
datetime or text openpyxl gives) and returns the clean value or raises ValueError
with a short Indonesian reason; the caller adds the column name and line number.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

IDPEL_DIGITS = 12
# An IDPEL that Excel stored as a number lost its leading zeros; 10 or 11 digits are
# taken as such a number and padded back. Shorter ones are too far gone to guess.
IDPEL_MIN_PADDED = 10
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 6, 15
# Excel serial days count from 1899-12-30 (Lotus's leap-year bug included). Only the
# years a history can hold (1954–2119) are taken as dates, so a stray count is not one.
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_SERIAL_RANGE = (20_000.0, 80_000.0)
MIN_YEAR, MAX_YEAR = 2000, 2100

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")
_SERIAL = re.compile(r"\d{5}(?:[.,]\d+)?")
_TIME = r"(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d{1,6}))?)?)?"
_ZONE = r"\s*(Z|[+-]\d{2}:?\d{2})?"
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _ZONE + r"$")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + _ZONE + r"$")
_PHONE_NOISE = re.compile(r"[\s\-.()/]")
_HEADER_NOISE = re.compile(r"[^0-9a-z]+")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_key(text: Any) -> str:
    """A column name as compared: case, spaces and punctuation do not matter."""
    raw = "" if text is None else str(text)
    return _HEADER_NOISE.sub("_", raw.replace("\ufeff", "").strip().lower()).strip("_")


def text(value: Any) -> str | None:
    """Cell text, trimmed; a number Excel made a float (1234.0) shows without '.0'."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_number(value: Any) -> float:
    """1.234,5 / 1,234.5 / 45123,5 / 12 → float. The last of ',' and '.' is the
    decimal mark when both appear; a lone ',' is decimal, several are thousands."""
    if isinstance(value, bool):
        raise ValueError("bukan angka")
    if isinstance(value, int | float):
        return float(value)
    raw = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.fullmatch(raw):
        raise ValueError("bukan angka")
    return float(_decimal_point(raw))


def _decimal_point(raw: str) -> str:
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):
            return raw.replace(".", "").replace(",", ".")
        return raw.replace(",", "")
    if raw.count(",") == 1:
        return raw.replace(",", ".")
    if raw.count(",") > 1:
        return raw.replace(",", "")
    if raw.count(".") > 1:  # 1.234.567: Indonesian thousands
        return raw.replace(".", "")
    return raw


def parse_count(value: Any) -> int:
    """A whole number; '1.234' is a thousand and more, as Indonesian text writes it."""
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}(\.\d{3})+", value.strip()):
        return int(value.strip().replace(".", ""))
    number = parse_number(value)
    if not number.is_integer() or number < 0:
        raise ValueError("bukan bilangan bulat 0 atau lebih")
    return int(number)


def parse_time(value: Any, zone: tzinfo) -> datetime:
    """An aware datetime. Local times (no offset) are in ``zone``; a text with an
    offset keeps it. Takes datetimes, Excel serials (number or text with a decimal
    comma), ISO, dd/mm/yyyy and dd-mm-yyyy with an optional HH:MM[:SS] or HH.MM."""
    moment = _moment(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"tahun {moment.year} di luar {MIN_YEAR}–{MAX_YEAR}")
    return moment


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value))
    raw = str(value).strip()
    if _SERIAL.fullmatch(raw):
        return _excel_serial(float(raw.replace(",", ".")))
    for pattern, order in ((_YMD, (0, 1, 2)), (_DMY, (2, 1, 0))):
        match = pattern.match(raw)
        if match:
            return _from_parts(match.groups(), order)
    raise ValueError("bukan waktu (contoh: 05/03/2024 14:30 atau 2024-03-05 14:30)")


def _excel_serial(days: float) -> datetime:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= days <= high:
        raise ValueError(f"angka {days:g} bukan tanggal Excel")
    # Whole seconds: a serial's fraction carries float noise of a few microseconds.
    return EXCEL_EPOCH + timedelta(seconds=round(days * 86_400))


def _from_parts(groups: tuple, order: tuple[int, int, int]) -> datetime:
    year, month, day = (int(groups[i]) for i in order)
    hour, minute, second, fraction, zone = groups[3:]
    micro = int((fraction or "0").ljust(6, "0"))
    try:
        moment = datetime(
            year, month, day, int(hour or 0), int(minute or 0), int(second or 0), micro
        )
    except ValueError:
        raise ValueError("tanggal atau jam tidak ada di kalender") from None
    if zone:
        moment = datetime.fromisoformat(moment.isoformat() + _iso_offset(zone))
    return moment


def _iso_offset(zone: str) -> str:
    if zone == "Z":
        return "+00:00"
    digits = zone.replace(":", "")
    return f"{digits[:3]}:{digits[3:]}"


def parse_idpel(value: Any) -> str | None:
    """12 digits as text. 10–11 digits lost their leading zeros in Excel: padded."""
    raw = text(value)
    if raw is None:
        return None
    raw = raw.lstrip("'").replace(" ", "").replace("-", "")
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE]\+?\d+", raw):
        raise ValueError(f"'{raw}' dalam notasi ilmiah: digit IDPEL sudah hilang")
    if raw.endswith(".0"):
        raw = raw[:-2]
    if not raw.isdigit():
        raise ValueError(f"'{raw[:20]}' bukan angka")
    if IDPEL_MIN_PADDED <= len(raw) < IDPEL_DIGITS:
        return raw.zfill(IDPEL_DIGITS)
    if len(raw) != IDPEL_DIGITS:
        raise ValueError(f"'{raw}' {len(raw)} digit, IDPEL harus {IDPEL_DIGITS} digit")
    return raw


def parse_phone(value: Any) -> str | None:
    """Phone text: '0812…' and '+62…'/'62…' kept as written; '812…' (the 0 lost in
    Excel) gets its 0 back. Spaces, dashes, dots and brackets are dropped."""
    raw = text(value)
    if raw is None:
        return None
    raw = raw.lstrip("'")
    if re.fullmatch(r"\d+[.,]0", raw):  # a number Excel wrote as 812345678.0
        raw = raw[:-2]
    raw = _PHONE_NOISE.sub("", raw)
    digits = raw[1:] if raw.startswith("+") else raw
    if not digits.isdigit():
        raise ValueError(f"'{raw[:20]}' bukan nomor telepon")
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise ValueError(f"'{raw}' bukan nomor telepon ({len(digits)} digit)")
    if raw.startswith("8"):
        return "0" + raw
    return raw
