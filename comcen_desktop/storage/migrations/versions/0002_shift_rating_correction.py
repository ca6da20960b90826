"""Crew shift, customer rating and affected customers, stage-time corrections, N_T.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

NEW_COLUMNS = {
    "ulp_area": [sa.Column("customers", sa.Integer(), nullable=True)],
    "crew": [sa.Column("shift", sa.String(length=10), nullable=True)],
    "report": [
        sa.Column("customers", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
    ],
    "report_stage": [
        sa.Column("original_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("corrected_by", sa.String(length=60), nullable=True),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
    ],
}


def upgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(column)


def downgrade() -> None:
    for table, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)
