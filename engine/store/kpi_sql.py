"""SQL pieces of the KPI queries that differ between SQLite and PostgreSQL: hours, SLA pauses, buckets, percentiles.

Kept apart from engine.store.kpi so that the figures there read as plain aggregates.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, case, cast, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.store.complaints import Complaint


@dataclass(frozen=True)
class Durations:
    """Summary of durations in hours; ``None`` when there is nothing to summarise."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None


def hours_sql(start: Any, stop: Any, dialect: str) -> ColumnElement[Any]:
    """Hours from ``start`` to ``stop`` as a float computed by the database (no datetime parsing in Python)."""
    if dialect == "postgresql":
        return func.extract("epoch", stop - start) / 3600.0
    return (func.julianday(stop) - func.julianday(start)) * 24.0


# Hours of SLA pauses ([start, end or null] ISO pairs in complaint.sla_pauses) between the complaint's creation and
# its resolution; an open pause runs until the resolution, entries without a start are skipped. In SQL (JSON
# functions of each database) so that the net time to resolution is sorted by the database, not in Python.
_PAUSED_HOURS = {
    "sqlite": "(SELECT coalesce(sum(max(0.0,"
    " min(julianday(coalesce(json_extract(p.value, '$[1]'), complaint.resolved_at)), julianday(complaint.resolved_at))"
    " - max(julianday(json_extract(p.value, '$[0]')), julianday(complaint.created_at)))), 0.0) * 24.0"
    " FROM json_each(complaint.sla_pauses) AS p WHERE json_extract(p.value, '$[0]') IS NOT NULL)",
    "postgresql": "(SELECT coalesce(sum(greatest(0.0, extract(epoch FROM"
    " least(coalesce((p.value ->> 1)::timestamptz, complaint.resolved_at), complaint.resolved_at)"
    " - greatest((p.value ->> 0)::timestamptz, complaint.created_at)))), 0.0) / 3600.0"
    " FROM json_array_elements(complaint.sla_pauses) AS p WHERE p.value ->> 0 IS NOT NULL)",
}


def net_resolution_hours_sql(dialect: str) -> ColumnElement[Any]:
    """Hours from creation to resolution minus the SLA pauses in between (only paused complaints read the JSON)."""
    gross = hours_sql(Complaint.created_at, Complaint.resolved_at, dialect)
    paused: ColumnElement[float] = literal_column(_PAUSED_HOURS["postgresql" if dialect == "postgresql" else "sqlite"])
    return gross - case((cast(Complaint.sla_pauses, String) != "[]", paused), else_=0.0)


def bucket_sql(column: Any, bucket: str, dialect: str) -> ColumnElement[str]:
    """The first day of the column's day/week/month as 'YYYY-MM-DD' text, in UTC, on either database."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc(bucket, func.timezone("UTC", column)), "YYYY-MM-DD")
    if bucket == "day":
        return func.strftime("%Y-%m-%d", column)
    if bucket == "week":  # SQLite: the coming Sunday (or today), minus six days, is the week's Monday
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column)


def ranked_summary_query(values: Select[Any]) -> Select[Any]:
    """From a one-column select of numbers: only the rows at the median and p90 ranks, with count and mean.

    The database sorts (a window over the selection) and hands back two or three rows instead of one per
    complaint. Ranks count from 1: the median is at ``(n + 1) / 2`` (odd n) or the mean of ``n / 2`` and
    ``n / 2 + 1`` (even n), the nearest-rank p90 at ``ceil(0.9 n) = (9 n + 9) / 10``; integer division on both
    databases.
    """
    inner = values.subquery()
    value = inner.c[0]
    ranked = select(
        value.label("value"),
        func.row_number().over(order_by=value).label("rank"),
        func.count().over().label("n"),
        func.avg(value).over().label("mean"),
    ).subquery()
    n = ranked.c.n
    return select(ranked.c.value, ranked.c.rank, n, ranked.c.mean).where(
        or_(ranked.c.rank == (n + 1) // 2, ranked.c.rank == n // 2 + 1, ranked.c.rank == (9 * n + 9) // 10)
    )


def summary_from_ranks(rows: list[Any]) -> Durations:
    """Mean, median and p90 (rounded to 0.01 h) from the rows of :func:`ranked_summary_query`."""
    if not rows:
        return Durations(0, None, None, None)
    n, mean = int(rows[0][2]), float(rows[0][3])
    at = {int(rank): float(value) for value, rank, _n, _mean in rows}
    median = at[(n + 1) // 2] if n % 2 else statistics.fmean((at[n // 2], at[n // 2 + 1]))
    return Durations(n, round(mean, 2), round(median, 2), round(at[(9 * n + 9) // 10], 2))
