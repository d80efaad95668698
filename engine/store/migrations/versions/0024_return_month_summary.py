"""returns: the summary rows per month (``return_month``), filled from the complaints there are

Revision ID: 0024
Revises: 0023

The day rows of migration 0023 made a year's return read up to 365 days of rows per dimension; the month rows
answer the whole months of a period (engine.store.returns_by_day adds the days of the months it only touches).
The backfill counts every complaint once with the same rule as the day rows, summed per month.
"""

import sqlalchemy as sa
from alembic import op

from engine.domain.return_days import KEY_FIELDS, TRACKED, by_month, recount
from engine.store.types import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BATCH = 5000


def backfill(bind: sa.Connection) -> None:
    """One month row per key of the complaints in the database (the table is new and empty)."""
    complaint = sa.table(
        "complaint",
        sa.column("created_at", UTCDateTime()),
        sa.column("settled_at", UTCDateTime()),
        *(sa.column(name, sa.Numeric(12, 2) if name == "resolution_amount" else sa.String) for name in TRACKED[2:]),
    )
    summary = sa.table(
        "return_month",
        sa.column("day", sa.Date()),
        *(sa.column(name, sa.String) for name in KEY_FIELDS[1:-1]),
        sa.column("in_favour", sa.Boolean()),
        sa.column("complaints", sa.Integer()),
        sa.column("amounts", sa.Integer()),
        sa.column("redress", sa.Numeric(16, 2)),
    )
    columns = [complaint.c[name] for name in TRACKED]
    totals = by_month(recount(bind.execute(sa.select(*columns).execution_options(yield_per=BATCH)).mappings()))
    rows = [
        {**{name: getattr(key, name) for name in KEY_FIELDS}, "complaints": tally.complaints,
         "amounts": tally.amounts, "redress": tally.redress}
        for key, tally in sorted(totals.items())
    ]  # fmt: skip
    for start in range(0, len(rows), BATCH):
        bind.execute(sa.insert(summary), rows[start : start + BATCH])


def upgrade() -> None:
    op.create_table(
        "return_month",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("event", sa.String(length=8), nullable=False),
        sa.Column("product_group", sa.String(length=50), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("root_cause", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("band", sa.String(length=12), nullable=False),
        sa.Column("in_favour", sa.Boolean(), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.Column("amounts", sa.Integer(), nullable=False),
        sa.Column("redress", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.PrimaryKeyConstraint(*KEY_FIELDS, name=op.f("pk_return_month")),
    )
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("return_month")
