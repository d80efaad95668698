"""instance control (suspend, cancel, held messages) and element visits for the heatmap

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 22:50:00
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _seconds_sql(dialect: str) -> str:
    """Seconds between a task row's creation and its completion, in the database's own date arithmetic."""
    if dialect == "postgresql":
        return "EXTRACT(EPOCH FROM (h.completed_at - h.created_at))"
    # julianday is a float of days: rounded to milliseconds, 30 minutes stay 1800.0 seconds.
    return "ROUND((julianday(h.completed_at) - julianday(h.created_at)) * 86400.0, 3)"


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "held_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("message_name", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", engine.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=150), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_held_message_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_message")),
    )
    with op.batch_alter_table("held_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_held_message_instance_id"), ["instance_id"], unique=False)
    op.create_table(
        "element_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("entered_at", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("left_at", engine.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_element_visit_instance_id_process_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_element_visit")),
    )
    with op.batch_alter_table("element_visit", schema=None) as batch_op:
        batch_op.create_index("ix_element_visit_definition_element", ["definition_id", "element_id"], unique=False)
        batch_op.create_index("ix_element_visit_definition_entered", ["definition_id", "entered_at"], unique=False)
        batch_op.create_index("ix_element_visit_instance_open", ["instance_id", "left_at"], unique=False)
    # Backfill what the existing rows know: every human task is a visit of its element, with its times.
    # (Automatic steps and events left no rows before this revision; their counts start now.)
    op.execute(backfill_sql(op.get_bind().dialect.name))


def backfill_sql(dialect: str) -> str:
    """One INSERT … SELECT that turns the human task rows into element visits (tested on both databases)."""
    return (
        "INSERT INTO element_visit"
        " (instance_id, definition_id, task_id, element_id, entered_at, left_at, seconds, outcome)"
        " SELECT h.instance_id, p.definition_id, h.id, h.element_id, h.created_at, h.completed_at,"
        f" CASE WHEN h.completed_at IS NULL THEN NULL ELSE {_seconds_sql(dialect)} END,"
        " CASE WHEN h.status = 'completed' THEN 'completed' WHEN h.status = 'cancelled' THEN 'cancelled' END"
        " FROM human_task h JOIN process_instance p ON p.id = h.instance_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("element_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_element_visit_instance_open")
        batch_op.drop_index("ix_element_visit_definition_entered")
        batch_op.drop_index("ix_element_visit_definition_element")
    op.drop_table("element_visit")
    with op.batch_alter_table("held_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_held_message_instance_id"))
    op.drop_table("held_message")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("suspended")
