"""regulation packs: the regulatory clock (legal deadlines) and the mandated letters sent

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = engine.store.types.UTCDateTime
    op.create_table(
        "regulatory_deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=50), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("calendar", sa.String(length=50), nullable=False),
        sa.Column("target", sa.String(length=50), nullable=False),
        sa.Column("received_at", when(), nullable=False),
        sa.Column("due_at", when(), nullable=False),
        sa.Column("remind_at", when(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("extended_by", sa.String(length=50), nullable=True),
        sa.Column("reminded_at", when(), nullable=True),
        sa.Column("met_at", when(), nullable=True),
        sa.Column("met_by", sa.String(length=50), nullable=True),
        sa.Column("breached_at", when(), nullable=True),
        sa.Column("breach_reason", sa.Text(), nullable=True),
        sa.Column("breach_reason_by", sa.String(length=150), nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_regulatory_deadline_complaint_id"), "regulatory_deadline", ["complaint_id"])
    op.create_index("ix_regulatory_deadline_remind", "regulatory_deadline", ["status", "remind_at"])
    op.create_index("ix_regulatory_deadline_due", "regulatory_deadline", ["status", "due_at"])
    op.create_table(
        "regulatory_letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=50), nullable=False),
        sa.Column("letter", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", when(), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_regulatory_letter_complaint_id"), "regulatory_letter", ["complaint_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_regulatory_letter_complaint_id"), table_name="regulatory_letter")
    op.drop_table("regulatory_letter")
    op.drop_index("ix_regulatory_deadline_due", table_name="regulatory_deadline")
    op.drop_index("ix_regulatory_deadline_remind", table_name="regulatory_deadline")
    op.drop_index(op.f("ix_regulatory_deadline_complaint_id"), table_name="regulatory_deadline")
    op.drop_table("regulatory_deadline")
