"""Storing a new report: placed, numbered, stage Lapor, logged, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from comcen_desktop.domain import Category, Media, Stage
from comcen_desktop.storage.models import Report
from comcen_desktop.timeutil import to_wib
from services import events, lifecycle
from services.placement import Placer


@dataclass
class NewReport:
    reported_at: datetime
    lon: float
    lat: float
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


def report_number(report_id: int, reported_at: datetime) -> str:
    return f"LP{to_wib(reported_at):%y%m%d}-{report_id:05d}"


def create_report(session: Session, placer: Placer, new: NewReport, actor: str) -> Report:
    place = placer.place(new.lon, new.lat)
    report = Report(
        # A placeholder until the id is known; it must fit report.number (VARCHAR(30):
        # PostgreSQL enforces the length, SQLite does not).
        number=f"tmp-{uuid.uuid4().hex[:24]}",
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
    )
    session.add(report)
    # The number carries the database id, so two consoles never hand out the same one.
    session.flush()
    report.number = report_number(report.id, new.reported_at)
    lifecycle.add_stage_row(session, report, Stage.LAPOR, new.reported_at, actor)
    session.flush()
    events.record(
        session,
        "create",
        "report",
        report.id,
        actor=actor,
        after=lifecycle.report_snapshot(report) | {"number": report.number},
    )
    return report
