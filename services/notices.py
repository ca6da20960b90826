"""Customer notices: what the customer is told, written into the outbox table.

A notice is enqueued in the transaction of the change that causes it (a new report,
a stage move), so a change and its notice are stored together or not at all; the
outbox is sent later by services.notice_sender, never on the operator's click.

Kinds, one of each per report (the table's unique report_id + kind):

- ``padam_diterima`` — the report was received (on creation);
- ``regu_berangkat`` — the crew is on its way (Dalam Perjalanan), with an estimated
  arrival: the crew's last position (its posko until it reports one) to the report,
  straight distance × the ULP's detour factor ÷ the vehicle's speed — the travel part
  of services.proposals' estimate; the queue wait is left out because the crew has
  already set off for this job;
- ``nyala`` — power is back (Nyala; Nyala Sementara gets no notice, the job is not
  finished and a second "nyala" would confuse);
- ``konfirmasi_selesai`` — after Selesai, "sudah selesai? balas YA/TIDAK" and a 1–5
  rating; the answer is stored by services.feedback.

Texts come from templates in settings ``notice.template.<kind>`` (the unit edits them;
defaults in comcen_desktop.settings). A report without a phone number still gets its
notice row, with status ``tanpa_nomor`` and never sent: the outbox then shows which
customers could not be told, instead of silently telling nobody. Simulated reports
and imported history get no notices at all (nobody is waiting to be told).
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from comcen_desktop import geo, settings
from comcen_desktop.domain import Stage
from comcen_desktop.storage.models import Crew, Notice, Posko, Report, UlpArea
from comcen_desktop.timeutil import as_utc, format_wib

log = logging.getLogger(__name__)

PADAM_DITERIMA = "padam_diterima"
REGU_BERANGKAT = "regu_berangkat"
NYALA = "nyala"
KONFIRMASI_SELESAI = "konfirmasi_selesai"
KINDS = (PADAM_DITERIMA, REGU_BERANGKAT, NYALA, KONFIRMASI_SELESAI)

KIND_LABELS = {
    PADAM_DITERIMA: "Laporan diterima",
    REGU_BERANGKAT: "Petugas menuju lokasi",
    NYALA: "Listrik menyala",
    KONFIRMASI_SELESAI: "Konfirmasi selesai",
}

# Outbox states. tanpa_nomor: stored for the record, never sent (no phone number).
ANTRE, TERKIRIM, GAGAL, TANPA_NOMOR = "antre", "terkirim", "gagal", "tanpa_nomor"
STATUS_LABELS = {
    ANTRE: "Antre",
    TERKIRIM: "Terkirim",
    GAGAL: "Gagal",
    TANPA_NOMOR: "Tanpa nomor",
}

STAGE_KINDS = {
    Stage.PERJALANAN: REGU_BERANGKAT,
    Stage.NYALA: NYALA,
    Stage.SELESAI: KONFIRMASI_SELESAI,
}

# What a template may use, with the meaning shown in the template editor.
PLACEHOLDERS = {
    "nomor": "nomor laporan",
    "nama": "nama pelanggan",
    "idpel": "IDPEL",
    "alamat": "alamat",
    "waktu": "waktu kejadian (WIB)",
    "regu": "nama regu",
    "eta": "perkiraan tiba (pukul … WIB, sekitar … menit; atau 'segera')",
    "eta_menit": "perkiraan menit perjalanan",
}

TEMPLATE_KEY = "notice.template.{kind}"
MAX_TEMPLATE_CHARS = 1000
UNKNOWN_ETA = "segera"
_TEMPLATE_CACHE = "notices.templates"
# Sources whose reports are history, not a customer waiting now (domain.Source values):
# an imported year of reports must not text anyone about last year's outage.
SILENT_SOURCES = frozenset({"impor", "simulasi"})


class TemplateError(ValueError):
    """A template the unit typed that cannot be used; the message names the kind."""


def template_key(kind: str) -> str:
    return TEMPLATE_KEY.format(kind=kind)


def check_template(kind: str, text: str) -> None:
    """Raise TemplateError when ``text`` is empty, too long, has a broken brace or a
    placeholder we cannot fill."""
    label = KIND_LABELS.get(kind, kind)
    if not (text or "").strip():
        raise TemplateError(f"Template '{label}' kosong.")
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateError(f"Template '{label}' lebih dari {MAX_TEMPLATE_CHARS} karakter.")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise TemplateError(f"Template '{label}': kurung kurawal tidak lengkap ({exc}).") from None
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        raise TemplateError(f"Template '{label}': isian {names} tidak dikenal.")


def template(session: Session, kind: str) -> str:
    """The unit's template for ``kind``, or the default when the stored one is broken."""
    cache = session.info.setdefault(_TEMPLATE_CACHE, {})
    if kind in cache:
        return cache[kind]
    text = settings.recent(session, template_key(kind))
    try:
        check_template(kind, text)
    except TemplateError as exc:
        log.warning("Notice template not usable, default used: %s", exc)
        text = settings.DEFAULTS[template_key(kind)]
    # Intake stores hundreds of reports a minute in a storm: read each template once
    # per session, not once per report.
    cache[kind] = text
    return text


def save_template(session: Session, kind: str, text: str) -> bool:
    """Store an edited template (checked first); True when it changed."""
    from services import authz, events

    authz.require_current("settings.edit")
    check_template(kind, text)
    before = settings.get(session, template_key(kind))
    if before == text:
        return False
    settings.put(session, template_key(kind), text)
    session.info.pop(_TEMPLATE_CACHE, None)
    events.record(
        session,
        "setting",
        "setting",
        None,
        actor=events.current_actor(),
        before={"key": template_key(kind), "value": before},
        after={"key": template_key(kind), "value": text},
    )
    return True


def render(text: str, values: dict[str, str]) -> str:
    """Fill a checked template; a placeholder without a value stays visible as is."""
    return string.Formatter().vformat(text, (), _Blanks(values))


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def base_values(report: Report, at: datetime) -> dict[str, str]:
    return {
        "nomor": report.number,
        "nama": (report.name or "").strip() or "Pelanggan",
        "idpel": report.idpel or "-",
        "alamat": (report.address or "").strip() or "-",
        "waktu": format_wib(at),
        "regu": "-",
        "eta": UNKNOWN_ETA,
        "eta_menit": "-",
    }


# --- enqueueing ---------------------------------------------------------------------


def on_report_created(session: Session, report: Report) -> Notice | None:
    """Enqueue "laporan diterima" for a new report, in the caller's transaction."""
    if _silent(report):
        return None
    values = base_values(report, report.reported_at)
    return _add(session, report, PADAM_DITERIMA, report.reported_at, values)


def on_stage(session: Session, report: Report, stage: Stage, at: datetime) -> Notice | None:
    """Enqueue the notice of a stage move (if the stage has one and it is not sent
    already — a report back in Pengerjaan and Nyala again is told once)."""
    kind = STAGE_KINDS.get(Stage(stage))
    if kind is None or _silent(report):
        return None
    if _exists(session, report.id, kind):
        return None
    values = base_values(report, at)
    if kind == REGU_BERANGKAT:
        values |= crew_values(session, report, at)
    return _add(session, report, kind, at, values)


def _silent(report: Report) -> bool:
    return bool(report.simulated) or report.source in SILENT_SOURCES


def _exists(session: Session, report_id: int, kind: str) -> bool:
    query = select(Notice.id).where(Notice.report_id == report_id, Notice.kind == kind)
    return session.scalar(query.limit(1)) is not None


def _add(
    session: Session, report: Report, kind: str, at: datetime, values: dict[str, str]
) -> Notice:
    recipient = (report.phone or "").strip() or None
    notice = Notice(
        report=report,
        kind=kind,
        recipient=recipient,
        body=render(template(session, kind), values),
        created_at=as_utc(at),
        status=ANTRE if recipient else TANPA_NOMOR,
        attempts=0,
    )
    session.add(notice)
    return notice


# --- the crew's estimated arrival ---------------------------------------------------


@dataclass(frozen=True)
class CrewEta:
    crew_name: str
    minutes: float | None  # None: no position known for the crew
    arrives_at: datetime | None


def crew_eta(session: Session, report: Report, at: datetime) -> CrewEta | None:
    """The report's crew's travel estimate from where it is now; None without a crew."""
    from services import proposals

    crew = session.get(Crew, report.crew_id) if report.crew_id is not None else None
    if crew is None:
        return None
    start = _crew_position(session, crew)
    if start is None or report.lon is None or report.lat is None:
        return CrewEta(crew.name, None, None)
    config = proposals.load_settings(session, at)
    ulp = session.get(UlpArea, report.ulp_id) if report.ulp_id is not None else None
    detour = config.detour(ulp.name if ulp else "")
    speed = config.speed_kmh.get(crew.vehicle, config.speed_kmh.get("mobil", 35.0))
    metres = geo.distance_m(start[0], start[1], report.lon, report.lat)
    minutes = metres * detour / (speed * 1000 / 60)
    return CrewEta(crew.name, minutes, as_utc(at) + timedelta(minutes=minutes))


def _crew_position(session: Session, crew: Crew) -> tuple[float, float] | None:
    if crew.lon is not None and crew.lat is not None:
        return crew.lon, crew.lat
    posko = session.get(Posko, crew.posko_id)
    return (posko.lon, posko.lat) if posko is not None else None


def crew_values(session: Session, report: Report, at: datetime) -> dict[str, str]:
    eta = crew_eta(session, report, at)
    if eta is None:
        return {}
    if eta.minutes is None:
        return {"regu": eta.crew_name}
    # Rounded up to whole minutes, never "0 menit": a crew is never there already.
    minutes = max(1, int(-(-eta.minutes // 1)))
    return {
        "regu": eta.crew_name,
        "eta": f"pukul {format_wib(eta.arrives_at, with_date=False)} WIB (sekitar {minutes} menit)",
        "eta_menit": str(minutes),
    }


# --- the outbox, for the dialog -----------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    id: int
    report_id: int
    report_number: str
    kind: str
    recipient: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    body: str


def list_notices(
    session: Session, statuses: list[str] | None = None, limit: int = 500
) -> list[NoticeRow]:
    """The newest notices first (optionally only some statuses), with report numbers."""
    query = select(Notice, Report.number).join(Report, Report.id == Notice.report_id)
    if statuses:
        query = query.where(Notice.status.in_(statuses))
    query = query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)
    return [
        NoticeRow(
            n.id,
            n.report_id,
            number,
            n.kind,
            n.recipient,
            n.status,
            n.attempts,
            n.last_error,
            n.created_at,
            n.sent_at,
            n.next_attempt_at,
            n.body,
        )
        for n, number in session.execute(query)
    ]


def example_values() -> dict[str, str]:
    """Values for the template editor's preview, from a made-up report."""
    return {
        "nomor": "LP261204-00042",
        "nama": "Budi Santoso",
        "idpel": "141234567890",
        "alamat": "Jl. Merdeka No. 12, Pangkalpinang",
        "waktu": "04-12-2026 14:05 WIB",
        "regu": "Yantek Pangkalpinang 1",
        "eta": "pukul 14:32 WIB (sekitar 27 menit)",
        "eta_menit": "27",
    }
