"""SQL pieces of the KPI queries that differ between SQLite and PostgreSQL: buckets and percentiles.

Kept apart from engine.store.kpi so that the figures there read as plain aggregates.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import custom_op


@dataclass(frozen=True)
class Durations:
    """Summary of durations in hours; ``None`` when there is nothing to summarise."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None


def bucket_sql(column: Any, bucket: str, dialect: str, in_utc: bool = True) -> ColumnElement[str]:
    """The first day of the column's day/week/month as 'YYYY-MM-DD' text, in UTC, on either database
    (``in_utc`` False: the column holds UTC calendar values already, e.g. a day)."""
    if dialect == "postgresql":
        moment = func.timezone("UTC", column) if in_utc else column
        return func.to_char(func.date_trunc(bucket, moment), "YYYY-MM-DD")
    if bucket == "day":
        return func.strftime("%Y-%m-%d", column)
    if bucket == "week":  # SQLite: the coming Sunday (or today), minus six days, is the week's Monday
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column)


def duration_summary(session: Session, hours: Any, criteria: Sequence[ColumnElement[bool]]) -> Durations:
    """Count, mean, median and nearest-rank p90 (rounded to 0.01 h) of a stored hours column over ``criteria``.

    The median of an even count is the mean of the two middle values, the p90 the value at rank
    ``ceil(0.9 n) = (9 n + 9) // 10`` (ranks from 1). PostgreSQL: one aggregate (``percentile_cont`` /
    ``percentile_disc``). SQLite has no ordered-set aggregates; after the count it reads the two or three values at
    those ranks with ``ORDER BY hours LIMIT … OFFSET …``, which walks the index that starts with the hours instead
    of sorting the period (kpi_sql's earlier window over computed hours sorted all of it on every request).
    """
    where = [*criteria, hours.is_not(None)]
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            select(
                func.count(hours),
                func.avg(hours),
                func.percentile_cont(0.5).within_group(hours),
                func.percentile_disc(0.9).within_group(hours),
            ).where(*where)
        ).one()
        if not row[0]:
            return Durations(0, None, None, None)
        return Durations(int(row[0]), _hours(row[1]), _hours(row[2]), _hours(row[3]))
    n, mean = session.execute(select(func.count(hours), func.avg(hours)).where(*where)).one()
    if not n:
        return Durations(0, None, None, None)

    def from_rank(rank: int, count: int = 1) -> list[float]:
        query = select(hours).where(*where).order_by(hours).limit(count).offset(rank - 1)
        return [float(value) for value in session.scalars(query)]

    middle = from_rank((n + 1) // 2) if n % 2 else from_rank(n // 2, 2)
    return Durations(int(n), _hours(mean), _hours(statistics.fmean(middle)), _hours(from_rank((9 * n + 9) // 10)[0]))


def not_an_index_key(column: Any) -> ColumnElement[Any]:
    """``+column``: SQLite's no-op unary plus, which keeps a condition on the column from choosing an index.

    For the durations on SQLite: the planner would pick the ``created_at`` (or category) index, read the rows and
    sort them; without that choice it walks the index that starts with the hours (``KPI_HOURS_INDEXES``, which also
    holds the filtered columns) in order, so ``OFFSET k`` steps over k index entries and no row is read.
    """
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _hours(value: Any) -> float:
    return round(float(value), 2)
