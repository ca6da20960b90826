"""Times are stored in UTC and shown in WIB (UTC+7, no daylight saving)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")

# Shift start hours in WIB; Malam runs over midnight into the next day.
SHIFTS = (("Pagi", 7, 15), ("Sore", 15, 23), ("Malam", 23, 7))


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Return an aware UTC datetime; naive values are taken as UTC (as stored)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_wib(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(WIB)


def format_wib(moment: datetime | None, with_date: bool = True) -> str:
    if moment is None:
        return "–"
    pattern = "%d-%m-%Y %H:%M WIB" if with_date else "%H:%M"
    return to_wib(moment).strftime(pattern)


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601; a value without an offset is read as WIB, as operators type it."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIB)
    return moment.astimezone(UTC)


def wib_day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The WIB calendar day holding ``moment``, as a UTC [start, end) pair."""
    local = to_wib(moment)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def shift_of(moment: datetime) -> str:
    hour = to_wib(moment).hour
    for name, start, end in SHIFTS:
        if start < end and start <= hour < end:
            return name
    return "Malam"


def format_age(minutes: float) -> str:
    if minutes < 60:
        return f"{minutes:.0f} mnt"
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} j {rest:02d} mnt"
