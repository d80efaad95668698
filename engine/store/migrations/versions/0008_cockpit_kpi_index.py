"""cockpit: covering index for the KPI period pass

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 23:10:00

The dashboard's one grouped pass over a period (engine.store.kpi.period_groups), the top complainants and the
first response times read only these columns; with all of them in one index, a year of complaints is read
from the index instead of the wide complaint rows (texts, JSON).
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = [
    "created_at", "responsible_group", "category", "root_cause", "channel", "status", "closed_at", "resolved_at",
    "resolution_met", "first_response_met", "outcome", "csat", "nps", "instance_id", "customer_id",
    "first_response_at",
]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_kpi", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_kpi")
