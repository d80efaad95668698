"""complaint register: product group, redress currency, response dates and the legal deadline

Revision ID: 0016
Revises: 0015

What the complaint register and the regulators' returns need on the complaint row (engine.domain.classification):
the product group, the currency of the redress (``resolution_amount``), the dates of acknowledgement, holding
response and final response, the legal deadline a regulation pack's clock sets and whether the final response
came within it. All nullable: existing complaints simply have not recorded them.
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

DATES = ("acknowledged_at", "holding_response_at", "final_response_at", "legal_deadline_at")


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("product_group", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("resolution_currency", sa.String(length=3), nullable=True))
        for name in DATES:
            batch.add_column(sa.Column(name, engine.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("within_legal_deadline", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in ("within_legal_deadline", *reversed(DATES), "resolution_currency", "product_group"):
            batch.drop_column(name)
