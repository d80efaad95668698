"""returns: the covering index of the returns also holds the redress currency (summed per currency)

Revision ID: 0021
Revises: 0020

engine.store.returns groups the redress by ``coalesce(resolution_currency, currency)``; without both columns in
``ix_complaint_return`` the one pass would read every complaint row instead of the index alone.
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BEFORE = ["created_at", "settled_at", "product_group", "outcome", "settled_band", "resolution_amount", "root_cause"]
AFTER = [*BEFORE, "resolution_currency", "currency"]


def upgrade() -> None:
    op.drop_index("ix_complaint_return", table_name="complaint")
    op.create_index("ix_complaint_return", "complaint", AFTER)


def downgrade() -> None:
    op.drop_index("ix_complaint_return", table_name="complaint")
    op.create_index("ix_complaint_return", "complaint", BEFORE)
