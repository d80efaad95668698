"""returns: when a complaint counts as closed for the regulators' returns, its time-to-close band, and indexes

Revision ID: 0019
Revises: 0018

``settled_at`` is the final response (or the closure when no final response was sent), ``settled_band`` the
FCA return's time-to-close band (engine.domain.classification.time_to_close_band). Existing closed complaints
are filled from their final response or closure date.
"""

import sqlalchemy as sa
from alembic import op

import engine.store.types
from engine.domain.classification import time_to_close_band
from engine.store.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_complaint_return": [
        "created_at", "settled_at", "product_group", "outcome", "settled_band", "resolution_amount", "root_cause",
    ],  # fmt: skip
}
BATCH = 5000


def backfill(bind: sa.Connection) -> None:
    """Settle the complaints that are closed now, in batches by id."""
    complaint = sa.table(
        "complaint",
        sa.column("id", sa.Integer),
        sa.column("created_at", UTCDateTime()),
        sa.column("final_response_at", UTCDateTime()),
        sa.column("closed_at", UTCDateTime()),
        sa.column("settled_at", UTCDateTime()),
        sa.column("settled_band", sa.String),
    )
    query = (
        sa.select(complaint.c.id, complaint.c.created_at, complaint.c.final_response_at, complaint.c.closed_at)
        .where(complaint.c.closed_at.is_not(None))
        .order_by(complaint.c.id)
    )
    update = (
        sa.update(complaint)
        .where(complaint.c.id == sa.bindparam("row_id"))
        .values(settled_at=sa.bindparam("settled"), settled_band=sa.bindparam("band"))
    )
    last = 0
    while True:
        rows = bind.execute(query.where(complaint.c.id > last).limit(BATCH)).all()
        if not rows:
            return
        values = []
        for row_id, created, final, closed in rows:
            settled = final or closed
            values.append({"row_id": row_id, "settled": settled, "band": time_to_close_band(created, settled)})
        bind.execute(update, values)
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("settled_at", engine.store.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("settled_band", sa.String(length=12), nullable=True))
    backfill(op.get_bind())
    for name, columns in INDEXES.items():
        op.create_index(name, "complaint", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="complaint")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("settled_band")
        batch.drop_column("settled_at")
