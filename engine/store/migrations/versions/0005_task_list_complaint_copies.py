"""task list: complaint columns copied onto human_task, their indexes, trigram search indexes on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 22:45:00

The task list filters on category, channel, complaint priority and customer name; with these on the task row
the open tasks are walked in due order through one composite index (see engine.store.tasklist). On
PostgreSQL, text search (ILIKE '%word%') gets pg_trgm GIN indexes. ``CREATE EXTENSION pg_trgm`` needs the
CREATE privilege on the database (pg_trgm is a trusted extension) or a superuser who created it beforehand;
without it the migration warns and goes on without the trigram indexes: search then works, only slower.
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

COPIED = (
    ("category", sa.String(50)),
    ("channel", sa.String(20)),
    ("complaint_priority", sa.String(20)),
    ("customer_name", sa.String(200)),
)
INDEXES = (
    ("ix_human_task_status_category_due", ["status", "category", "due_at"]),
    ("ix_human_task_status_channel_due", ["status", "channel", "due_at"]),
    ("ix_human_task_status_cpriority_due", ["status", "complaint_priority", "due_at"]),
)
# (index name, table, column): what the task list searches with ILIKE.
TRIGRAM_INDEXES = (
    ("ix_complaint_subject_trgm", "complaint", "subject"),
    ("ix_complaint_description_trgm", "complaint", "description"),
    ("ix_complaint_reference_trgm", "complaint", "reference"),
    ("ix_human_task_customer_name_trgm", "human_task", "customer_name"),
)


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        for name, type_ in COPIED:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    # Every task row, closed ones too: their copies then read as "the complaint when the task was last open".
    op.execute(
        "UPDATE human_task SET"
        " category = (SELECT c.category FROM complaint c WHERE c.instance_id = human_task.instance_id),"
        " channel = (SELECT c.channel FROM complaint c WHERE c.instance_id = human_task.instance_id),"
        " complaint_priority = (SELECT c.priority FROM complaint c WHERE c.instance_id = human_task.instance_id),"
        " customer_name = (SELECT cu.name FROM complaint c JOIN customer cu ON cu.id = c.customer_id"
        " WHERE c.instance_id = human_task.instance_id)"
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _trigram_indexes()


def _trigram_indexes() -> None:
    bind = op.get_bind()
    try:
        # A savepoint, so that a refused CREATE EXTENSION (no rights) does not abort the migration's transaction.
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning(
            "pg_trgm could not be created (%s); task list search works without its indexes, but slowly. "
            "Run CREATE EXTENSION pg_trgm as a superuser, then create the indexes (bench/TASKLIST.md lists them).",
            str(error.orig).splitlines()[0] if error.orig else error,
        )
        return
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _column in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)
        for name, _type in reversed(COPIED):
            batch_op.drop_column(name)
