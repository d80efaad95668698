"""cockpit: stored first response and net resolution hours, indexed for the dashboard's medians

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 00:20:00

The dashboard's median and p90 of the durations computed hours (and the SLA pauses out of JSON) for every
complaint of the period on each request. The complaint row now carries them (kept by the model on every write,
engine.store.complaints); existing rows are filled here with the same function.
"""

import sqlalchemy as sa
from alembic import op

from engine.domain.kpi_hours import first_response_hours, resolution_net_hours
from engine.store.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_complaint_first_response_hours": ["first_response_hours", "created_at", "channel", "category",
                                          "responsible_group"],
    "ix_complaint_resolution_net_hours": ["resolution_net_hours", "created_at", "channel", "category",
                                          "responsible_group"],
}  # fmt: skip
BATCH = 5000


def backfill(bind: sa.Connection) -> None:
    """Fill both columns of the answered or resolved complaints, in batches by id (tested on both databases)."""
    complaint = sa.table(
        "complaint",
        sa.column("id", sa.Integer),
        sa.column("created_at", UTCDateTime()),
        sa.column("first_response_at", UTCDateTime()),
        sa.column("resolved_at", UTCDateTime()),
        sa.column("sla_pauses", sa.JSON),
        sa.column("first_response_hours", sa.Float),
        sa.column("resolution_net_hours", sa.Float),
    )
    query = (
        sa.select(complaint.c.id, complaint.c.created_at, complaint.c.first_response_at, complaint.c.resolved_at,
                  complaint.c.sla_pauses)
        .where(sa.or_(complaint.c.first_response_at.is_not(None), complaint.c.resolved_at.is_not(None)))
        .order_by(complaint.c.id)
    )  # fmt: skip
    update = (
        sa.update(complaint)
        .where(complaint.c.id == sa.bindparam("row_id"))
        .values(first_response_hours=sa.bindparam("first"), resolution_net_hours=sa.bindparam("net"))
    )
    last = 0
    while True:
        rows = bind.execute(query.where(complaint.c.id > last).limit(BATCH)).all()
        if not rows:
            return
        bind.execute(
            update,
            [
                {
                    "row_id": row_id,
                    "first": first_response_hours(created, responded),
                    "net": resolution_net_hours(created, resolved, pauses),
                }
                for row_id, created, responded, resolved, pauses in rows
            ],
        )
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_response_hours", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("resolution_net_hours", sa.Float(), nullable=True))
    backfill(op.get_bind())
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column("resolution_net_hours")
        batch_op.drop_column("first_response_hours")
