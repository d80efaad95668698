"""decision definitions: a DMN file deployed alone is a new version of its decisions

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_key", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("deployed_at", engine.store.types.UTCDateTime(), nullable=False),
        sa.Column("deployed_by", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_key", "version", name="uq_decision_definition_key_version"),
    )
    op.create_index(op.f("ix_decision_definition_decision_key"), "decision_definition", ["decision_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_decision_definition_decision_key"), table_name="decision_definition")
    op.drop_table("decision_definition")
