"""The shift handover recap: what came in, what was closed, what the next shift inherits.

Qt-free: `build()` reads the database, `to_text()` writes the recap for the team's
group chat (WhatsApp: *bold*, lines of about 40 characters, times in WIB); the PDF
is drawn from the same recap by ui/handover_pdf.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from comcen_desktop.domain import CLOSED_STAGES, STAGE_LABELS, Category, Stage
from comcen_desktop.storage.models import Report, ReportStage, UlpArea
from comcen_desktop.timeutil import SHIFTS, WIB, as_utc, format_age, to_wib, utc_now
from services.kpi_engine.engine import compute
from services.kpi_engine.figures import KpiFigures

SHIFT_NAMES = [name.lower() for name, _, _ in SHIFTS]
MAX_LISTED = 12  # open reports listed by name; the rest are counted (one A4 page)
_CLOSED = [stage.value for stage in CLOSED_STAGES]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


@dataclass(frozen=True)
class OpenItem:
    number: str
    ulp: str
    category: str
    stage: str  # label
    age_min: float  # at the end of the shift (or now, for a shift still running)


@dataclass(frozen=True)
class Incident:
    number: str
    ulp: str
    reported_at: datetime
    customers: int | None
    duration_min: float | None  # to Nyala; None while the power is still off


@dataclass(frozen=True)
class CrewWork:
    crew: str
    reports: int
    rpt_mean_min: float | None
    rct_mean_min: float | None


@dataclass(frozen=True)
class HandoverRecap:
    day: date  # WIB day the shift started
    shift: str  # Pagi, Sore, Malam
    start: datetime
    end: datetime
    received: int
    closed: int  # Selesai or Batal during the shift, whenever received
    carried_in: int  # open when the shift started
    still_open: list[OpenItem]  # open when it ended, oldest first
    kpi: KpiFigures
    incidents: list[Incident]
    crews: list[CrewWork]
    made_at: datetime


def shift_bounds(day: date, shift: str) -> tuple[datetime, datetime]:
    """UTC [start, end) of ``shift`` (pagi, sore, malam) starting on WIB day ``day``."""
    names = {name.lower(): (first, last) for name, first, last in SHIFTS}
    if shift.lower() not in names:
        raise ValueError(f"unknown shift '{shift}'; choose one of {', '.join(SHIFT_NAMES)}")
    first, last = names[shift.lower()]
    start = datetime.combine(day, time(first), WIB)
    end_day = day + timedelta(days=1) if last <= first else day
    return as_utc(start), as_utc(datetime.combine(end_day, time(last), WIB))


def last_finished_shift(now: datetime) -> tuple[date, str]:
    """The shift that ended most recently at or before ``now``: the one to recap."""
    today = to_wib(now).date()
    candidates = [
        (shift_bounds(day, name)[1], day, name)
        for day in (today - timedelta(days=2), today - timedelta(days=1), today)
        for name in SHIFT_NAMES
        if shift_bounds(day, name)[1] <= as_utc(now)
    ]
    _, day, name = max(candidates)
    return day, name


def build(session: Session, day: date, shift: str, now: datetime | None = None) -> HandoverRecap:
    start, end = shift_bounds(day, shift)
    now = as_utc(now) if now is not None else utc_now()
    cut = min(end, now)  # a shift still running is recapped as it stands
    figures = compute(session, start, end, now=cut)
    rows = _touching(session, start, end)
    names = dict(session.execute(select(UlpArea.id, UlpArea.name)).all())

    def is_open(row, moment: datetime) -> bool:
        return row.reported_at < moment and (row.closed_at is None or row.closed_at >= moment)

    still_open = [
        OpenItem(
            row.number,
            names.get(row.ulp_id, "di luar ULP"),
            row.category,
            STAGE_LABELS[Stage(row.stage_at_end or Stage.LAPOR.value)],
            (cut - row.reported_at).total_seconds() / 60,
        )
        for row in rows
        if is_open(row, cut)
    ]
    return HandoverRecap(
        day=day,
        shift=next(name for name, _, _ in SHIFTS if name.lower() == shift.lower()),
        start=start,
        end=end,
        received=figures.overall.reports,
        closed=sum(1 for row in rows if row.closed_at is not None and start <= row.closed_at < cut),
        carried_in=sum(1 for row in rows if is_open(row, start)),
        still_open=sorted(still_open, key=lambda item: -item.age_min),
        kpi=figures.overall,
        incidents=_incidents(session, start, end, names),
        crews=_crews(session, start, end, cut),
        made_at=now,
    )


@dataclass(frozen=True)
class _Touching:
    number: str
    ulp_id: int | None
    category: str
    reported_at: datetime
    closed_at: datetime | None
    stage_at_end: str | None


def _touching(session: Session, start: datetime, end: datetime) -> list[_Touching]:
    """Reports received before the shift ended that were open at some moment of it:
    still open now, or closed at or after its start."""
    closed_at = (
        select(func.min(ReportStage.at))
        .where(ReportStage.report_id == Report.id, ReportStage.stage.in_(_CLOSED))
        .scalar_subquery()
    )
    closed_late = select(ReportStage.report_id).where(
        ReportStage.stage.in_(_CLOSED), ReportStage.at >= start
    )
    query = select(
        Report.id,
        Report.number,
        Report.ulp_id,
        Report.category,
        Report.reported_at,
        closed_at.label("closed_at"),
    ).where(
        Report.reported_at < end,
        or_(Report.stage.not_in(_CLOSED), Report.id.in_(closed_late)),
    )
    rows = session.execute(query).all()
    stages = _stage_at(session, [row.id for row in rows], min(end, utc_now()))
    return [
        _Touching(
            row.number,
            row.ulp_id,
            row.category,
            as_utc(row.reported_at),
            as_utc(row.closed_at) if row.closed_at else None,
            stages.get(row.id),
        )
        for row in rows
    ]


def _stage_at(session: Session, ids: list[int], moment: datetime) -> dict[int, str]:
    """The stage each report had reached at ``moment`` (its latest stage row by then)."""
    latest: dict[int, tuple[datetime, str]] = {}
    for chunk in range(0, len(ids), 500):
        rows = session.execute(
            select(ReportStage.report_id, ReportStage.at, ReportStage.stage).where(
                ReportStage.report_id.in_(ids[chunk : chunk + 500]), ReportStage.at <= moment
            )
        )
        for report_id, at, stage in rows:
            if report_id not in latest or at >= latest[report_id][0]:
                latest[report_id] = (at, stage)
    return {report_id: stage for report_id, (_, stage) in latest.items()}


def _incidents(session, start, end, names) -> list[Incident]:
    restored = (
        select(ReportStage.at)
        .where(ReportStage.report_id == Report.id, ReportStage.stage == Stage.NYALA.value)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Report.number,
            Report.ulp_id,
            Report.reported_at,
            Report.customers,
            restored.label("restored"),
        )
        .where(
            Report.reported_at >= start,
            Report.reported_at < end,
            Report.category == Category.MELUAS.value,
            Report.stage != Stage.BATAL.value,
        )
        .order_by(Report.reported_at)
    )
    return [
        Incident(
            row.number,
            names.get(row.ulp_id, "di luar ULP"),
            row.reported_at,
            row.customers,
            (row.restored - row.reported_at).total_seconds() / 60 if row.restored else None,
        )
        for row in rows
    ]


def _crews(session, start, end, cut) -> list[CrewWork]:
    groups = compute(session, start, end, by="crew", now=cut).groups
    return [
        CrewWork(group.label, group.reports, group.rpt_mean_min, group.rct_mean_min)
        for group in groups
        if group.key is not None
    ]


def to_text(recap: HandoverRecap) -> str:
    """The recap for the group chat: short lines, WIB, no tables."""
    k = recap.kpi
    local_start, local_end = to_wib(recap.start), to_wib(recap.end)
    lines = [
        f"*REKAP SHIFT {recap.shift.upper()}*",
        "UP3 Bangka",
        f"{DAYS[recap.day.weekday()]}, {recap.day:%d-%m-%Y}",
        f"{local_start:%H:%M}–{local_end:%H:%M} WIB",
        "",
        "*Laporan*",
        f"Diterima      : {recap.received}",
        f"Ditutup       : {recap.closed}",
        f"Dari shift lalu: {recap.carried_in}",
        f"Masih terbuka : {len(recap.still_open)}",
        "",
        "*KPI shift*",
        f"RPT rata2 : {_minutes(k.rpt_mean_min)} ({_pct(k.rpt_achievement_pct)})",
        f"RPT p90   : {_minutes(k.rpt_p90_min)}",
        f"RCT rata2 : {_minutes(k.rct_mean_min)} ({_pct(k.rct_achievement_pct)})",
        f"RCT p90   : {_minutes(k.rct_p90_min)}",
        f"Berulang  : {k.repeat_complaints}",
        f"Rating neg: {k.negative_ratings} dari {k.rated_reports}",
    ]
    lines += ["", "*Diserahkan ke shift berikut*"]
    lines += [
        f"- {item.number}\n  {item.ulp}, {item.stage},\n  umur {format_age(item.age_min)}"
        for item in recap.still_open[:MAX_LISTED]
    ] or ["- tidak ada"]
    if len(recap.still_open) > MAX_LISTED:
        lines.append(f"- dan {len(recap.still_open) - MAX_LISTED} lainnya")
    lines += ["", "*Kejadian menonjol*"]
    lines += [_incident_line(incident) for incident in recap.incidents] or ["- tidak ada"]
    lines += ["", "*Kerja regu*"]
    lines += [
        f"- {crew.crew}\n  {crew.reports} lap, RPT {_minutes(crew.rpt_mean_min)}"
        for crew in recap.crews
    ] or ["- tidak ada"]
    lines += ["", f"Dibuat {to_wib(recap.made_at):%d-%m-%Y %H:%M} WIB"]
    return "\n".join(lines) + "\n"


def _incident_line(incident: Incident) -> str:
    customers = f"{incident.customers} plg" if incident.customers else "plg ?"
    lasted = (
        format_age(incident.duration_min) if incident.duration_min is not None else "belum nyala"
    )
    return (
        f"- Padam meluas {incident.ulp}\n  {to_wib(incident.reported_at):%H:%M}, {customers},"
        f" {lasted}"
    )


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} mnt".replace(".", ",")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"
