"""intake keys: a portal form or an API request with an Idempotency-Key opens at most one complaint

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key_hash", name="uq_intake_key_scope_hash"),
    )
    op.create_index(op.f("ix_intake_key_created_at"), "intake_key", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_intake_key_created_at"), table_name="intake_key")
    op.drop_table("intake_key")
