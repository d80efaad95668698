"""business calendars in the database: one row per saved version

Revision ID: 0012
Revises: 0011

Admins edit calendars in the browser. Every save adds a version; a complaint's clock keeps the version it
started on ("name@revision" in complaint.sla_calendar) until an admin recomputes running deadlines.
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "business_calendar_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=63), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("week", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(length=10), nullable=True),
        sa.Column("subdivision", sa.String(length=10), nullable=True),
        sa.Column("closing_days", sa.JSON(), nullable=False),
        sa.Column("always_open", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("created_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "revision", name="uq_business_calendar_version_name_revision"),
    )


def downgrade() -> None:
    op.drop_table("business_calendar_version")
