"""Initial schema: areas, posko, crews, reports, stages, event log, settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:

    op.create_table(
        "event",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("console", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_event_at"), "event", ["at"], unique=False)
    op.create_index(op.f("ix_event_entity_id"), "event", ["entity_id"], unique=False)

    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("assumption", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "ulp_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("regency", sa.String(length=80), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("ulp_id", sa.Integer(), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ulp_id"],
            ["ulp_area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "kpi_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ulp_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rpt_min", sa.Float(), nullable=False),
        sa.Column("rct_min", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ulp_id"],
            ["ulp_area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ulp_id", "year"),
    )
    op.create_table(
        "posko",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("ulp_id", sa.Integer(), nullable=True),
        sa.Column("district", sa.String(length=80), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("personnel", sa.Integer(), nullable=True),
        sa.Column("is_p2d", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ulp_id"],
            ["ulp_area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "crew",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("posko_id", sa.Integer(), nullable=False),
        sa.Column("vehicle", sa.String(length=10), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("position_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["posko_id"],
            ["posko.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "village",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("ulp_id", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.Column("geojson", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ulp_id"],
            ["ulp_area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("source_id", sa.String(length=80), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idpel", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("ulp_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("media", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("crew_id", sa.Integer(), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crew_id"],
            ["crew.id"],
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ulp_id"],
            ["ulp_area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("source_id"),
    )
    op.create_index(op.f("ix_report_crew_id"), "report", ["crew_id"], unique=False)
    op.create_index(op.f("ix_report_idpel"), "report", ["idpel"], unique=False)
    op.create_index(op.f("ix_report_reported_at"), "report", ["reported_at"], unique=False)
    op.create_index(op.f("ix_report_stage"), "report", ["stage"], unique=False)
    op.create_index(op.f("ix_report_ulp_id"), "report", ["ulp_id"], unique=False)

    op.create_table(
        "report_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "stage"),
    )
    op.create_index(op.f("ix_report_stage_report_id"), "report_stage", ["report_id"], unique=False)


def downgrade() -> None:

    op.drop_index(op.f("ix_report_stage_report_id"), table_name="report_stage")

    op.drop_table("report_stage")
    op.drop_index(op.f("ix_report_ulp_id"), table_name="report")
    op.drop_index(op.f("ix_report_stage"), table_name="report")
    op.drop_index(op.f("ix_report_reported_at"), table_name="report")
    op.drop_index(op.f("ix_report_idpel"), table_name="report")
    op.drop_index(op.f("ix_report_crew_id"), table_name="report")

    op.drop_table("report")
    op.drop_table("village")
    op.drop_table("crew")
    op.drop_table("posko")
    op.drop_table("kpi_target")
    op.drop_table("district")
    op.drop_table("ulp_area")
    op.drop_table("setting")
    op.drop_index(op.f("ix_event_entity_id"), table_name="event")
    op.drop_index(op.f("ix_event_at"), table_name="event")

    op.drop_table("event")
