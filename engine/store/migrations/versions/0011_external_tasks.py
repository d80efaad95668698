"""external tasks: Camunda 7 workers fetch, lock and complete service steps

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 01:30:00

One row per activation of a ``camunda:type="external"`` step whose topic no built-in handler implements
(engine.store.external_tasks). Fetching reads the open rows of a topic by priority and age; locking is a
conditional update of ``worker_id``/``lock_expires_at``.
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_task",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=200), nullable=False),
        sa.Column("business_key", sa.String(length=100), nullable=True),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("element_name", sa.String(length=300), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.Column("worker_id", sa.String(length=255), nullable=True),
        sa.Column("lock_expires_at", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("created_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_external_task_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_task")),
    )
    with op.batch_alter_table("external_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_task_task_id"), ["task_id"], unique=False)
        batch_op.create_index("ix_external_task_fetch", ["status", "topic", "priority", "created_at"], unique=False)
        batch_op.create_index("ix_external_task_instance_status", ["instance_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_table("external_task")
