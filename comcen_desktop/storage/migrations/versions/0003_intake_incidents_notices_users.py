"""Intake and lifecycle (source, cause, repeats, reopen, placement flags, feedback),
padam meluas incidents, the customer notice outbox, and user accounts.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

REPORT_COLUMNS = [
    sa.Column("source", sa.String(length=20), nullable=True),
    sa.Column("cause", sa.Text(), nullable=True),
    sa.Column("repeat_of_id", sa.Integer(), nullable=True),
    sa.Column("reopened_from_id", sa.Integer(), nullable=True),
    sa.Column("incident_id", sa.Integer(), nullable=True),
    sa.Column("placement_flag", sa.String(length=20), nullable=True),
    sa.Column("placement_fix", sa.JSON(), nullable=True),
    sa.Column("feedback_resolved", sa.Boolean(), nullable=True),
    sa.Column("feedback_comment", sa.Text(), nullable=True),
]


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("ulp_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=60), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ulp_id"], ["ulp_area.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_incident_status", "incident", ["status"])

    with op.batch_alter_table("report") as batch:
        for column in REPORT_COLUMNS:
            batch.add_column(column)
        batch.create_foreign_key("fk_report_repeat_of", "report", ["repeat_of_id"], ["id"])
        batch.create_foreign_key("fk_report_reopened_from", "report", ["reopened_from_id"], ["id"])
        batch.create_foreign_key("fk_report_incident", "incident", ["incident_id"], ["id"])
        batch.create_index("ix_report_incident_id", ["incident_id"])

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=30), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "kind"),
    )
    op.create_index("ix_notice_report_id", "notice", ["report_id"])
    op.create_index("ix_notice_status", "notice", ["status"])

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("os_user", sa.String(length=60), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
        sa.UniqueConstraint("os_user"),
    )


def downgrade() -> None:
    op.drop_table("user_account")
    op.drop_index("ix_notice_status", table_name="notice")
    op.drop_index("ix_notice_report_id", table_name="notice")
    op.drop_table("notice")
    with op.batch_alter_table("report") as batch:
        batch.drop_index("ix_report_incident_id")
        batch.drop_constraint("fk_report_incident", type_="foreignkey")
        batch.drop_constraint("fk_report_reopened_from", type_="foreignkey")
        batch.drop_constraint("fk_report_repeat_of", type_="foreignkey")
        for column in reversed(REPORT_COLUMNS):
            batch.drop_column(column.name)
    op.drop_index("ix_incident_status", table_name="incident")
    op.drop_table("incident")
