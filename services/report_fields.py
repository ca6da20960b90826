"""Checking the fields of a report as it arrives, before anything is stored.

One set of rules for every way in: the 123 call form, PLN Mobile (POST /api/reports),
the drop folder and the import. ``parse_report`` takes the raw fields (a dict as JSON
gives it) and returns either a ParsedReport or every field error at once, each with an
Indonesian message naming the field, so a sender can fix all of them in one go.

Decisions worth knowing:
- IDPEL is optional for every category. A caller whose power is out but who does not
  know the meter number must still be heard; without an IDPEL only the repeat check
  is lost. When given it must be exactly 12 digits (spaces and dashes are dropped,
  leading zeros kept). A number sent as a JSON integer has lost its leading zeros,
  so one that is not 12 digits long is refused with a message saying so.
- Phone numbers stay text: "0812...", "+62 812..." keep their 0 and +.
- ``reported_at`` must carry its offset ("+07:00", "Z"); a time without one is
  ambiguous (WIB? UTC? the phone's zone?) and refused. Missing means now (the call
  form); the API and drop folder require it (services.intake).
- A place is lat+lon, or a village (name or code) resolved through the gazetteer.
  The point is not judged here (0,0, swapped, outside Bangka): that is placement's
  job, which flags the report rather than refusing it.

Pure: no database; the gazetteer is passed in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from comcen_desktop.domain import CATEGORY_LABELS, MEDIA_LABELS, Category, Media
from comcen_desktop.timeutil import as_utc, parse_iso, to_wib, utc_now

MAX_CLOCK_AHEAD = timedelta(minutes=5)  # a phone clock a little ahead is normal
MAX_SOURCE_ID = 80  # report.source_id
# Source ids the history import gives its rows: a live sender must not take them.
IMPORT_PREFIXES = ("apkt:", "sf:")
MIN_YEAR = 2000  # as the history import: an older time is a wrong clock, not a report
MAX_NAME = 120  # report.name
MAX_ADDRESS = 500
MAX_DESCRIPTION = 2000
MAX_VILLAGE_TEXT = 120
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 6, 15  # a local landline .. E.164's longest
MAX_CUSTOMERS = 10_000_000
IDPEL_DIGITS = 12

_PHONE_NOISE = re.compile(r"[\s\-.()/]")
_IDPEL_NOISE = re.compile(r"[\s\-]")
_PHONE = re.compile(r"\+?\d+")
_VILLAGE_CODE = re.compile(r"\d{2}(\.\d{2}){2}\.\d{4}")  # BPS code: 19.01.01.1001


@dataclass(frozen=True)
class FieldError:
    field: str  # the raw key ("" for the message as a whole)
    message: str  # Indonesian, names the field

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class ParsedReport:
    """Checked fields. lon/lat are the point as given, or the village's point when
    the place came as a village (village_id is then set)."""

    reported_at: datetime  # aware UTC
    lon: float
    lat: float
    category: Category
    media: Media | None  # None: the intake fills it from the source
    source_id: str | None = None
    idpel: str | None = None
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    description: str | None = None
    customers: int | None = None
    village_id: int | None = None  # set when the place came as a village


class VillageIndex:
    """A gazetteer plus village codes (the gazetteer searches names only)."""

    MAX_REMEMBERED = 5000

    def __init__(self, gazetteer, codes: dict[str, int]):
        self.gazetteer = gazetteer
        self.codes = codes
        self._found: dict[tuple[str, int], list] = {}

    def search(self, text: str, limit: int = 8):
        # A fuzzy search costs milliseconds and feeds name the same 305 villages over
        # and over: remember the answers (the villages do not change while we run).
        key = (text, limit)
        if key not in self._found:
            if len(self._found) >= self.MAX_REMEMBERED:
                self._found.clear()
            self._found[key] = self.gazetteer.search(text, limit)
        return self._found[key]

    def point_for(self, village_id: int):
        return self.gazetteer.point_for(village_id)


def parse_report(
    raw: dict, *, now: datetime | None = None, gazetteer=None
) -> tuple[ParsedReport | None, list[FieldError]]:
    """(the checked report, []) or (None, every field error)."""
    if not isinstance(raw, dict):
        return None, [FieldError("", "Laporan harus berupa objek JSON (pasangan field: nilai).")]
    now = now or utc_now()
    errors: list[FieldError] = []

    fields: dict[str, Any] = {
        "source_id": _text(raw, "source_id", MAX_SOURCE_ID, errors),
        "reported_at": _reported_at(raw.get("reported_at"), now, errors),
        "idpel": _idpel_field(raw.get("idpel"), errors),
        "name": _text(raw, "name", MAX_NAME, errors),
        "phone": _phone_field(raw.get("phone"), errors),
        "address": _text(raw, "address", MAX_ADDRESS, errors),
        "description": _text(raw, "description", MAX_DESCRIPTION, errors),
        "category": _category(raw.get("category"), errors),
        "media": _media(raw.get("media"), errors),
        "customers": _customers(raw.get("customers"), errors),
    }
    place = _place(raw, gazetteer, errors)

    if errors or place is None:
        return None, errors
    lon, lat, village_id = place
    return ParsedReport(lon=lon, lat=lat, village_id=village_id, **fields), []


def check_idpel(text: str) -> str | None:
    """The error message for an IDPEL as typed, or None when it is a valid one."""
    digits = _IDPEL_NOISE.sub("", text)
    if not digits.isdigit() or not digits.isascii():
        return f"IDPEL '{text[:30]}' hanya boleh berisi angka ({IDPEL_DIGITS} digit)."
    if len(digits) != IDPEL_DIGITS:
        return f"IDPEL harus {IDPEL_DIGITS} digit; '{text[:30]}' berisi {len(digits)} digit."
    return None


def normalise_idpel(text: str) -> str:
    return _IDPEL_NOISE.sub("", text)


def normalise_phone(text: str) -> str:
    """'+62 812-3456.789' -> '+628123456789'; a leading 0 or + stays."""
    return _PHONE_NOISE.sub("", text.strip())


def check_phone(text: str) -> str | None:
    """The error message for a phone number as typed, or None when it is usable."""
    phone = normalise_phone(text)
    if not _PHONE.fullmatch(phone) or not phone.isascii():
        return (
            f"Nomor telepon '{text[:30]}' hanya boleh berisi angka, "
            "dengan + di depan untuk kode negara."
        )
    digits = len(phone.lstrip("+"))
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        return (
            f"Nomor telepon harus {MIN_PHONE_DIGITS}–{MAX_PHONE_DIGITS} digit; "
            f"'{text[:30]}' berisi {digits}."
        )
    return None


def parse_decimal(value: Any) -> float | None:
    """A number, or a string with a decimal point or comma ("-2,131"); None if not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _text(raw: dict, key: str, limit: int, errors: list[FieldError]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and key == "source_id":
        value = str(value)  # a numeric id from a feed is still an id
    if not isinstance(value, str):
        errors.append(FieldError(key, f"'{key}' harus berupa teks."))
        return None
    text = value.strip()
    if len(text) > limit:
        errors.append(FieldError(key, f"'{key}' terlalu panjang ({len(text)} > {limit} huruf)."))
        return None
    if not _storable(text):
        errors.append(FieldError(key, f"'{key}' berisi karakter yang tidak sah (NUL/surrogate)."))
        return None
    if key == "source_id" and text.lower().startswith(IMPORT_PREFIXES):
        errors.append(
            FieldError(
                key, f"'{key}' tidak boleh diawali {', '.join(IMPORT_PREFIXES)} (dipakai impor)."
            )
        )
        return None
    return text or None


def _storable(text: str) -> bool:
    """Text both databases keep as sent: no NUL (PostgreSQL refuses it) and no lone
    surrogate (not encodable as UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _reported_at(value: Any, now: datetime, errors: list[FieldError]) -> datetime | None:
    if value is None or value == "":
        return now
    moment = _moment(value, errors)
    if moment is None:
        return None
    if moment > now + MAX_CLOCK_AHEAD:
        errors.append(FieldError("reported_at", "'reported_at' lebih dari 5 menit di masa depan."))
        return None
    if to_wib(moment).year < MIN_YEAR:
        year = to_wib(moment).year
        errors.append(FieldError("reported_at", f"'reported_at' tahun {year} sebelum {MIN_YEAR}."))
        return None
    return moment


def _moment(value: Any, errors: list[FieldError]) -> datetime | None:
    naive = FieldError(
        "reported_at", "'reported_at' tanpa zona waktu; tulis mis. 2025-01-31T08:15:00+07:00."
    )
    if isinstance(value, datetime):
        if value.tzinfo is None:
            errors.append(naive)
            return None
        return as_utc(value)
    if not isinstance(value, str):
        errors.append(FieldError("reported_at", "'reported_at' harus teks waktu ISO 8601."))
        return None
    try:
        if datetime.fromisoformat(value.strip()).tzinfo is None:
            errors.append(naive)
            return None
        return parse_iso(value)
    except (ValueError, OverflowError):
        errors.append(
            FieldError("reported_at", f"'reported_at' '{value[:40]}' bukan waktu ISO 8601.")
        )
        return None


def _idpel_field(value: Any, errors: list[FieldError]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        if len(text) != IDPEL_DIGITS:
            errors.append(
                FieldError(
                    "idpel",
                    f"'idpel' dikirim sebagai angka {text} ({len(text)} digit): angka nol di "
                    f"depan hilang. Kirim IDPEL {IDPEL_DIGITS} digit sebagai teks.",
                )
            )
            return None
        return text
    if not isinstance(value, str):
        errors.append(FieldError("idpel", "'idpel' harus berupa teks 12 digit."))
        return None
    problem = check_idpel(value)
    if problem:
        errors.append(FieldError("idpel", problem))
        return None
    return normalise_idpel(value)


def _phone_field(value: Any, errors: list[FieldError]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        # An integer has already lost the leading 0 of "0812...".
        errors.append(FieldError("phone", "'phone' harus berupa teks (angka 0 di depan dijaga)."))
        return None
    problem = check_phone(value)
    if problem:
        errors.append(FieldError("phone", problem))
        return None
    return normalise_phone(value)


def _enum_lookup(enum, labels: dict) -> dict[str, Any]:
    table = {}
    for member in enum:
        for text in (member.value, labels.get(member, ""), member.name):
            table[_key(text)] = member
    return table


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


_CATEGORIES = _enum_lookup(Category, CATEGORY_LABELS)
_MEDIA = _enum_lookup(Media, MEDIA_LABELS) | {_key("123"): Media.CC123}


def _category(value: Any, errors: list[FieldError]) -> Category | None:
    if value is None or value == "":
        errors.append(FieldError("category", f"'category' wajib: {_choices(CATEGORY_LABELS)}."))
        return None
    found = _CATEGORIES.get(_key(value)) if isinstance(value, str) else None
    if found is None:
        errors.append(
            FieldError(
                "category",
                f"'category' '{str(value)[:40]}' tidak dikenal; pilih {_choices(CATEGORY_LABELS)}.",
            )
        )
    return found


def _media(value: Any, errors: list[FieldError]) -> Media | None:
    if value is None or value == "":
        return None
    found = _MEDIA.get(_key(value)) if isinstance(value, str) else None
    if found is None:
        errors.append(
            FieldError(
                "media",
                f"'media' '{str(value)[:40]}' tidak dikenal; pilih {_choices(MEDIA_LABELS)}.",
            )
        )
    return found


def _choices(labels: dict) -> str:
    return ", ".join(f"{m.value} ({label})" for m, label in labels.items())


def _customers(value: Any, errors: list[FieldError]) -> int | None:
    if value is None or value == "":
        return None
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 0 <= number <= MAX_CUSTOMERS:
        errors.append(FieldError("customers", "'customers' harus bilangan bulat 0 atau lebih."))
        return None
    return number


def _place(
    raw: dict, gazetteer, errors: list[FieldError]
) -> tuple[float, float, int | None] | None:
    """(lon, lat, village_id or None); None after adding errors."""
    has_lat, has_lon = raw.get("lat") not in (None, ""), raw.get("lon") not in (None, "")
    village = raw.get("village")
    if has_lat or has_lon:
        return _point(raw, has_lon, has_lat, errors)
    if village not in (None, ""):
        return _village(village, gazetteer, errors)
    errors.append(
        FieldError("lat", "Lokasi wajib: kirim 'lat' dan 'lon', atau 'village' (nama/kode desa).")
    )
    return None


def _point(raw: dict, has_lon: bool, has_lat: bool, errors: list[FieldError]):
    values = {}
    for key, present in (("lon", has_lon), ("lat", has_lat)):
        if not present:
            errors.append(FieldError(key, f"'{key}' wajib bila '{_other(key)}' dikirim."))
            continue
        number = parse_decimal(raw[key])
        if number is None:
            errors.append(
                FieldError(key, f"'{key}' '{str(raw[key])[:30]}' bukan angka derajat desimal.")
            )
        values[key] = number
    if len(values) < 2 or None in values.values():
        return None
    return values["lon"], values["lat"], None


def _other(key: str) -> str:
    return "lat" if key == "lon" else "lon"


def _village(value: Any, gazetteer, errors: list[FieldError]):
    if not isinstance(value, str) or len(value) > MAX_VILLAGE_TEXT:
        errors.append(FieldError("village", "'village' harus teks nama atau kode desa."))
        return None
    if gazetteer is None:
        errors.append(FieldError("village", "Desa tidak dapat dicari; kirim 'lat' dan 'lon'."))
        return None
    village_id = _village_id(value.strip(), gazetteer, errors)
    if village_id is None:
        return None
    point = gazetteer.point_for(village_id)
    if point is None:
        errors.append(FieldError("village", f"Desa '{value}' tidak punya titik; kirim lat/lon."))
        return None
    return point[0], point[1], village_id


def _village_id(text: str, gazetteer, errors: list[FieldError]) -> int | None:
    codes = getattr(gazetteer, "codes", None)
    if codes is not None and _VILLAGE_CODE.fullmatch(text):
        if text in codes:
            return codes[text]
        errors.append(FieldError("village", f"Kode desa '{text}' tidak dikenal."))
        return None

    matches = gazetteer.search(text, limit=6)
    if not matches:
        errors.append(FieldError("village", f"Desa '{text}' tidak ditemukan di Bangka."))
        return None
    # One clear best (a higher score: exact over prefix, a named kecamatan, ...) is
    # taken; a tie at the top is the caller's to settle.
    if len(matches) == 1 or matches[0].score > matches[1].score:
        return matches[0].village_id
    tied = [m for m in matches if m.score == matches[0].score]
    names = "; ".join(f"{m.name} (Kec. {m.district})" for m in tied)
    errors.append(
        FieldError("village", f"Desa '{text}' bisa berarti beberapa desa: {names}. Sebutkan satu.")
    )
    return None
