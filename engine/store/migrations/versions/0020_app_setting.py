"""settings an admin changes in the browser (the company name on letters and e-mails)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("app_setting")
