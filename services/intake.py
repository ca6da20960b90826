"""Storing a new report: placed, numbered, stage Lapor, logged, in one transaction.

Two ways in. ``create_report`` stores already-checked values (the simulator, tests).
``receive`` takes raw fields as they arrive (PLN Mobile, the drop folder, the call
form, the import) and does everything the centre needs before a report exists:
field checks (services.report_fields), the duplicate check by source id, placement
with the point checks, and the repeat-complaint link.

A point that cannot be trusted (0,0, swapped, outside Bangka, off the coast) is not
refused and not silently used: the report is stored without position and ULP, with
``placement_flag`` (the first issue code of services.placement_checks) and
``placement_fix`` = {"lon", "lat", "reason", "issues", "given"} (lon/lat of the likely
fix, or None), for the operator to place with ``place_report``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from comcen_desktop import settings
from comcen_desktop.domain import Category, Media, Source, Stage
from comcen_desktop.storage.models import Report, ReportStage, Village
from comcen_desktop.timeutil import to_wib
from services import events, lifecycle, notices
from services.placement import Place, Placer
from services.placement_checks import check_point
from services.report_fields import FieldError, ParsedReport, VillageIndex

log = logging.getLogger(__name__)

# Fields a machine sender must give: without a source id a resent report cannot be
# recognised, without a time the report would take the moment it was read.
REQUIRED = {
    Source.PLN_MOBILE: ("source_id", "reported_at"),
    Source.BERKAS: ("reported_at",),
}
DEFAULT_MEDIA = {Source.PLN_MOBILE: Media.PLN_MOBILE, Source.SIMULASI: Media.SIMULASI}
OPEN_STAGES_EXCLUDED = (Stage.SELESAI.value, Stage.BATAL.value)

# Built once: intake runs these for every report, and building a statement costs
# more than SQLite takes to run it.
_NEXT_ID = select(func.coalesce(func.max(Report.id), 0) + 1)
_NEXTVALS = text(
    "SELECT nextval(pg_get_serial_sequence('report', 'id')) FROM generate_series(1, :n)"
)


@dataclass
class NewReport:
    reported_at: datetime
    lon: float | None
    lat: float | None
    category: Category = Category.INDIVIDU
    media: Media = Media.CC123
    idpel: str | None = None
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    description: str | None = None
    source_id: str | None = None
    simulated: bool = False
    customers: int | None = None  # affected, for padam meluas
    source: str | None = None  # comcen_desktop.domain.Source value


@dataclass
class IntakeResult:
    report: Report | None  # the stored report, or the earlier one for a duplicate
    created: bool
    duplicate: bool
    errors: list[FieldError] = field(default_factory=list)
    flag: str | None = None  # placement_flag of the report
    repeat_of: Report | None = None
    message: str | None = None  # the placement check's words for a flagged point


class PlacementError(ValueError):
    """The operator's point lies in no ULP; the message says so in Indonesian."""


def report_number(report_id: int, reported_at: datetime) -> str:
    return f"LP{to_wib(reported_at):%y%m%d}-{report_id:05d}"


def create_report(session: Session, placer: Placer, new: NewReport, actor: str) -> Report:
    place = placer.place(new.lon, new.lat) if new.lon is not None and new.lat is not None else None
    return insert_report(session, new, place, actor)


def receive(
    session: Session,
    placer: Placer,
    raw: dict,
    *,
    source: str,
    actor: str,
    gazetteer=None,
    now: datetime | None = None,
) -> IntakeResult:
    """Check, de-duplicate, place, link and store one raw report (in the caller's
    transaction). Nothing is written when there are errors or for a duplicate.

    One report is a batch of one: the same code as services.intake_batch, so the call
    form, a single POST, a drop-folder file and a burst can never disagree."""
    from services.intake_batch import receive_batch  # it builds on this module

    (result,) = receive_batch(
        session, placer, [raw], source=source, actor=actor, gazetteer=gazetteer, now=now
    )
    return result


def is_blank(value) -> bool:
    """Missing for a required field: absent, empty, or only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def village_index(session: Session, gazetteer=None) -> VillageIndex:
    """The gazetteer with village codes; build once and pass it to ``receive``."""
    from services.gazetteer import Gazetteer  # only when a village must be looked up

    codes = {code: id_ for code, id_ in session.execute(select(Village.code, Village.id))}
    return VillageIndex(gazetteer or Gazetteer(session), codes)


def open_reports_for_idpel(session: Session, idpel: str) -> list[Report]:
    """The IDPEL's reports not yet Selesai or Batal, newest first."""
    query = (
        select(Report)
        .where(Report.idpel == idpel, Report.stage.not_in(OPEN_STAGES_EXCLUDED))
        .order_by(Report.reported_at.desc(), Report.id.desc())
    )
    return list(session.scalars(query))


def place_report(
    session: Session,
    report: Report,
    lon: float,
    lat: float,
    actor: str,
    placer: Placer | None = None,
) -> Report:
    """The operator places a report (a flagged one, or moves any): position, ULP,
    district and village; the flag is cleared. Raises PlacementError outside every ULP."""
    placer = placer or Placer(session)
    place = placer.place(lon, lat)
    if place is None:
        raise PlacementError(
            f"Titik {lat:.5f}, {lon:.5f} tidak berada di wilayah ULP mana pun; "
            "pilih titik di daratan Bangka."
        )
    before = _position(report)
    report.lon, report.lat = lon, lat
    report.village_id, report.district_id, report.ulp_id = (
        place.village_id,
        place.district_id,
        place.ulp_id,
    )
    report.placement_flag = None
    session.flush()
    events.record(
        session, "place", "report", report.id, actor=actor, before=before, after=_position(report)
    )
    return report


def _position(report: Report) -> dict:
    return {
        "lon": report.lon,
        "lat": report.lat,
        "ulp_id": report.ulp_id,
        "village_id": report.village_id,
        "placement_flag": report.placement_flag,
        "version": report.version,
    }


def new_report_from(parsed: ParsedReport, origin: Source) -> NewReport:
    return NewReport(
        reported_at=parsed.reported_at,
        lon=parsed.lon,
        lat=parsed.lat,
        category=parsed.category,
        media=parsed.media or DEFAULT_MEDIA.get(origin, Media.CC123),
        idpel=parsed.idpel,
        name=parsed.name,
        phone=parsed.phone,
        address=parsed.address,
        description=parsed.description,
        source_id=parsed.source_id,
        simulated=origin is Source.SIMULASI,
        customers=parsed.customers,
        source=origin.value,
    )


def repeat_days(session: Session) -> float:
    # Read once per session: a batch of a hundred reports asked for it a hundred times
    # (a missing setting row is a query every time).
    if "intake.repeat_days" not in session.info:
        session.info["intake.repeat_days"] = float(settings.recent(session, "kpi.repeat_days"))
    return session.info["intake.repeat_days"]


def next_report_ids(session: Session, count: int) -> list[int] | None:
    """Ids for the next ``count`` reports, taken in advance so each number is written
    with its INSERT instead of by an UPDATE after it. None where no safe way is
    known: the caller then numbers after the INSERT."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # Every write transaction holds SQLite's write lock from its start (BEGIN
        # IMMEDIATE, services.database), so max + 1 … are this transaction's alone.
        first = session.scalar(_NEXT_ID)
        return list(range(first, first + count))
    if dialect == "postgresql":
        return sorted(session.scalars(_NEXTVALS, {"n": count}))
    return None


def judge_point(placer: Placer, parsed: ParsedReport, gazetteer):
    """(place, flag, fix, message): place for a believable point, else the flag."""
    if parsed.village_id is not None:
        # The village's own point: inside it by construction, but ask the polygons.
        place = placer.place(parsed.lon, parsed.lat)
        if place is not None:
            return place, None, None, None

    names = getattr(gazetteer, "gazetteer", gazetteer)
    check = check_point(placer, parsed.lon, parsed.lat, names)
    if check.ok:
        return check.landing.place, None, None, None

    given = {"lon": parsed.lon, "lat": parsed.lat}
    fix = {"lon": None, "lat": None, "reason": check.message, "issues": list(check.issues)}
    if check.fix is not None:
        fix["lon"], fix["lat"] = check.fix.lon, check.fix.lat
    log.info("Report point flagged %s: %s", check.issues, check.message)
    return None, check.issues[0], fix | {"given": given}, check.message


ASK_ID = object()  # insert_report's report_id when the caller has not taken one in advance


def insert_report(
    session: Session,
    new: NewReport,
    place: Place | None,
    actor: str,
    *,
    report_id=ASK_ID,
    **extra,
) -> Report:
    if report_id is ASK_ID:
        ids = next_report_ids(session, 1)
        report_id = ids[0] if ids else None
    report = Report(
        id=report_id,
        # Without an id known in advance, a placeholder until the INSERT gives one; it
        # must fit report.number (VARCHAR(30): PostgreSQL enforces it, SQLite does not).
        number=(
            report_number(report_id, new.reported_at)
            if report_id is not None
            else f"tmp-{uuid.uuid4().hex[:24]}"
        ),
        source_id=new.source_id,
        reported_at=new.reported_at,
        idpel=new.idpel,
        name=new.name,
        phone=new.phone,
        address=new.address,
        village_id=place.village_id if place else None,
        district_id=place.district_id if place else None,
        ulp_id=place.ulp_id if place else None,
        lat=new.lat,
        lon=new.lon,
        category=new.category.value,
        media=new.media.value,
        description=new.description,
        stage=Stage.LAPOR.value,
        simulated=new.simulated,
        customers=new.customers,
        source=new.source,
        version=1,  # what the INSERT stores; set so the event's snapshot has it
        **extra,
    )
    session.add(report)
    # The number carries the database id, so two consoles never hand out the same one.
    if report_id is None:
        session.flush()
        report.number = report_number(report.id, new.reported_at)
    # A new report has no stage rows yet: added directly, without add_stage_row's
    # lookup, so report and stage go in one flush.
    session.add(
        ReportStage(report_id=report.id, stage=Stage.LAPOR.value, at=new.reported_at, actor=actor)
    )
    # Report, stage, event and notice go in one flush (ordered by their relationships).
    after = lifecycle.report_snapshot(report) | {"number": report.number, "source": new.source}
    if extra.get("placement_flag"):
        after["placement_flag"] = extra["placement_flag"]
    if extra.get("repeat_of_id"):
        after["repeat_of_id"] = extra["repeat_of_id"]
    events.record(session, "create", "report", report.id, actor=actor, after=after)
    notices.on_report_created(session, report)  # the customer's "laporan diterima"
    return report
