"""returns: the covering index of the returns also holds the product (the returns' mapping tables read it)

Revision ID: 0022
Revises: 0021

The BaFin report's categories and the FCA table by product row and main cause map ``product`` through
processes/regulation/returns.toml in SQL; with the product in ``ix_complaint_return`` both read the index alone.
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

BEFORE = [
    "created_at", "settled_at", "product_group", "outcome", "settled_band", "resolution_amount", "root_cause",
    "resolution_currency", "currency",
]  # fmt: skip
AFTER = [*BEFORE, "product"]


def upgrade() -> None:
    op.drop_index("ix_complaint_return", table_name="complaint")
    op.create_index("ix_complaint_return", "complaint", AFTER)


def downgrade() -> None:
    op.drop_index("ix_complaint_return", table_name="complaint")
    op.create_index("ix_complaint_return", "complaint", BEFORE)
