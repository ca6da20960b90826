"""A report's whole story for the history view: its fields, every stage with the
corrections made to its time, the event log rows in plain Indonesian, and links to
the reports and the incident it is tied to.

Pure reads that return frozen dataclasses; times stay aware UTC datetimes and the
view shows them in WIB.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comcen_desktop.domain import (
    CATEGORY_LABELS,
    MEDIA_LABELS,
    STAGE_LABELS,
    STAGE_ORDER,
    Category,
    Media,
    Stage,
)
from comcen_desktop.storage.models import (
    Crew,
    District,
    Event,
    Incident,
    Report,
    ReportStage,
    UlpArea,
    Village,
)
from comcen_desktop.timeutil import format_wib
from services import event_words

# Relations of a linked report, seen from the report whose history is shown.
REPEAT_OF = "Pengaduan berulang dari"
REPEATED_BY = "Diulang oleh"
REOPENED_FROM = "Dibuka ulang dari"
REOPENED_AS = "Dibuka ulang sebagai"

# The event's title in the history; the sentence comes from services.event_words.
EVENT_KINDS = {**event_words.KIND_LABELS, "create": "Laporan dibuat"}


@dataclass(frozen=True)
class FieldLine:
    label: str
    value: str


@dataclass(frozen=True)
class StageEntry:
    stage: Stage
    label: str
    at: datetime
    actor: str
    note: str | None
    original_at: datetime | None  # the first time recorded, when it was corrected
    corrected_by: str | None
    corrected_at: datetime | None
    correction_reason: str | None

    @property
    def corrected(self) -> bool:
        return self.original_at is not None


@dataclass(frozen=True)
class EventLine:
    seq: int
    at: datetime
    actor: str
    console: str | None
    kind: str
    title: str  # what happened, e.g. "Pindah tahap"
    text: str  # the change in words: "Lapor → Penugasan Regu, ..."


@dataclass(frozen=True)
class LinkedReport:
    report_id: int
    number: str
    relation: str  # REPEAT_OF, REPEATED_BY, REOPENED_FROM or REOPENED_AS
    stage: Stage


@dataclass(frozen=True)
class IncidentLink:
    incident_id: int
    number: str
    status: str


@dataclass(frozen=True)
class ReportHistory:
    report_id: int
    number: str
    stage: Stage
    fields: tuple[FieldLine, ...]
    stages: tuple[StageEntry, ...]
    events: tuple[EventLine, ...]
    links: tuple[LinkedReport, ...]
    incident: IncidentLink | None


def load_history(session: Session, report_id: int) -> ReportHistory | None:
    """Everything known about one report; None when there is no such report."""
    report = session.get(Report, report_id)
    if report is None:
        return None
    return ReportHistory(
        report_id=report.id,
        number=report.number,
        stage=Stage(report.stage),
        fields=tuple(_fields(session, report)),
        stages=tuple(_stages(session, report.id)),
        events=tuple(_events(session, report.id)),
        links=tuple(_links(session, report)),
        incident=_incident(session, report.incident_id),
    )


def _fields(session: Session, report: Report) -> list[FieldLine]:
    def name_of(model, key) -> str:
        row = session.get(model, key) if key is not None else None
        return row.name if row is not None else "–"

    point = "–" if report.lon is None else f"{report.lat:.5f}, {report.lon:.5f}"
    lines = [
        ("Nomor", report.number),
        ("Waktu lapor", format_wib(report.reported_at)),
        ("Tahap", STAGE_LABELS[Stage(report.stage)]),
        ("Kategori", _label(CATEGORY_LABELS, Category, report.category)),
        ("Media", _label(MEDIA_LABELS, Media, report.media)),
        ("Sumber", event_words.SOURCE_LABELS.get(report.source, report.source)),
        ("IDPEL", report.idpel),
        ("Nama", report.name),
        ("Telepon", report.phone),
        ("Alamat", report.address),
        ("Desa", name_of(Village, report.village_id)),
        ("Kecamatan", name_of(District, report.district_id)),
        ("ULP", name_of(UlpArea, report.ulp_id)),
        ("Lintang, bujur", point),
        ("Regu", name_of(Crew, report.crew_id)),
        ("Keterangan", report.description),
        ("Penyebab", report.cause),
        ("Pelanggan terdampak", report.customers),
        ("Tanda lokasi", report.placement_flag),
        ("Rating", report.rating),
        ("Sudah selesai?", _yes_no(report.feedback_resolved)),
        ("Komentar pelanggan", report.feedback_comment),
        ("Data simulasi", "ya" if report.simulated else None),
    ]
    return [FieldLine(label, _text(value)) for label, value in lines]


def _label(labels: dict, enum, value: str) -> str:
    try:
        return labels[enum(value)]
    except (ValueError, KeyError):
        return value


def _yes_no(value: bool | None) -> str | None:
    if value is None:
        return None
    return "ya" if value else "tidak"


def _text(value) -> str:
    if value is None or value == "":
        return "–"
    return str(value)


def _stages(session: Session, report_id: int) -> list[StageEntry]:
    rows = session.scalars(select(ReportStage).where(ReportStage.report_id == report_id))
    entries = [
        StageEntry(
            stage=Stage(row.stage),
            label=STAGE_LABELS[Stage(row.stage)],
            at=row.at,
            actor=row.actor,
            note=row.note,
            original_at=row.original_at,
            corrected_by=row.corrected_by,
            corrected_at=row.corrected_at,
            correction_reason=row.correction_reason,
        )
        for row in rows
    ]
    # Stage order first: a corrected time must not shuffle the stages on screen.
    order = {stage: i for i, stage in enumerate([*STAGE_ORDER, Stage.BATAL])}
    return sorted(entries, key=lambda e: (order[e.stage], e.at))


def _events(session: Session, report_id: int) -> list[EventLine]:
    query = (
        select(Event)
        .where(Event.entity == "report", Event.entity_id == report_id)
        .order_by(Event.seq)
    )
    rows = list(session.scalars(query))
    names = event_words.load_names(session, rows)
    return [
        EventLine(
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            console=row.console,
            kind=row.kind,
            title=EVENT_KINDS.get(row.kind, row.kind),
            text=event_words.describe(row.kind, row.before, row.after, row.entity, names),
        )
        for row in rows
    ]


def describe_event(kind: str, before: dict | None, after: dict | None) -> str:
    """One event's change in words an operator reads, e.g.
    'Tahap Lapor → Batal, 04-12-2026 19:20 WIB · catatan: pelanggan salah lapor'."""
    return event_words.describe(kind, before, after)


def _links(session: Session, report: Report) -> list[LinkedReport]:
    links = []
    for target_id, relation in (
        (report.repeat_of_id, REPEAT_OF),
        (report.reopened_from_id, REOPENED_FROM),
    ):
        other = session.get(Report, target_id) if target_id is not None else None
        if other is not None:
            links.append(LinkedReport(other.id, other.number, relation, Stage(other.stage)))

    later = session.scalars(
        select(Report)
        .where(or_(Report.repeat_of_id == report.id, Report.reopened_from_id == report.id))
        .order_by(Report.reported_at)
    )
    for other in later:
        relation = REOPENED_AS if other.reopened_from_id == report.id else REPEATED_BY
        links.append(LinkedReport(other.id, other.number, relation, Stage(other.stage)))
    return links


def _incident(session: Session, incident_id: int | None) -> IncidentLink | None:
    incident = session.get(Incident, incident_id) if incident_id is not None else None
    if incident is None:
        return None
    return IncidentLink(incident.id, incident.number, incident.status)
