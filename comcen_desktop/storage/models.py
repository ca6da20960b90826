"""SQLAlchemy 2 models. Every table mirrors a word of DESIGN.md.

Geometry is kept as GeoJSON text so the same schema runs on SQLite and on
PostgreSQL without PostGIS; the services turn it into shapely objects.
Times are timezone-aware UTC (see UtcDateTime).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator):
    """Store UTC, always hand back an aware UTC datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class UlpArea(Base):
    __tablename__ = "ulp_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    code: Mapped[str] = mapped_column(String(20))
    regency: Mapped[str] = mapped_column(String(80))
    geojson: Mapped[str] = mapped_column(Text)
    # Customers served (N_T of IEEE 1366 SAIDI/SAIFI); set by the unit.
    customers: Mapped[int | None] = mapped_column(Integer)


class District(Base):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    ulp_id: Mapped[int] = mapped_column(ForeignKey("ulp_area.id"))
    geojson: Mapped[str] = mapped_column(Text)


class Village(Base):
    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    ulp_id: Mapped[int] = mapped_column(ForeignKey("ulp_area.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    area_km2: Mapped[float | None] = mapped_column(Float)
    geojson: Mapped[str | None] = mapped_column(Text)


class Posko(Base):
    __tablename__ = "posko"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    ulp_id: Mapped[int | None] = mapped_column(ForeignKey("ulp_area.id"))
    district: Mapped[str | None] = mapped_column(String(80))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    personnel: Mapped[int | None] = mapped_column(Integer)
    is_p2d: Mapped[bool] = mapped_column(Boolean, default=False)

    crews: Mapped[list[Crew]] = relationship(back_populates="posko")


class Crew(Base):
    __tablename__ = "crew"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    posko_id: Mapped[int] = mapped_column(ForeignKey("posko.id"))
    vehicle: Mapped[str] = mapped_column(String(10))
    members: Mapped[int] = mapped_column(Integer, default=2)
    # pagi / sore / malam, or None for a crew on call around the clock.
    shift: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="siaga")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    posko: Mapped[Posko] = relationship(back_populates="crews")

    __mapper_args__ = {"version_id_col": version}


class Report(Base):
    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    source_id: Mapped[str | None] = mapped_column(String(80), unique=True)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    idpel: Mapped[str | None] = mapped_column(String(12), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(Text)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    ulp_id: Mapped[int | None] = mapped_column(ForeignKey("ulp_area.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(30))
    media: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(20), index=True)
    crew_id: Mapped[int | None] = mapped_column(ForeignKey("crew.id"), index=True)
    customers: Mapped[int | None] = mapped_column(Integer)  # affected, for padam meluas
    rating: Mapped[int | None] = mapped_column(Integer)  # the customer's 1–5 after Selesai
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    # How the report reached us: 123 form, PLN Mobile API, drop folder, import, simulator.
    source: Mapped[str | None] = mapped_column(String(20))
    cause: Mapped[str | None] = mapped_column(Text)  # penyebab, as the crew or import gives it
    # A fault report from the same IDPEL within the repeat window links to the earlier one.
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    # "Tidak" to "sudah selesai?" reopens as a new report linked to the old one.
    reopened_from_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    # Set when the point could not be trusted (outside Bangka, 0,0, swapped...): the
    # operator places it; placement_fix holds the likely fix offered ({lon, lat, reason}).
    placement_flag: Mapped[str | None] = mapped_column(String(20))
    placement_fix: Mapped[dict | None] = mapped_column(JSON)
    # The customer's answer to "sudah selesai?" (True ya, False tidak) and comment.
    feedback_resolved: Mapped[bool | None] = mapped_column(Boolean)
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    stages: Mapped[list[ReportStage]] = relationship(
        back_populates="report", order_by="ReportStage.at"
    )

    __mapper_args__ = {"version_id_col": version}


class Incident(Base):
    """Several reports of one wider outage (padam meluas), confirmed by an operator.

    Members (report.incident_id) move through the stages together and count once in
    SAIDI/SAIFI with the incident's customers. A proposal the operator turned down is
    kept with status "ditolak" and its member_ids, so it is not proposed again.
    """

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    ulp_id: Mapped[int | None] = mapped_column(ForeignKey("ulp_area.id"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    customers: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(60))
    member_ids: Mapped[list | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Notice(Base):
    """Customer notice outbox: written in the change's transaction, sent later."""

    __tablename__ = "notice"
    __table_args__ = (UniqueConstraint("report_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str | None] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # antre (waiting), terkirim (sent), gagal (gave up after the last retry)
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    # Lets one flush write a new report and its notice in the right order.
    report: Mapped[Report] = relationship()


class UserAccount(Base):
    """Who may sign in to a console, and with which role."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    # operator / supervisor / wall / admin
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    os_user: Mapped[str | None] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReportStage(Base):
    __tablename__ = "report_stage"
    __table_args__ = (UniqueConstraint("report_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    # A corrected time keeps the original, who corrected it, when and why.
    original_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    corrected_by: Mapped[str | None] = mapped_column(String(60))
    corrected_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    correction_reason: Mapped[str | None] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="stages")


class Event(Base):
    """Append-only log: the audit trail and what consoles follow to stay in sync."""

    __tablename__ = "event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(60))
    console: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict | list | str | int | float | None] = mapped_column(JSON)
    assumption: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class KpiTarget(Base):
    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("ulp_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ulp_id: Mapped[int] = mapped_column(ForeignKey("ulp_area.id"))
    year: Mapped[int] = mapped_column(Integer)
    rpt_min: Mapped[float] = mapped_column(Float)
    rct_min: Mapped[float] = mapped_column(Float)
