"""Days typed on the command line, read as WIB days.

Both ISO (2026-03-05) and the way Indonesian spreadsheets write it (05/03/2026,
05-03-2026) are accepted, the same as the history import reads them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from comcen_desktop.timeutil import WIB

MIN_YEAR, MAX_YEAR = 2000, 2100
DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def wib_date(text: str, option: str) -> date:
    """The day, or ValueError naming the option."""
    for pattern in DAY_FORMATS:
        try:
            day = datetime.strptime(text.strip(), pattern).date()
            break
        except ValueError:
            continue
    else:
        raise ValueError(
            f"{option} '{text}' bukan tanggal: tulis 2026-03-05 atau 05/03/2026 (WIB)"
        ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"{option} '{text}' di luar tahun {MIN_YEAR}–{MAX_YEAR}")
    return day


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), WIB)


def period(
    first_text: str | None, last_text: str | None
) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the WIB days from --from to --to (inclusive); either may be None."""
    start = day_start(wib_date(first_text, "--from")) if first_text else None
    end = None
    if last_text:
        end = day_start(wib_date(last_text, "--to") + timedelta(days=1))  # --to is inclusive
    if start is not None and end is not None and end <= start:
        raise ValueError(f"--to {last_text} sebelum --from {first_text}")
    return start, end
