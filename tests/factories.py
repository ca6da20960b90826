"""Small builders for test data, going through the real services."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from comcen_desktop.domain import Category, CrewStatus, Media, Stage
from comcen_desktop.storage.models import Crew, Village
from comcen_desktop.timeutil import utc_now
from services import lifecycle
from services.intake import NewReport, create_report
from services.placement import Placer


def village_points(database, count: int) -> list[tuple[float, float]]:
    with database.read() as session:
        rows = session.execute(
            select(Village.lon, Village.lat).where(Village.lon.is_not(None)).order_by(Village.code)
        ).all()
    step = max(1, len(rows) // count)
    return [(lon, lat) for lon, lat in rows[::step][:count]]


def add_reports(database, count: int, minutes_ago: float = 10.0) -> list[int]:
    """Store ``count`` Lapor reports at village points, returning their ids."""
    ids = []
    with database.transaction() as session:
        placer = Placer(session)
        for index, (lon, lat) in enumerate(village_points(database, count)):
            report = create_report(
                session,
                placer,
                NewReport(
                    reported_at=utc_now() - timedelta(minutes=minutes_ago + index),
                    lon=lon,
                    lat=lat,
                    category=Category.INDIVIDU,
                    media=Media.CC123,
                    idpel=f"{510000000000 + index}",
                    name=f"Pelanggan {index}",
                    phone="081234567890",
                ),
                actor="tester",
            )
            ids.append(report.id)
    return ids


def close_report(database, report_id: int) -> None:
    """Cancel a report (Lapor → Batal), which closes it."""
    from comcen_desktop.storage.models import Report

    with database.transaction() as session:
        report = session.get(Report, report_id)
        lifecycle.advance(session, report, Stage.BATAL, utc_now(), "tester", note="uji")


def crew_ids(database) -> list[int]:
    with database.read() as session:
        return list(session.scalars(select(Crew.id).order_by(Crew.id)))


def set_crew_status(database, crew_id: int, status: CrewStatus) -> None:
    with database.transaction() as session:
        session.get(Crew, crew_id).status = status.value
