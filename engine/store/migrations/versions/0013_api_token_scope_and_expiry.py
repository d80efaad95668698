"""API tokens: a scope (read, intake, full) and an optional expiry

Revision ID: 0013
Revises: 0012

Tokens created before keep what they could do: scope "full", no expiry.
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=10), server_default="full", nullable=False))
        batch_op.add_column(sa.Column("expires_at", engine.store.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
