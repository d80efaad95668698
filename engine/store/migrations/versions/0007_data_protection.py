"""data protection: when a customer and a complaint were pseudonymised; audit log indexes for the global view

Revision ID: 0007
Revises: 0006

Erasure and the retention clean-up keep the rows (their anonymous statistics feed the KPIs) and mark them, so
that the clean-up skips what is done and the admin pages can say so.
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pseudonymised_at", engine.store.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pseudonymised_at", engine.store.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_actor_at", ["actor", "at"], unique=False)
        batch_op.create_index("ix_audit_entry_action_at", ["action", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_action_at")
        batch_op.drop_index("ix_audit_entry_actor_at")
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("pseudonymised_at")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("pseudonymised_at")
